import KafkaClient
import Testing
import TestSupport

extension KafkaClientSuite {
    @Suite("Cluster metadata through a consumer")
    struct ConsumerMetadataTests {
        @Test(
            "a consumer reads brokers and partition counts over its own connection, before it joins a group",
            arguments: KafkaTestBackend.enabled
        )
        func partitionCountsThroughTheConsumer(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("metadata")
                try await cluster.createTopic(topic, partitions: 3)
                let consumer = try KafkaConsumer(
                    configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("metadata")),
                    logger: cluster.logger
                )
                let metadata = try await consumer.clusterMetadata(timeout: .seconds(10))
                #expect(metadata.topics[topic] == 3)
                #expect(!metadata.brokers.isEmpty)
                await consumer.close()
            }
        }
    }
}
