import KafkaClient
import Logging
import Testing
import TestSupport

extension KafkaClientSuite {
    @Suite("Fault injection (mock cluster)", .enabled(if: KafkaTestBackend.isMockEnabled, "needs the mock cluster"))
    struct FaultInjectionTests {
        @Test("the producer rides out injected transient produce errors")
        func producerRetriesTransientErrors() async throws {
            try await KafkaTestBackend.mock.withCluster { cluster in
                let mock = try #require(cluster.mock)
                let topic = KafkaTestCluster.uniqueName("transient")
                try await cluster.createTopic(topic, partitions: 1)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                _ = try await producer.send(topic: topic, key: nil, value: bytes("warmup"))
                mock.pushRequestErrors(
                    apiKey: .produce,
                    errors: [.notEnoughReplicas, .requestTimedOut, .notLeaderForPartition, .notEnoughReplicasAfterAppend]
                )
                let reports = try await produce(producer, topic: topic, count: 20) { (nil, bytes("after-\($0)"), []) }
                #expect(reports.count == 20)
                #expect(Set(reports.map(\.offset)).count == 20)
                await producer.shutdown(timeout: .seconds(5))
            }
        }

        @Test("the producer reports a permanent produce error as a typed, non-retriable KafkaError")
        func producerReportsPermanentError() async throws {
            try await KafkaTestBackend.mock.withCluster { cluster in
                let mock = try #require(cluster.mock)
                let topic = KafkaTestCluster.uniqueName("permanent")
                try await cluster.createTopic(topic, partitions: 1)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                _ = try await producer.send(topic: topic, key: nil, value: bytes("warmup"))
                mock.pushRequestErrors(apiKey: .produce, errors: [.topicAuthorizationFailed])
                let error = await #expect(throws: KafkaError.self) {
                    try await producer.send(topic: topic, key: nil, value: bytes("rejected"))
                }
                #expect(error?.code == .topicAuthorizationFailed)
                #expect(error?.name == "TOPIC_AUTHORIZATION_FAILED")
                #expect(error?.isRetriable == false)
                await producer.shutdown(timeout: .seconds(5))
            }
        }

        @Test("a consumer keeps working across a broker outage of a few seconds")
        func consumerSurvivesBrokerOutage() async throws {
            try await KafkaTestBackend.mock.withCluster(mockBrokers: 1) { cluster in
                let mock = try #require(cluster.mock)
                let topic = KafkaTestCluster.uniqueName("outage")
                try await cluster.createTopic(topic, partitions: 2)
                var producerConfiguration = cluster.producerConfiguration()
                producerConfiguration.properties = [("reconnect.backoff.max.ms", "500")]
                let producer = try KafkaProducer(configuration: producerConfiguration, logger: cluster.logger)
                var consumerConfiguration = cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("outage"))
                consumerConfiguration.properties = [("reconnect.backoff.max.ms", "500")]
                let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: cluster.logger)
                try consumer.subscribe(topics: [topic])
                try await withRecordedConsumer(consumer) { recorder in
                    _ = try await produce(producer, topic: topic, count: 100) { (bytes("k\($0)"), bytes("before-\($0)"), []) }
                    try #require(await recorder.waitUntil(timeout: .seconds(60)) { $0.messages.count >= 100 })

                    try mock.setBroker(1, up: false)
                    // Sends during the outage wait in librdkafka's queue until the broker is back.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            _ = try await produce(producer, topic: topic, count: 100) {
                                (bytes("k\($0)"), bytes("during-\($0)"), [])
                            }
                        }
                        try await Task.sleep(for: .seconds(3))
                        try mock.setBroker(1, up: true)
                        try await group.waitForAll()
                    }
                    let recovered = await recorder.waitUntil(timeout: .seconds(60)) { $0.messages.count >= 200 }
                    #expect(recovered, "every message sent during the outage is consumed after it")
                    #expect(Set(recorder.messages.compactMap(\.value)).count == 200)
                }
                await producer.shutdown(timeout: .seconds(5))
            }
        }
    }
}
