import EnricherJSON
import Logging
import MetricsTestKit
import Pipeline
import Synchronization
import Testing
import TestSupport

/// An ``EnrichmentPipeline`` over fakes, with short real-time schedules so that scenario tests
/// finish in milliseconds, and helpers to feed it and read what it did.
struct PipelineHarness {
    static let inputTopic = Fixtures.inputTopic
    static let partition0 = PartitionID(topic: inputTopic, partition: 0)
    static let partition1 = PartitionID(topic: inputTopic, partition: 1)

    let fetcher: FakeVerificationFetcher
    let publisher = FakeRecordPublisher()
    let partitions: FakePartitionControl
    let metrics = TestMetrics()
    let healthChanges = HealthLog()
    let pipeline: EnrichmentPipeline<ContinuousClock>
    let input: AsyncStream<PipelineInput>
    let feed: AsyncStream<PipelineInput>.Continuation

    /// Schedules in milliseconds instead of seconds and minutes; a budget high enough not to pace.
    /// The pending budget is real time measured from the first ask, and these tests share the process's two
    /// cooperative threads with every other suite running in parallel: 400 ms once ran out before a second ask
    /// (a pending event came out `incomplete` after one call, in CI runs with four test lanes, the whole test
    /// taking up to 2.1 s). 5 s leaves room for hundreds of asks; only an event pending for good waits that long.
    static func fastConfiguration() -> PipelineConfiguration {
        PipelineConfiguration(
            maxInFlight: 64,
            rateLimit: RateLimiterConfiguration(groupBudget: 100_000),
            retry: RetryPolicy(
                base: .milliseconds(1),
                cap: .milliseconds(4),
                maxElapsed: .seconds(20),
                pendingInitialDelay: .milliseconds(1),
                pendingMaximumDelay: .milliseconds(2),
                pendingMaxElapsed: .seconds(5),
                haltingInitialDelay: .milliseconds(2),
                haltingMaximumDelay: .milliseconds(8)
            ),
            commitInterval: .milliseconds(5),
            drainTimeout: .seconds(10)
        )
    }

    init(
        fetcher: FakeVerificationFetcher = FakeVerificationFetcher(),
        partitionCount: Int = 2,
        logger: Logger = Logger(label: "pipeline-tests") { _ in SwiftLogNoOpLogHandler() },
        mediaArchiver: (any MediaArchiver)? = nil,
        wallClock: WallClock? = nil,
        configure: (inout PipelineConfiguration) -> Void = { _ in }
    ) {
        var configuration = Self.fastConfiguration()
        configure(&configuration)
        self.fetcher = fetcher
        self.partitions = FakePartitionControl(partitionCount: partitionCount)
        (input, feed) = AsyncStream<PipelineInput>.makeStream()
        let fetchedAt = Fixtures.fetchedAt
        let healthChanges = self.healthChanges
        pipeline = EnrichmentPipeline(
            configuration: configuration,
            fetcher: fetcher,
            publisher: publisher,
            partitions: partitions,
            md5: MD5.hex,
            clock: ContinuousClock(),
            wallClock: wallClock ?? WallClock { fetchedAt },
            random: { 0.5 },
            metricsFactory: metrics,
            logger: logger,
            mediaArchiver: mediaArchiver,
            healthObserver: { healthChanges.append($0) }
        )
    }

    /// Runs the pipeline while `body` drives it, then ends the input and waits for the drain.
    func run(_ body: () async throws -> Void) async rethrows {
        async let running: Void = pipeline.run(input: input)
        do {
            try await body()
        } catch {
            feed.finish()
            await running
            throw error
        }
        feed.finish()
        await running
    }

    /// Feeds one event record.
    func send(partition: Int32 = 0, offset: Int64, key: String?, eventId: String, bizToken: String) {
        feed.yield(
            .record(
                Fixtures.record(
                    partition: partition,
                    offset: offset,
                    key: key,
                    value: Fixtures.eventValue(eventId: eventId, bizToken: bizToken)
                )
            )
        )
    }

    /// The published result events of the output topic, parsed.
    var outputs: [JSONValue] {
        publisher.records(topic: "faceid.verification.result").compactMap { try? JSONValue(parsing: $0.value) }
    }

    /// The `data.eventId` of each published result, in publish order.
    var outputEventIds: [String] { outputs.compactMap { $0["data"]?["eventId"]?.stringValue } }

    /// The published dead-letter records.
    var deadLetters: [OutgoingRecord] { publisher.records(topic: "faceid.verification.dlq") }

    /// A counter's total, 0 when it was never created.
    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        (try? metrics.expectCounter(label, dimensions).totalValue) ?? 0
    }

    /// A gauge's last value.
    func gauge(_ label: String) -> Double? {
        (try? metrics.expectGauge(label))?.lastValue
    }

    /// Waits until the committed offset of `partition` is `offset`.
    func waitForCommit(_ partition: PartitionID, _ offset: Int64) async -> Bool {
        await Poll.until { partitions.committedOffsets[partition] == offset }
    }
}

extension FetchFailure {
    static let resourceUnavailable = FetchFailure(
        kind: .retryable,
        code: "ResourceUnavailable",
        message: "busy",
        requestId: "req-ru"
    )
    static let authFailure = FetchFailure(
        kind: .halting,
        code: "AuthFailure.SecretIdNotFound",
        message: "secret id not found",
        requestId: "req-auth"
    )
}

/// The health changes a pipeline reported, in order.
final class HealthLog: Sendable {
    private let changes = Mutex<[PipelineHealth]>([])
    func append(_ health: PipelineHealth) { changes.withLock { $0.append(health) } }
    var values: [PipelineHealth] { changes.withLock { $0 } }
}
