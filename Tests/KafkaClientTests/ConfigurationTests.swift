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

        @Test("a fresh group with auto.offset.reset=latest starts after what the partition already holds",
              arguments: KafkaTestBackend.enabled)
        func latestStartsAtTheEnd(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("latest")
                try await cluster.createTopic(topic, partitions: 1)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                // One batch per record: Tansu 0.6 answers ListOffsets(latest) with its last batch's base
                // offset + 1, not the end, so a batch of several would start `latest` inside it
                // (Tests/RIG-NOTES.md). Each record its own batch makes both brokers' answer the end.
                _ = try await produce(producer, topic: topic, count: 5, maxInFlight: 1) { (nil, bytes("before\($0)"), []) }
                var configuration = cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("latest"))
                configuration.autoOffsetReset = .latest
                let consumer = try KafkaConsumer(configuration: configuration, logger: cluster.logger)
                try consumer.subscribe(topics: [topic])
                let values = try await withRecordedConsumer(consumer) { recorder in
                    try #require(await waitFor(timeout: .seconds(60)) { consumer.assignment.count == 1 })
                    // Produced until one arrives: the start position is resolved shortly after the assignment.
                    var sent = 0
                    while sent < 50, recorder.messageCount == 0 {
                        _ = try await produce(producer, topic: topic, count: 1) { _ in (nil, bytes("after"), []) }
                        sent += 1
                        await recorder.waitUntil(timeout: .milliseconds(200)) { $0.messages.count > 0 }
                    }
                    await recorder.waitUntil(timeout: .seconds(5)) { $0.messages.count >= 1 }
                    return recorder.messages.map(\.value)
                }
                #expect(!values.isEmpty)
                #expect(values.allSatisfy { $0 == bytes("after") }, "nothing produced before the group started is read")
                await producer.shutdown(timeout: .seconds(5))
            }
        }
    }
}
