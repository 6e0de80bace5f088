import KafkaClient
import Logging
import Testing
import TestSupport

extension KafkaClientSuite {
    @Suite("Admin")
    struct AdminTests {
        /// Real brokers only: librdkafka's mock cluster (2.0.2 and 2.16) reports no controller, so CreateTopics
        /// times out there; mock topics are made with `MockKafkaCluster.createTopic`.
        @Test(
            "createTopics creates missing topics with their partition counts and accepts existing ones",
            .enabled(if: KafkaTestBackend.enabled.contains(.tansu), "needs a real broker")
        )
        func createTopicsIsIdempotent() async throws {
            try await KafkaTestBackend.tansu.withCluster { cluster in
                let first = KafkaTestCluster.uniqueName("admin-a")
                let second = KafkaTestCluster.uniqueName("admin-b")
                let configuration = cluster.adminConfiguration()
                try await KafkaAdmin.createTopics(
                    [(name: first, partitions: 3), (name: second, partitions: 1)],
                    configuration: configuration,
                    logger: cluster.logger
                )
                // Again: TOPIC_ALREADY_EXISTS is success.
                try await KafkaAdmin.createTopics([(name: first, partitions: 3)], configuration: configuration, logger: cluster.logger)
                let metadata = try await KafkaAdmin.clusterMetadata(configuration: configuration, logger: cluster.logger)
                #expect(metadata.topics[first] == 3)
                #expect(metadata.topics[second] == 1)
                #expect(!metadata.brokers.isEmpty)
            }
        }

        @Test("an unreachable cluster is reported as a typed error, not a hang")
        func unreachableClusterIsAnError() async throws {
            let configuration = KafkaAdminConfiguration(bootstrapServers: "127.0.0.1:1", requestTimeout: .milliseconds(500))
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            let error = await #expect(throws: KafkaError.self) {
                _ = try await KafkaAdmin.clusterMetadata(configuration: configuration, logger: logger)
            }
            #expect(error?.isRetriable == true)
        }
    }
}
