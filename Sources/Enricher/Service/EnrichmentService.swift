import KafkaClient
public import Logging
public import MediaArchive
public import Metrics
public import Pipeline
public import ServiceLifecycle
public import TencentCloud

/// `faceid-enricher run` as a `Service`: the group consumer, the idempotent producer and the
/// FaceID client wired to the enrichment pipeline, plus the loop that keeps `/readyz` and the
/// lag gauges current.
///
/// Shutdown sequence (SIGTERM/SIGINT, through the `ServiceGroup`'s graceful shutdown):
/// 1. readiness turns 503 and the pipeline stops taking records and starting fetches;
/// 2. in-flight events finish (up to the drain timeout) or are abandoned uncommitted;
/// 3. the pipeline commits every acknowledged prefix;
/// 4. the consumer leaves the group (its final revoke commits the stored offsets again, a no-op
///    when nothing changed), the producer flushes, the HTTP transport stops.
/// Nothing is committed that was not acknowledged, so whatever is cut short is consumed again.
public struct EnrichmentService: Service {
    /// Consumer-group timing. The defaults are librdkafka's; tests shorten them so group joins
    /// take seconds (see RIG.md).
    public struct GroupTiming: Sendable {
        public var sessionTimeout: Duration = .seconds(45)
        public var heartbeatInterval: Duration = .seconds(3)
        public var maxPollInterval: Duration = .seconds(300)
        public var statisticsInterval: Duration = .seconds(5)
        public init() {}

        /// Short timeouts for tests and the demo: joins and rebalances in a few seconds.
        public static var fast: GroupTiming {
            var timing = GroupTiming()
            timing.sessionTimeout = .seconds(6)
            timing.heartbeatInterval = .milliseconds(500)
            timing.maxPollInterval = .seconds(7)
            timing.statisticsInterval = .seconds(1)
            return timing
        }
    }

    public var configuration: EnricherConfiguration
    public var faceID: FaceIDClientConfiguration
    public var timing: GroupTiming
    /// Overrides of the pipeline's retry schedule (the demo uses a short one); `nil` keeps the
    /// defaults with `configuration.retryMaxElapsed`.
    public var retryPolicy: RetryPolicy?
    public var health: ServiceHealth
    /// Where each result's media is archived before the result is published (`--media-archive`);
    /// `nil`, the default, archives nothing.
    public var mediaArchive: MediaArchiveConfiguration?
    public var metricsFactory: any MetricsFactory
    public var logger: Logger
    /// Receives the running pipeline's totals once it stopped (the demo prints them).
    public var onFinished: @Sendable (PipelineStatistics) -> Void
    /// This member's id on the coordination topic: unique per process start (a random suffix is
    /// added to `memberPrefix`, e.g. the host name, which says where a record came from).
    public let memberID: String
    /// Whether program-file pages used only by start-up are let go of once the group is joined (see
    /// `StartupPages`): on by default, a third of a fresh instance's resident memory.
    public var releasesStartupPages = true

    public init(
        configuration: EnricherConfiguration,
        faceID: FaceIDClientConfiguration,
        timing: GroupTiming = GroupTiming(),
        retryPolicy: RetryPolicy? = nil,
        health: ServiceHealth = ServiceHealth(),
        mediaArchive: MediaArchiveConfiguration? = nil,
        metricsFactory: any MetricsFactory,
        logger: Logger,
        memberPrefix: String = "faceid-enricher",
        onFinished: @escaping @Sendable (PipelineStatistics) -> Void = { _ in }
    ) {
        self.memberID = memberPrefix + "-" + String(UInt64.random(in: 1...UInt64.max), radix: 16)
        self.configuration = configuration
        self.faceID = faceID
        self.timing = timing
        self.retryPolicy = retryPolicy
        self.health = health
        self.mediaArchive = mediaArchive
        self.metricsFactory = metricsFactory
        self.logger = logger
        self.onFinished = onFinished
    }

    /// Runs until a graceful shutdown (drain) or cancellation; throws when the consumer hits
    /// a fatal Kafka error, so the process exits non-zero and its supervisor restarts it.
    public func run() async throws {
        let client: FaceIDClient
        do {
            client = try FaceIDClient(configuration: faceID, logger: logger)
        } catch {
            throw ConfigurationError("cannot start the FaceID client: \(error)")
        }
        let archive = try makeMediaArchive()
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(
                bootstrapServers: configuration.brokers,
                clientID: "faceid-enricher",
                properties: configuration.kafkaProperties
            ),
            logger: logger
        )
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: configuration.brokers,
                groupID: configuration.group,
                clientID: "faceid-enricher",
                autoOffsetReset: .earliest,
                sessionTimeout: timing.sessionTimeout,
                heartbeatInterval: timing.heartbeatInterval,
                maxPollInterval: timing.maxPollInterval,
                statisticsInterval: timing.statisticsInterval,
                // librdkafka's 500 ms default fetch wait adds up to that much to every event's
                // end-to-end latency on a quiet topic (BENCHMARKS.md: p50 398 ms at 500 ms vs
                // 204 ms at 10 ms); 100 ms keeps most of the gain at a fifth of the fetch requests.
                // `-X fetch.wait.max.ms=…` still overrides it.
                fetchMaxWait: .milliseconds(100),
                maxBufferedMessages: max(256, configuration.maxInFlight * 4),
                properties: configuration.kafkaProperties
            ),
            logger: logger
        )
        let pipeline = EnrichmentPipeline(
            configuration: pipelineConfiguration(),
            fetcher: FaceIDFetcher(client: client),
            publisher: KafkaRecordPublisher(producer: producer),
            partitions: KafkaPartitionControl(consumer: consumer, inputTopic: configuration.inputTopic, logger: logger),
            md5: { Digest.md5Hex($0) },
            clock: ContinuousClock(),
            metricsFactory: metricsFactory,
            logger: logger,
            mediaArchiver: archive,
            healthObserver: { [health] pipelineHealth in
                health.update { $0.haltingCode = pipelineHealth.isHalted ? (pipelineHealth.haltingCode ?? "unknown") : nil }
            }
        )
        // The moment the group takes partitions away, this member stops spending their share of
        // the budget: before the rebalance completes, not when the pipeline hears of it.
        let inputTopic = configuration.inputTopic
        let budget = pipeline.groupBudget
        consumer.observeRevocations { revoked in
            budget.partitionsRevoked(revoked.filter { $0.topic == inputTopic }.map(\.partition))
        }
        // Coordination records go through a producer of their own: one that gives a record up after
        // three epochs (a late record counts for nobody) and never waits behind a burst of outputs.
        let budgetProducer = try configuration.coordinationTopic.map { _ throws(KafkaError) in
            try KafkaProducer(configuration: budgetProducerConfiguration(), logger: logger)
        }
        let coordinator = BudgetCoordinator(
            topic: budgetProducer == nil ? nil : configuration.coordinationTopic,
            group: configuration.group,
            member: memberID,
            pipeline: pipeline,
            producer: budgetProducer,
            readerConfiguration: budgetReaderConfiguration(),
            adminConfiguration: KafkaAdminConfiguration(
                bootstrapServers: configuration.brokers,
                requestTimeout: .seconds(15),
                properties: configuration.kafkaProperties
            ),
            metricsFactory: metricsFactory,
            logger: logger
        )
        let fatal = FatalErrorBox()
        try consumer.subscribe(topics: [configuration.inputTopic])
        health.update { $0.isLoopRunning = true }
        logger.info(
            "faceid-enricher started",
            metadata: [
                "kafka.group": "\(configuration.group)",
                "kafka.topic": "\(configuration.inputTopic)",
                "tencentcloud.action": "\(faceID.action.rawValue)",
                "faceid.rate_limit": "\(configuration.rateLimit)",
                "rate.coordination_topic": "\(configuration.coordinationTopic ?? "off")",
            ]
        )

        let input = ConsumerPipelineInput(
            events: consumer.events,
            health: health,
            logger: logger,
            onFatal: { error in
                fatal.set(error)
                pipeline.shutdown()
            }
        )
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await coordinator.run() }
                group.addTask {
                    await StatusReporter(
                        consumer: consumer,
                        health: health,
                        metricsFactory: metricsFactory,
                        logger: logger,
                        membership: unassignedWatchConfiguration()
                    ).run()
                }
                if releasesStartupPages {
                    group.addTask { await StartupPages.releasePeriodically(health: health, logger: logger) }
                }
                await pipeline.run(input: input)
                group.cancelAll()
            }
        } onGracefulShutdown: {
            logger.info("shutdown requested: draining")
            health.update { $0.isDraining = true }
            pipeline.shutdown()
        }

        await consumer.close()
        await budgetProducer?.shutdown(timeout: .seconds(1))
        await producer.shutdown(timeout: .seconds(10))
        await client.shutdown()
        await archive?.shutdown()
        health.update { $0.isLoopRunning = false }
        onFinished(pipeline.statistics)
        logger.info("faceid-enricher stopped")
        if let error = fatal.error {
            throw error
        }
    }

    /// The media archive, when one is configured.
    func makeMediaArchive() throws -> MediaArchiveService? {
        guard let mediaArchive else { return nil }
        do {
            let archive = try MediaArchiveService(configuration: mediaArchive, metricsFactory: metricsFactory, logger: logger)
            logger.info(
                "Media archive on",
                metadata: ["media.store": "\(mediaArchive.storeDescription)", "media.concurrency": "\(mediaArchive.concurrency)"]
            )
            return archive
        } catch {
            throw ConfigurationError(error.message)
        }
    }

    /// The group, input topic and the bound past which a member without partitions says so, from the session
    /// timeout the consumer really runs with (a `-X session.timeout.ms` pass-through wins, as in librdkafka).
    func unassignedWatchConfiguration() -> UnassignedWatch.Configuration {
        let passedThrough = configuration.kafkaProperties.last { $0.key == "session.timeout.ms" }
            .flatMap { Int($0.value) }
        let sessionTimeout = passedThrough.map { Duration.milliseconds($0) } ?? timing.sessionTimeout
        return UnassignedWatch.Configuration(
            group: configuration.group,
            topic: configuration.inputTopic,
            bound: UnassignedWatch.bound(sessionTimeout: sessionTimeout)
        )
    }

    func pipelineConfiguration() -> PipelineConfiguration {
        var retry = retryPolicy ?? RetryPolicy()
        if retryPolicy == nil {
            retry.maxElapsed = configuration.retryMaxElapsed
            retry.pendingMaxElapsed = configuration.retryMaxElapsed
        }
        return PipelineConfiguration(
            outputTopic: configuration.outputTopic,
            deadLetterTopic: configuration.dlqTopic,
            defaultRegion: faceID.defaultRegion.rawValue,
            maxInFlight: configuration.maxInFlight,
            rateLimit: RateLimiterConfiguration(groupBudget: configuration.rateLimit),
            coordination: configuration.coordinationTopic.map { _ in
                BudgetCoordination(member: memberID, group: configuration.group, inputTopic: configuration.inputTopic)
            },
            retry: retry,
            drainTimeout: configuration.drainTimeout,
            keepsMediaBase64: configuration.keepMediaBase64
        )
    }

    /// The coordination topic's writer: no lingering, a small queue, and records given up after three
    /// epochs.
    func budgetProducerConfiguration() -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(
            bootstrapServers: configuration.brokers,
            clientID: "faceid-enricher-budget",
            linger: .zero,
            messageTimeout: .milliseconds(1500),
            maxQueuedMessages: 64,
            properties: configuration.kafkaProperties
        )
    }

    /// The coordination topic's reader: no group membership (it assigns the partition itself, at
    /// this member's first record) and a small prefetch. A fetch returns as soon as a record arrives;
    /// the 100 ms wait only bounds how often an idle reader asks (ten times a second), well inside the
    /// half epoch a view has to arrive in. The user's `-X` properties (SASL, TLS) apply as well.
    func budgetReaderConfiguration() -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            bootstrapServers: configuration.brokers,
            groupID: configuration.group + ".rate-budget-reader",
            clientID: "faceid-enricher-budget",
            autoOffsetReset: .earliest,
            statisticsInterval: .zero,
            fetchMaxWait: .milliseconds(100),
            maxBufferedMessages: 1000,
            properties: [("queued.max.messages.kbytes", "1024"), ("fetch.min.bytes", "1")] + configuration.kafkaProperties
        )
    }
}
