import CurlHTTP
import Enricher
import Foundation
import KafkaClient
import Logging
import MediaArchive
import Pipeline
import Prometheus
import ServiceLifecycle
import Simulator
import Synchronization
import TencentCloud
import TestSupport

/// One `faceid-enricher run` in-process, wired as the executable wires it: the service, and the
/// operations server on 127.0.0.1 (port 0) rendering the same Prometheus registry the service's
/// metrics factory writes to. Tests scrape it over real HTTP.
struct EnricherUnderTest: Sendable {
    let topics: OperabilityTopics
    let health: ServiceHealth
    let port: Int
    let http: CurlHTTPClient

    /// `GET path` on the operations server: status and body text.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        let response = try await http.execute(
            HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)\(path)", timeout: .seconds(5))
        )
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// A parsed `/metrics` scrape.
    func scrape() async throws -> PrometheusScrape {
        let (status, body) = try await get("/metrics")
        guard status == 200 else { throw HarnessError("/metrics answered \(status)") }
        return PrometheusScrape(parsing: body)
    }
}

/// The topics and group of one test run; unique names so tests never share state.
struct OperabilityTopics: Sendable {
    let input: String
    let output: String
    let dlq: String
    let group: String

    init(_ prefix: String) {
        input = KafkaTestCluster.uniqueName("\(prefix)-in")
        output = KafkaTestCluster.uniqueName("\(prefix)-out")
        dlq = KafkaTestCluster.uniqueName("\(prefix)-dlq")
        group = KafkaTestCluster.uniqueName("\(prefix)-group")
    }

    /// The group's rate coordination topic, under its default name.
    var coordination: String { EnricherConfiguration.defaultCoordinationTopic(group: group) }

    /// Creates the three topics (input with `partitions`, the others with 1) and the coordination
    /// topic, as an operator would (the mock cluster cannot create it through the admin API).
    func create(on cluster: KafkaTestCluster, partitions: Int32) async throws {
        try await cluster.createTopic(input, partitions: partitions)
        try await cluster.createTopic(output, partitions: 1)
        try await cluster.createTopic(dlq, partitions: 1)
        try await cluster.createTopic(coordination, partitions: 1)
    }

    /// The service configuration for these topics on `cluster`.
    func configuration(on cluster: KafkaTestCluster, group: String? = nil) -> EnricherConfiguration {
        var c = EnricherConfiguration.defaults
        c.brokers = cluster.bootstrapServers
        c.group = group ?? self.group
        c.coordinationTopic = EnricherConfiguration.defaultCoordinationTopic(group: c.group)
        c.inputTopic = input
        c.outputTopic = output
        c.dlqTopic = dlq
        c.rateLimit = 50
        c.maxInFlight = 16
        c.retryMaxElapsed = .seconds(2)
        c.httpPort = 0
        c.drainTimeout = .seconds(2)
        c.kafkaProperties = [(key: "fetch.wait.max.ms", value: "100")]
        return c
    }
}

/// A test failure of the harness itself (something did not come up in time).
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The account the tests' simulator accepts.
enum OperabilityAccount {
    static let secretID = "AKIDopsintTestAccount0001"
    static let secretKey = "opsint-secret-key-Zq8xWv3T"
    static let sessionToken = "opsint-session-token-Pp4kLm9R"
    static let wrongKey = "opsint-wrong-key-Hh2bNc7Y"

    static var simulatorSecrets: [SimulatorSecret] { [SimulatorSecret(secretID: secretID, secretKey: secretKey)] }

    static func credentials(secretKey: String = secretKey) -> TencentCloudCredentials {
        TencentCloudCredentials(secretID: secretID, secretKey: secretKey, sessionToken: sessionToken)
    }
}

/// Short schedules so that a test sees every retry path within seconds.
enum OperabilityTiming {
    static var retryPolicy: RetryPolicy {
        RetryPolicy(
            base: .milliseconds(50),
            cap: .milliseconds(200),
            maxElapsed: .seconds(2),
            pendingInitialDelay: .milliseconds(200),
            pendingMaximumDelay: .milliseconds(400),
            pendingMaxElapsed: .seconds(2),
            haltingInitialDelay: .milliseconds(300),
            haltingMaximumDelay: .seconds(1)
        )
    }
}

/// Runs the enricher over `topics` against `simulator` for the duration of `body`, then drains it.
///
/// The operations server starts first; `beforeService` runs while it is up and the service is not
/// (the state of a pod that has not joined its group), then the service starts. Both stop when
/// `body` returns or throws, the service first, as in the executable.
func withEnricher<T: Sendable>(
    cluster: KafkaTestCluster,
    simulator: FaceIDSimulator,
    topics: OperabilityTopics,
    group: String? = nil,
    action: FaceIDAction = .getWebVerificationResult,
    secretKey: String = OperabilityAccount.secretKey,
    mediaArchive: MediaArchiveConfiguration? = nil,
    logger: Logger = quietLogger(),
    beforeService: (EnricherUnderTest) async throws -> Void = { _ in },
    _ body: (EnricherUnderTest) async throws -> T
) async throws -> T {
    let registry = PrometheusCollectorRegistry()
    let factory = OperationsMetrics.makeFactory(registry: registry)
    let health = ServiceHealth()
    let portBox = PortBox()
    let server = OperationsServer.makeApplication(
        host: "127.0.0.1",
        port: 0,
        registry: registry,
        health: health,
        logger: quietLogger(),
        onRunning: { portBox.set($0) }
    )
    guard let baseURL = simulator.baseURL else { throw HarnessError("the simulator is not listening") }
    let faceID = FaceIDClientConfiguration(
        endpoint: try TencentCloudEndpoint(parsing: baseURL),
        action: action,
        credentials: OperabilityAccount.credentials(secretKey: secretKey),
        requestTimeout: .seconds(5)
    )
    let service = EnrichmentService(
        configuration: topics.configuration(on: cluster, group: group),
        faceID: faceID,
        timing: .fast,
        retryPolicy: OperabilityTiming.retryPolicy,
        health: health,
        mediaArchive: mediaArchive,
        metricsFactory: factory,
        logger: logger
    )
    let serverGroup = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: quietLogger()))
    let serviceGroup = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: quietLogger()))
    let http = try CurlHTTPClient()

    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        group.addTask { try await serverGroup.run() }
        var isServiceStarted = false
        let outcome: Result<T, any Error>
        do {
            guard await Poll.until(timeout: .seconds(10), { portBox.port != nil }), let port = portBox.port else {
                throw HarnessError("the operations server did not start")
            }
            let running = EnricherUnderTest(topics: topics, health: health, port: port, http: http)
            try await beforeService(running)
            group.addTask { try await serviceGroup.run() }
            isServiceStarted = true
            outcome = .success(try await body(running))
        } catch {
            outcome = .failure(error)
        }
        // The service drains first while the operations server still answers, as in the executable.
        if isServiceStarted {
            await serviceGroup.triggerGracefulShutdown()
            _ = await Poll.until(timeout: .seconds(30)) { !health.current.isLoopRunning }
        }
        await serverGroup.triggerGracefulShutdown()
        let stopped: Result<Void, any Error>
        do {
            try await group.waitForAll()
            stopped = .success(())
        } catch {
            stopped = .failure(error)
        }
        await http.shutdown()
        let value = try outcome.get()
        try stopped.get()
        return value
    }
}

/// Where the operations server reports its bound port.
final class PortBox: Sendable {
    private let value = Mutex<Int?>(nil)
    func set(_ port: Int) { value.withLock { $0 = port } }
    var port: Int? { value.withLock { $0 } }
}

/// A logger for the parts of a test whose lines nobody reads.
func quietLogger() -> Logger {
    var logger = Logger(label: "opsint.test") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .critical
    return logger
}
