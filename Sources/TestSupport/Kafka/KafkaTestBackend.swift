import KafkaClient
import Logging

/// Where a Kafka test runs: librdkafka's in-process mock cluster, or a real broker (Tansu).
///
/// Tests are parameterized over `KafkaTestBackend.enabled`, read from `FACEID_KAFKA_TEST_BACKENDS`
/// (comma-separated `mock`, `tansu`; default `mock`). CI runs the suite once on the mock with Debian's
/// librdkafka and once on Tansu with librdkafka 2.16. Fault-injection tests need `.mock`.
public enum KafkaTestBackend: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// librdkafka's in-process mock cluster.
    case mock
    /// A Tansu broker process on loopback.
    case tansu

    /// The backends enabled for this test run.
    public static var enabled: [KafkaTestBackend] {
        guard let value = ChildProcess.environment("FACEID_KAFKA_TEST_BACKENDS") else { return [.mock] }
        let names = value.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
        return KafkaTestBackend.allCases.filter { names.contains($0.rawValue) }
    }

    /// Whether the mock cluster is among the enabled backends (gate for fault-injection tests).
    public static var isMockEnabled: Bool { enabled.contains(.mock) }

    /// The backend's name, as in `FACEID_KAFKA_TEST_BACKENDS`.
    public var description: String { rawValue }

    /// Gives `body` a fresh cluster of this backend and tears it down afterwards, even when `body` throws.
    /// `mockBrokers` sets the mock cluster's size (ignored for Tansu, which is one broker).
    public func withCluster<T>(
        mockBrokers: Int = 3,
        _ body: (KafkaTestCluster) async throws -> T
    ) async throws -> T {
        let logger = KafkaTestCluster.makeLogger()
        switch self {
        case .mock:
            let mock = try MockKafkaCluster(brokers: mockBrokers, logger: logger)
            let cluster = KafkaTestCluster(backend: self, bootstrapServers: mock.bootstrapServers, mock: mock, logger: logger)
            return try await body(cluster)
        case .tansu:
            return try await withTansu { broker in
                let cluster = KafkaTestCluster(backend: self, bootstrapServers: broker.bootstrapServers, mock: nil, logger: logger)
                return try await body(cluster)
            }
        }
    }
}

private extension Substring {
    func trimmingCharacters(in characters: String) -> String {
        String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
