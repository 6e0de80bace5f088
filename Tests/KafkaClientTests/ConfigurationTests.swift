import KafkaClient
import Logging
import Testing
import TestSupport

extension KafkaClientSuite {
    @Suite("Configuration")
    struct ConfigurationTests {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

        @Test("an unknown -X property is reported with librdkafka's own message naming it")
        func unknownPropertyIsReportedByName() throws {
            let configuration = KafkaConsumerConfiguration(
                bootstrapServers: "127.0.0.1:1",
                groupID: "g",
                properties: [("no.such.property", "1")]
            )
            let error = #expect(throws: KafkaError.self) {
                _ = try KafkaConsumer(configuration: configuration, logger: logger)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.name == "_INVALID_ARG")
            #expect(error?.message.contains("No such configuration property") == true)
            #expect(error?.message.contains("no.such.property") == true)
        }

        @Test("an invalid -X value is reported with librdkafka's message for the producer too")
        func invalidValueIsReported() throws {
            let configuration = KafkaProducerConfiguration(
                bootstrapServers: "127.0.0.1:1",
                properties: [("message.max.bytes", "lots")]
            )
            let error = #expect(throws: KafkaError.self) {
                _ = try KafkaProducer(configuration: configuration, logger: logger)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("message.max.bytes") == true, "\(String(describing: error))")
        }

        @Test("-X properties are applied after the typed options, so they win", arguments: KafkaTestBackend.enabled)
        func passThroughOverridesTypedOptions(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("override")
                try await cluster.createTopic(topic, partitions: 1)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                _ = try await produce(producer, topic: topic, count: 5) { (nil, bytes("m\($0)"), []) }
                // Typed: start at the end (would see nothing); pass-through: start at the beginning.
                var configuration = cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("override"))
                configuration.autoOffsetReset = .latest
                configuration.properties = [("auto.offset.reset", "earliest")]
                let consumer = try KafkaConsumer(configuration: configuration, logger: cluster.logger)
                try consumer.subscribe(topics: [topic])
                let received = try await withRecordedConsumer(consumer) { recorder in
                    await recorder.waitUntil(timeout: .seconds(30)) { $0.messages.count >= 5 }
                    return recorder.messageCount
                }
                #expect(received == 5)
                await producer.shutdown(timeout: .seconds(5))
            }
        }
    }
}
