import ArgumentParser
import Enricher
import Foundation
import KafkaClient
import Logging
import MediaArchive
import Metrics
import Prometheus
import ServiceLifecycle
import TencentCloud

/// `faceid-enricher run`: the service. Consumes, fetches, publishes, commits; serves
/// `/metrics`, `/healthz`, `/readyz`; drains on SIGTERM/SIGINT and exits 0.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the enrichment service: consume, fetch, publish, commit; /metrics, /healthz, /readyz over HTTP."
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var faceID: FaceIDOptions

    @Option(help: "Requests per second for the whole consumer group (env FACEID_RATE_LIMIT, default 20).")
    var rateLimit: String?

    @Option(help: "Events being processed at once in this instance (env MAX_IN_FLIGHT, default 64).")
    var maxInFlight: String?

    @Option(help: "How long one event may be retried before it goes to the DLQ (env RETRY_MAX_ELAPSED, default 10m).")
    var retryMaxElapsed: String?

    @Option(help: "Port of /metrics, /healthz, /readyz (env HTTP_PORT, default 8080).")
    var httpPort: String?

    @Option(help: "Address of the HTTP endpoints (env HTTP_HOST, default 0.0.0.0; 127.0.0.1 keeps them local).")
    var httpHost: String?

    @Option(help: "text or json (env LOG_FORMAT; default text on a terminal, else json).")
    var logFormat: String?

    @Flag(help: "Keep the Intl action's BestFrameBase64/VideoBase64 in output events instead of {bytes, md5}.")
    var keepMediaBase64 = false

    @Option(help: "on or off: share the group's budget by demand through the coordination topic (env RATE_COORDINATION, default on).")
    var rateCoordination: String?

    @Option(help: "The group's coordination topic (env COORDINATION_TOPIC, default <group>.rate-budget; created when missing).")
    var coordinationTopic: String?
    @Option(help: "Archive each result's image and video, MD5-verified: s3://BUCKET/PREFIX or file:///DIR (env MEDIA_ARCHIVE; off by default).")
    var mediaArchive: String?

    @Option(help: "S3-compatible endpoint, e.g. https://cos.ap-singapore.myqcloud.com (env S3_ENDPOINT; default AWS's).")
    var s3Endpoint: String?

    @Option(help: "auto, path or virtual (env S3_ADDRESSING, default auto: virtual-hosted on AWS and COS, path-style elsewhere).")
    var s3Addressing: String?

    @Option(help: "Media archives in flight in this instance (env MEDIA_CONCURRENCY, default 16).")
    var mediaConcurrency: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // Before any thread of the service exists (see MallocArenas for why two).
        MallocArenas.limit(environment: environment)
        var options = kafka.runOptions
        options.rateLimit = rateLimit
        options.maxInFlight = maxInFlight
        options.retryMaxElapsed = retryMaxElapsed
        options.httpPort = httpPort
        options.httpHost = httpHost
        options.logFormat = logFormat
        options.keepMediaBase64 = keepMediaBase64
        options.rateCoordination = rateCoordination
        options.coordinationTopic = coordinationTopic
        options.mediaArchive = mediaArchive
        options.s3Endpoint = s3Endpoint
        options.s3Addressing = s3Addressing
        options.mediaConcurrency = mediaConcurrency

        let configuration: EnricherConfiguration
        let clientConfiguration: FaceIDClientConfiguration
        let mediaArchiveConfiguration: MediaArchiveConfiguration?
        do {
            configuration = try EnricherConfiguration.resolve(
                options,
                environment: environment,
                standardErrorIsTerminal: StandardError.isTerminal
            )
            clientConfiguration = try faceID.clientConfiguration(environment: environment)
            mediaArchiveConfiguration = try MediaArchiveConfiguration.resolve(
                options,
                environment: environment,
                faceIDEndpoint: clientConfiguration.endpoint
            )
        } catch let error as ConfigurationError {
            CommandLine.fail(error.message, code: 2)
        } catch let error as TencentCloudConfigurationError {
            CommandLine.fail(error.message, code: 2)
        } catch {
            CommandLine.fail("\(error)", code: 2)
        }

        LoggingSetup.bootstrap(format: configuration.logFormat, environment: environment)
        let logger = Logger(label: "faceid-enricher")
        let registry = PrometheusCollectorRegistry()
        let metricsFactory = OperationsMetrics.makeFactory(registry: registry)
        MetricsSystem.bootstrap(metricsFactory)

        // librdkafka retries unreachable brokers forever; an operator starting the service wants
        // to hear at once that the address or a -X property is wrong — in one line, so the
        // probe's own librdkafka log lines are kept quiet.
        var quiet = Logger(label: "faceid-enricher.preflight")
        quiet.logLevel = .critical
        do {
            let metadata = try await KafkaAdmin.clusterMetadata(
                configuration: KafkaAdminConfiguration(
                    bootstrapServers: configuration.brokers,
                    requestTimeout: .seconds(15),
                    properties: configuration.kafkaProperties
                ),
                logger: quiet
            )
            if metadata.topics[configuration.inputTopic] == nil {
                logger.warning(
                    "the input topic does not exist yet; waiting for it",
                    metadata: ["kafka.topic": "\(configuration.inputTopic)"]
                )
            }
        } catch where error.code == .invalidArgument {
            CommandLine.fail("invalid Kafka configuration: \(error.message)", code: 2)
        } catch {
            CommandLine.fail("cannot reach Kafka at \(configuration.brokers): \(error.message)", code: 1)
        }

        let health = ServiceHealth()
        let service = EnrichmentService(
            configuration: configuration,
            faceID: clientConfiguration,
            health: health,
            mediaArchive: mediaArchiveConfiguration,
            metricsFactory: metricsFactory,
            logger: logger,
            memberPrefix: ProcessInfo.processInfo.hostName
        )
        let server = OperationsServer.makeApplication(
            host: configuration.httpHost,
            port: configuration.httpPort,
            registry: registry,
            health: health,
            logger: logger
        )
        // Graceful shutdown runs in reverse order: the service drains first, then the HTTP
        // server stops, so /readyz answers 503 throughout the drain.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: server), .init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            logger.error("stopped by an error", metadata: ["error": "\(error)"])
            CommandLine.fail("\(error)", code: 1)
        }
    }
}

extension KafkaOptions {
    /// The Kafka flags as the Enricher module's `RunOptions`.
    var runOptions: RunOptions {
        var options = RunOptions()
        options.brokers = brokers
        options.group = group
        options.inputTopic = inputTopic
        options.outputTopic = outputTopic
        options.dlqTopic = dlqTopic
        options.kafkaProperties = kafkaProperties
        return options
    }
}

extension CommandLine {
    /// Prints one line on stderr and exits: the contract's "one clear line, never a stack trace".
    static func fail(_ message: String, code: Int32) -> Never {
        StandardError.write("faceid-enricher: \(message)\n")
        exit(code)
    }
}
