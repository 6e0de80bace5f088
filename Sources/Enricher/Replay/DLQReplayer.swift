public import KafkaClient
public import Logging
import Pipeline

/// Re-publishes dead-lettered events to the input topic — original key, value and headers,
/// `x-dlq-*` removed — once the cause is fixed (`faceid-enricher replay`).
///
/// Progress is tracked in a consumer group of its own (`<group>.dlq-replay`): an event is
/// committed there only after its re-publication was acknowledged, so a replay interrupted
/// half-way continues where it stopped, and running replay twice does not publish twice.
/// Events of another `reason` than the one asked for are passed over (and committed), so a
/// later replay of that other reason needs `fromBeginning`, which reads the whole DLQ again
/// in a fresh group.
public struct DLQReplayer: Sendable {
    /// What one replay did.
    public struct Summary: Sendable, Equatable {
        /// Events re-published to the input topic.
        public var replayed = 0
        /// Events passed over because their `x-dlq-reason` was not the one asked for.
        public var skipped = 0
        /// DLQ events read.
        public var read: Int { replayed + skipped }

        /// A summary with these counts (tests compare against one).
        public init(replayed: Int = 0, skipped: Int = 0) {
            self.replayed = replayed
            self.skipped = skipped
        }
    }

    /// The two reasons the DLQ carries.
    public static let reasons = DeadLetterReason.allCases.map(\.rawValue)

    public var configuration: EnricherConfiguration
    /// Only events with this `x-dlq-reason`; all when `nil`.
    public var reason: String?
    /// Read the whole DLQ again instead of continuing after the last replay.
    public var fromBeginning: Bool
    /// With nothing new for this long after reaching the end offsets, the replay is done.
    public var idleTimeout: Duration
    /// How long joining the replay's consumer group may take before the replay fails.
    public var joinTimeout: Duration
    /// The replay consumer's group timing. Short by default: the replay is the only member of a
    /// group of its own, so short session and rebalance timeouts only make its join quick (a
    /// dedicated thread keeps polling, so slow re-publication never costs it its membership).
    public var timing: EnrichmentService.GroupTiming
    public var logger: Logger

    public init(
        configuration: EnricherConfiguration,
        reason: String?,
        fromBeginning: Bool = false,
        idleTimeout: Duration = .seconds(3),
        joinTimeout: Duration = .seconds(60),
        timing: EnrichmentService.GroupTiming = .fast,
        logger: Logger
    ) {
        self.configuration = configuration
        self.reason = reason
        self.fromBeginning = fromBeginning
        self.idleTimeout = idleTimeout
        self.joinTimeout = joinTimeout
        self.timing = timing
        self.logger = logger
    }

    /// Runs the replay to the end of the DLQ as it is when the replay starts. `progress` is
    /// called after each event with the running summary. Throws when the group cannot be joined
    /// within `joinTimeout`, or on a Kafka error.
    public func run(progress: @Sendable (Summary) -> Void = { _ in }) async throws(KafkaError) -> Summary {
        let admin = KafkaAdminConfiguration(
            bootstrapServers: configuration.brokers,
            properties: configuration.kafkaProperties
        )
        let metadata = try await KafkaAdmin.clusterMetadata(configuration: admin, logger: logger)
        guard let partitionCount = metadata.topics[configuration.dlqTopic], partitionCount > 0 else {
            logger.info("the DLQ topic does not exist: nothing to replay", metadata: ["kafka.topic": "\(configuration.dlqTopic)"])
            return Summary()
        }
        var group = "\(configuration.group).dlq-replay"
        if fromBeginning { group += ".\(WallClock.system.now().millisecondsSinceEpoch)" }

        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(
                bootstrapServers: configuration.brokers,
                clientID: "faceid-enricher-replay",
                properties: configuration.kafkaProperties
            ),
            logger: logger
        )
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: configuration.brokers,
                groupID: group,
                clientID: "faceid-enricher-replay",
                autoOffsetReset: .earliest,
                sessionTimeout: timing.sessionTimeout,
                heartbeatInterval: timing.heartbeatInterval,
                maxPollInterval: timing.maxPollInterval,
                statisticsInterval: timing.statisticsInterval,
                properties: configuration.kafkaProperties
            ),
            logger: logger
        )
        var ends: [TopicPartition: Int64] = [:]
        for p in 0..<Int32(partitionCount) {
            let tp = TopicPartition(topic: configuration.dlqTopic, partition: p)
            ends[tp] = try await consumer.queryWatermarks(for: tp, timeout: .seconds(10)).high
        }
        let committed = try await consumer.committedOffsets(for: Array(ends.keys), timeout: .seconds(10))
        try consumer.subscribe(topics: [configuration.dlqTopic])

        var summary = Summary()
        do {
            summary = try await replay(
                consumer: consumer,
                producer: producer,
                queriedEnds: ends,
                positions: committed.filter { $0.value >= 0 },
                progress: progress
            )
        } catch {
            await consumer.close()
            await producer.shutdown(timeout: .seconds(10))
            throw error
        }
        try await consumer.commitStoredOffsets()
        await consumer.close()
        await producer.shutdown(timeout: .seconds(10))
        return summary
    }
}
