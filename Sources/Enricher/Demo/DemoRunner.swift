import EnricherJSON
import Foundation
import KafkaClient
import MediaArchive
public import Logging
import Metrics
public import Pipeline
import ServiceLifecycle
import Simulator
import Synchronization
import TencentCloud

/// `faceid-enricher demo`: the whole product in one process with nothing outside it — a
/// librdkafka mock cluster, the FaceID simulator (at the real 20 requests/second, with some
/// injected `ResourceUnavailable` and corrupt media downloads), sample events of every outcome
/// plus malformed ones, and the real service (consumer group, limiter, retries, producer,
/// commits, media archive into a temporary directory) running over them.
///
/// It watches the output and dead-letter topics like a downstream consumer would, shows
/// progress, returns what it saw (``Report/rendered()`` lists every enriched event and a
/// summary), and stops the
/// service with the same graceful drain SIGTERM triggers.
public struct DemoRunner: Sendable {
    public var eventCount: Int
    public var malformedCount: Int
    public var rateLimit: Int
    public var faultProbability: Double
    /// Whether the archived media directory is left in place after the demo.
    public var keepsMedia: Bool
    /// Where progress lines go (stderr in the command).
    public var progress: @Sendable (String) -> Void
    public var logger: Logger

    public init(
        eventCount: Int = 200,
        malformedCount: Int = 6,
        rateLimit: Int = 20,
        faultProbability: Double = 0.08,
        keepsMedia: Bool = false,
        progress: @escaping @Sendable (String) -> Void,
        logger: Logger
    ) {
        self.eventCount = eventCount
        self.malformedCount = malformedCount
        self.rateLimit = rateLimit
        self.faultProbability = faultProbability
        self.keepsMedia = keepsMedia
        self.progress = progress
        self.logger = logger
    }

    /// Why the demo could not complete.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What the demo saw, for the summary and for tests.
    public struct Report: Sendable {
        public var outputs: [DemoObservedEvent] = []
        public var deadLetters: [DemoObservedEvent] = []
        public var expectedEvents = 0
        public var expectedDeadLetters = 0
        public var apiCalls = 0
        public var rateLimitedAnswers = 0
        /// The most calls the simulator accepted within one wall-clock second.
        public var peakCallsPerSecond = 0
        public var statistics = PipelineStatistics()
        public var elapsed: Duration = .zero
        /// From the first progress tick that saw API calls to the last output.
        public var measuredWindow: Duration = .zero
        /// API calls made within ``measuredWindow``.
        public var callsInWindow = 0
        /// The media archive read back after the run.
        public var media: MediaCheck?

        /// Every good event has its output and every malformed one is in the DLQ.
        public var isComplete: Bool {
            Set(outputs.map(\.eventId)).count == expectedEvents && deadLetters.count >= expectedDeadLetters
        }
    }

    /// Runs the demo to completion (or `timeout`) and returns what it observed.
    public func run(timeout: Duration = .seconds(120)) async throws -> Report {
        let started = ContinuousClock.now
        let scenario = DemoScenario(count: eventCount, malformedCount: malformedCount)
        let defaults = EnricherConfiguration.defaults
        let topics = (input: defaults.inputTopic, output: defaults.outputTopic, dlq: defaults.dlqTopic)
        let cluster = try MockKafkaCluster(brokers: 3, logger: logger)
        try cluster.createTopic(topics.input, partitions: 6)
        try cluster.createTopic(topics.output, partitions: 6)
        try cluster.createTopic(topics.dlq, partitions: 3)
        let demoGroup = "faceid-enricher-demo"
        // The mock cluster creates no topics through the admin API: the coordination topic is made here.
        try cluster.createTopic(EnricherConfiguration.defaultCoordinationTopic(group: demoGroup), partitions: 1)
        progress("mock Kafka cluster up: 3 brokers at \(cluster.bootstrapServers)")

        let secret = SimulatorSecret(secretID: "AKIDdemo\(UInt32.random(in: 0...UInt32.max))", secretKey: Self.randomKey())
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.host = "127.0.0.1"
        simulatorConfiguration.port = 0
        simulatorConfiguration.secrets = [secret]
        simulatorConfiguration.rateLimit = rateLimit
        simulatorConfiguration.latency = .milliseconds(40)
        simulatorConfiguration.jitter = .milliseconds(20)
        // Some media downloads arrive corrupt too: the archive retries them until the MD5 matches.
        simulatorConfiguration.faults = [.resourceUnavailable: faultProbability, .mediaCorrupt: faultProbability / 2]
        let simulator = FaceIDSimulator(configuration: simulatorConfiguration, logger: logger)
        let mediaDirectory = try Self.makeMediaDirectory()
        defer { if !keepsMedia { try? FileManager.default.removeItem(atPath: mediaDirectory) } }

        let (finished, finishedContinuation) = AsyncStream<PipelineStatistics>.makeStream()
        // The simulator and the service each run in a ServiceGroup of their own: the service
        // needs the simulator's port before it can be configured. Shutdown is ordered by hand:
        // the service drains first (its statistics arrive when it is done), then the simulator.
        let simulatorGroup = ServiceGroup(configuration: .init(services: [simulator], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            group.addTask { try await simulatorGroup.run() }
            let port = try await simulator.waitUntilRunning()
            progress("media archive: \(mediaDirectory) (\(keepsMedia ? "kept" : "removed") at the end)")
            progress("FaceID simulator up at http://127.0.0.1:\(port)/ (rate limit \(rateLimit)/s, \(Int(faultProbability * 100))% ResourceUnavailable)")

            try await produce(scenario, to: topics.input, bootstrap: cluster.bootstrapServers)
            progress("produced \(scenario.events.count) events (\(malformedCount) malformed) to \(topics.input)")

            var configuration = EnricherConfiguration.defaults
            configuration.brokers = cluster.bootstrapServers
            configuration.group = demoGroup
            configuration.coordinationTopic = EnricherConfiguration.defaultCoordinationTopic(group: demoGroup)
            configuration.rateLimit = Double(rateLimit)
            configuration.retryMaxElapsed = .seconds(20)
            configuration.drainTimeout = .seconds(5)
            let endpoint = try TencentCloudEndpoint(parsing: "http://127.0.0.1:\(port)")
            let faceID = FaceIDClientConfiguration(
                endpoint: endpoint,
                credentials: TencentCloudCredentials(secretID: secret.secretID, secretKey: secret.secretKey),
                requestTimeout: .seconds(5)
            )
            // The person behind a pending token is re-asked after 1-3 s rather than the
            // production 5-60 s, and gives up after 15 s, so the demo shows `incomplete` quickly.
            let retry = RetryPolicy(
                maxElapsed: .seconds(20),
                pendingInitialDelay: .seconds(1),
                pendingMaximumDelay: .seconds(3),
                pendingMaxElapsed: .seconds(15)
            )
            let service = EnrichmentService(
                configuration: configuration,
                faceID: faceID,
                timing: .fast,
                retryPolicy: retry,
                // The simulator serves its media over http, so http media URLs are allowed here.
                mediaArchive: MediaArchiveConfiguration(store: .file(directory: mediaDirectory), allowsPlainHTTPMediaURLs: true),
                metricsFactory: NOOPMetricsHandler.instance,
                logger: logger,
                onFinished: { final in
                    finishedContinuation.yield(final)
                    finishedContinuation.finish()
                }
            )
            let serviceGroup = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
            group.addTask { try await serviceGroup.run() }

            var report = try await observe(
                scenario: scenario,
                topics: topics,
                bootstrap: cluster.bootstrapServers,
                simulator: simulator,
                deadline: started + timeout
            )
            await serviceGroup.triggerGracefulShutdown()
            for await statistics in finished { report.statistics = statistics }
            await simulatorGroup.triggerGracefulShutdown()
            report.elapsed = ContinuousClock.now - started
            let counters = simulator.counters
            report.apiCalls = counters.totalRequests
            report.rateLimitedAnswers = counters.rateLimited
            report.peakCallsPerSecond = counters.peakAcceptedPerSecond
            report.media = Self.checkMedia(of: report.outputs, in: mediaDirectory)
            try await group.waitForAll()
            return report
        }
    }

    static func randomKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    func produce(_ scenario: DemoScenario, to topic: String, bootstrap: String) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: bootstrap, clientID: "demo-producer"), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for event in scenario.events {
                group.addTask {
                    _ = try await producer.send(
                        topic: topic,
                        key: event.key,
                        value: event.value,
                        headers: [KafkaHeader(key: "source", string: "faceid-enricher-demo")]
                    )
                }
            }
            try await group.waitForAll()
        }
        await producer.shutdown(timeout: .seconds(5))
    }
}
