#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import KafkaClient
public import Logging

/// A cluster a test may use: where to connect, how to create topics, and (on the mock) fault controls. Also
/// builds client configurations with the rig's short group timeouts, so group joins take seconds, not a minute.
public final class KafkaTestCluster: Sendable {
    /// Which backend this is.
    public let backend: KafkaTestBackend
    /// `bootstrap.servers` for clients.
    public let bootstrapServers: String
    /// The mock cluster's fault controls (broker down/up, injected request errors); `nil` on Tansu.
    public let mock: MockKafkaCluster?
    /// The logger the rig's clients use (level from `FACEID_TEST_LOG_LEVEL`, default `critical`; to stderr).
    public let logger: Logger

    init(backend: KafkaTestBackend, bootstrapServers: String, mock: MockKafkaCluster?, logger: Logger) {
        self.backend = backend
        self.bootstrapServers = bootstrapServers
        self.mock = mock
        self.logger = logger
    }

    /// Creates a topic: directly in the mock cluster, or with `KafkaAdmin.createTopics` on a real broker.
    public func createTopic(_ name: String, partitions: Int32) async throws {
        if let mock {
            try mock.createTopic(name, partitions: partitions)
        } else {
            try await KafkaAdmin.createTopics(
                [(name: name, partitions: partitions)],
                configuration: adminConfiguration(),
                logger: logger
            )
        }
    }

    /// Creates a topic unless it exists already (a group's coordination topic, shared by the fleets of a test).
    public func createTopicIfMissing(_ name: String, partitions: Int32) async throws {
        do {
            try await createTopic(name, partitions: partitions)
        } catch let error as KafkaError where error.code == .topicAlreadyExists {
            return
        }
    }

    /// An admin configuration for this cluster.
    public func adminConfiguration() -> KafkaAdminConfiguration {
        KafkaAdminConfiguration(bootstrapServers: bootstrapServers, requestTimeout: .seconds(10))
    }

    /// A producer configuration for this cluster.
    public func producerConfiguration() -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(bootstrapServers: bootstrapServers, messageTimeout: .seconds(60))
    }

    /// A consumer configuration with the rig's short timeouts (`session.timeout.ms=6000`,
    /// `heartbeat.interval.ms=500`, `max.poll.interval.ms=7000`) and statistics every 500 ms.
    public func consumerConfiguration(
        group: String,
        assignmentStrategy: KafkaConsumerConfiguration.AssignmentStrategy = .rangeRoundRobin
    ) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(
            bootstrapServers: bootstrapServers,
            groupID: group,
            assignmentStrategy: assignmentStrategy,
            sessionTimeout: .milliseconds(6000),
            heartbeatInterval: .milliseconds(500),
            maxPollInterval: .milliseconds(7000),
            statisticsInterval: .milliseconds(500),
            fetchMaxWait: .milliseconds(100)
        )
    }

    /// A name no other test uses (`prefix-<pid>-<random>`), for topics and groups.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(getpid())-\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000)"
    }

    /// The rig's logger: stderr, level from `FACEID_TEST_LOG_LEVEL` (default `critical`, i.e. quiet).
    static func makeLogger() -> Logger {
        var logger = Logger(label: "kafka.test", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = ChildProcess.environment("FACEID_TEST_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }
}
