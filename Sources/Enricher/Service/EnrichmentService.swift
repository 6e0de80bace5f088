import KafkaClient
public import Logging
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
    public var metricsFactory: any MetricsFactory
    public var logger: Logger
    /// Receives the running pipeline's totals once it stopped (the demo prints them).
    public var onFinished: @Sendable (PipelineStatistics) -> Void

    public init(
        configuration: EnricherConfiguration,
        faceID: FaceIDClientConfiguration,
        timing: GroupTiming = GroupTiming(),
        retryPolicy: RetryPolicy? = nil,
        health: ServiceHealth = ServiceHealth(),
        metricsFactory: any MetricsFactory,
        logger: Logger,
        onFinished: @escaping @Sendable (PipelineStatistics) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.faceID = faceID
        self.timing = timing
        self.retryPolicy = retryPolicy
        self.health = health
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
            healthObserver: { [health] pipelineHealth in
                health.update { $0.haltingCode = pipelineHealth.isHalted ? (pipelineHealth.haltingCode ?? "unknown") : nil }
            }
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
                group.addTask {
                    await StatusReporter(
                        consumer: consumer,
                        health: health,
                        metricsFactory: metricsFactory,
                        logger: logger,
                        membership: unassignedWatchConfiguration()
                    ).run()
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
        await producer.shutdown(timeout: .seconds(10))
        await client.shutdown()
        health.update { $0.isLoopRunning = false }
        onFinished(pipeline.statistics)
        logger.info("faceid-enricher stopped")
        if let error = fatal.error {
            throw error
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
            retry: retry,
            drainTimeout: configuration.drainTimeout,
            keepsMediaBase64: configuration.keepMediaBase64
        )
    }
}
