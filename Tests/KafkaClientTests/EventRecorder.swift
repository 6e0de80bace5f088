import KafkaClient
import Synchronization

/// Records what a consumer's event sequence delivered, so a test can wait (bounded) for a condition on it.
final class EventRecorder: Sendable {
    struct State {
        var messages: [KafkaMessage] = []
        var assigned: [[TopicPartition]] = []
        var revoked: [[TopicPartition]] = []
        var errors: [KafkaError] = []
    }

    let state = Mutex(State())

    func record(_ event: KafkaConsumerEvent) {
        state.withLock { state in
            switch event {
            case .message(let message): state.messages.append(message)
            case .partitionsAssigned(let partitions): state.assigned.append(partitions)
            case .partitionsRevoked(let partitions): state.revoked.append(partitions)
            case .error(let error): state.errors.append(error)
            }
        }
    }

    var messages: [KafkaMessage] { state.withLock { $0.messages } }
    var messageCount: Int { state.withLock { $0.messages.count } }
    var revoked: [[TopicPartition]] { state.withLock { $0.revoked } }
    var assigned: [[TopicPartition]] { state.withLock { $0.assigned } }
    var errors: [KafkaError] { state.withLock { $0.errors } }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    @discardableResult
    func waitUntil(timeout: Duration, _ condition: (State) -> Bool) async -> Bool {
        await waitFor(timeout: timeout) { state.withLock { condition($0) } }
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes (at most `timeout / 20 ms + 1` checks).
@discardableResult
func waitFor(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    let maxChecks = Int(timeout / .milliseconds(20)) + 1
    for _ in 0..<maxChecks {
        if await condition() { return true }
        if clock.now >= deadline { break }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Runs `body` while a child task drains `consumer.events` into a recorder (calling `onMessage` for each
/// message first), then closes the consumer and waits for the sequence to end — also when `body` throws.
func withRecordedConsumer<T: Sendable>(
    _ consumer: KafkaConsumer,
    onMessage: @escaping @Sendable (KafkaMessage) -> Void = { _ in },
    _ body: (EventRecorder) async throws -> T
) async throws -> T {
    let recorder = EventRecorder()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            for await event in consumer.events {
                if case .message(let message) = event {
                    onMessage(message)
                }
                recorder.record(event)
            }
        }
        do {
            let result = try await body(recorder)
            await consumer.close()
            try await group.waitForAll()
            return result
        } catch {
            await consumer.close()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Sends `count` messages with bounded concurrency and returns the delivery reports in index order.
func produce(
    _ producer: KafkaProducer,
    topic: String,
    count: Int,
    maxInFlight: Int = 256,
    message: @escaping @Sendable (Int) -> (key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader])
) async throws -> [KafkaDeliveryReport] {
    try await withThrowingTaskGroup(of: (Int, KafkaDeliveryReport).self) { group in
        var reports = [KafkaDeliveryReport?](repeating: nil, count: count)
        var next = 0
        while next < count {
            if next >= maxInFlight, let (index, report) = try await group.next() {
                reports[index] = report
            }
            let index = next
            next += 1
            group.addTask {
                let m = message(index)
                return (index, try await producer.send(topic: topic, key: m.key, value: m.value, headers: m.headers))
            }
        }
        while let (index, report) = try await group.next() {
            reports[index] = report
        }
        return reports.compactMap { $0 }
    }
}

/// `"text"` as bytes.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
