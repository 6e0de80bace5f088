import KafkaClient
import Logging
import Synchronization

/// Reads a test's output and dead-letter topics in the background, like a downstream consumer (its own unique
/// group, from the earliest offset), so a test can wait until what it expects has arrived or a deadline passed.
///
/// Create one with ``withTopicReader(cluster:topics:_:)``, which also stops it.
public final class TopicReader: Sendable {
    private let topics: EndToEndTopics
    private let state = Mutex(TopicSnapshot())

    init(topics: EndToEndTopics) {
        self.topics = topics
    }

    /// What has been read so far.
    public var snapshot: TopicSnapshot { state.withLock { $0 } }

    /// Waits (polling every 50 ms, at most until `timeout`) until `predicate` holds for what has been read,
    /// and returns the snapshot it last saw — whether or not the predicate held; the test asserts on it.
    @discardableResult
    public func waitUntil(
        timeout: Duration = .seconds(60),
        _ predicate: (TopicSnapshot) -> Bool
    ) async -> TopicSnapshot {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let current = snapshot
            if predicate(current) || clock.now >= deadline || Task.isCancelled { return current }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until every id in `eventIds` has an output and at least `deadLetters` dead letters arrived.
    @discardableResult
    public func waitForOutputs(
        _ eventIds: some Sequence<String>,
        deadLetters: Int = 0,
        timeout: Duration = .seconds(60)
    ) async -> TopicSnapshot {
        let expected = Set(eventIds)
        return await waitUntil(timeout: timeout) { snapshot in
            snapshot.hasOutputs(for: expected) && snapshot.deadLetters.count >= deadLetters
        }
    }

    /// Waits `duration` and returns the snapshot: for checks that something does *not* arrive.
    public func settle(for duration: Duration) async -> TopicSnapshot {
        try? await Task.sleep(for: duration)
        return snapshot
    }

    func record(_ message: KafkaMessage) {
        state.withLock { snapshot in
            if message.topic == topics.deadLetter {
                snapshot.deadLetters.append(ObservedDeadLetter(message))
            } else if let output = ObservedOutput(message) {
                snapshot.outputs.append(output)
            } else {
                snapshot.unparsableOutputs.append(message)
            }
        }
    }
}

/// Runs `body` with a ``TopicReader`` on `topics.output` and `topics.deadLetter` of `cluster`, and closes its
/// consumer afterwards, also when `body` throws.
public func withTopicReader<Result: Sendable>(
    cluster: KafkaTestCluster,
    topics: EndToEndTopics,
    _ body: (TopicReader) async throws -> Result
) async throws -> Result {
    let consumer = try KafkaConsumer(
        configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("e2e-reader")),
        logger: cluster.logger
    )
    try consumer.subscribe(topics: [topics.output, topics.deadLetter])
    let reader = TopicReader(topics: topics)
    let result: Swift.Result<Result, any Error> = await withTaskGroup(of: Void.self) { group in
        group.addTask {
            // Ends when the group is cancelled below (the iterator returns nil on cancellation).
            for await event in consumer.events {
                if case .message(let message) = event {
                    reader.record(message)
                }
            }
        }
        defer { group.cancelAll() }
        do {
            return .success(try await body(reader))
        } catch {
            return .failure(error)
        }
    }
    await consumer.close()
    return try result.get()
}
