import KafkaClient
import Logging
import Testing
import TestSupport

extension KafkaClientSuite {
    @Suite("Lag")
    struct LagTests {
        @Test("lag per partition equals the high watermark minus the committed offset", arguments: KafkaTestBackend.enabled)
        func lagIsHighWatermarkMinusCommitted(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("lag")
                try await cluster.createTopic(topic, partitions: 2)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                let reports = try await produce(producer, topic: topic, count: 200) { (bytes("k\($0)"), bytes("v"), []) }
                let consumer = try KafkaConsumer(
                    configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("lag")),
                    logger: cluster.logger
                )
                try consumer.subscribe(topics: [topic])
                try await withRecordedConsumer(consumer) { recorder in
                    try #require(await recorder.waitUntil(timeout: .seconds(60)) { $0.messages.count >= 200 })
                    // Commit a little over half of each partition.
                    var toCommit: [TopicPartition: Int64] = [:]
                    for partition in Int32(0)..<2 {
                        let count = Int64(reports.filter { $0.partition == partition }.count)
                        toCommit[TopicPartition(topic: topic, partition: partition)] = count / 2 + 1
                    }
                    try await consumer.commit(toCommit)
                    let committed = try await consumer.committedOffsets(for: Array(toCommit.keys), timeout: .seconds(10))
                    #expect(committed == toCommit)

                    // Statistics arrive every 500 ms; wait until they reflect the commit.
                    var expected: [TopicPartition: Int64] = [:]
                    for (partition, offset) in toCommit {
                        let watermarks = try #require(consumer.cachedWatermarks(for: partition))
                        #expect(watermarks.high == Int64(reports.filter { $0.partition == partition.partition }.count))
                        expected[partition] = watermarks.high - offset
                    }
                    let matched = await waitFor(timeout: .seconds(30)) { consumer.lag() == expected }
                    #expect(matched, "lag \(consumer.lag()) should be \(expected)")
                    #expect(expected.values.allSatisfy { $0 > 0 })
                    if backend == .mock {
                        // The mock's ListOffsets is right (Tansu's is not): the queried high watermark agrees.
                        for partition in toCommit.keys {
                            let queried = try await consumer.queryWatermarks(for: partition, timeout: .seconds(10))
                            #expect(queried.high == consumer.cachedWatermarks(for: partition)?.high)
                        }
                    }
                }
                await producer.shutdown(timeout: .seconds(5))
            }
        }
    }
}
