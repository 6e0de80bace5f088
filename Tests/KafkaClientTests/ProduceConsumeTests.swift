import KafkaClient
import Logging
import Testing
import TestSupport

extension KafkaClientSuite {
    @Suite("Produce and consume")
    struct ProduceConsumeTests {
        @Test(
            "10,000 messages arrive with keys, values and headers intact and in per-key and per-partition order",
            arguments: KafkaTestBackend.enabled
        )
        func tenThousandMessagesRoundTrip(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("roundtrip")
                try await cluster.createTopic(topic, partitions: 4)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                let keys = 100
                let perKey = 100
                // Each key's messages are sent one after another, keys concurrently: per-key order is defined.
                let reports = try await withThrowingTaskGroup(of: [KafkaDeliveryReport].self) { group in
                    for key in 0..<keys {
                        group.addTask {
                            var reports: [KafkaDeliveryReport] = []
                            for sequence in 0..<perKey {
                                reports.append(
                                    try await producer.send(
                                        topic: topic,
                                        key: bytes("key-\(key)"),
                                        value: bytes("value-\(key)-\(sequence)"),
                                        headers: [
                                            KafkaHeader(key: "sequence", string: "\(sequence)"),
                                            KafkaHeader(key: "null", value: nil),
                                            KafkaHeader(key: "empty", value: []),
                                        ]
                                    )
                                )
                            }
                            return reports
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(reports.count == keys * perKey)
                await producer.shutdown(timeout: .seconds(10))

                let consumer = try KafkaConsumer(
                    configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("roundtrip")),
                    logger: cluster.logger
                )
                try consumer.subscribe(topics: [topic])
                let messages = try await withRecordedConsumer(consumer) { recorder in
                    await recorder.waitUntil(timeout: .seconds(90)) { $0.messages.count >= keys * perKey }
                    return recorder.messages
                }
                try #require(messages.count == keys * perKey)

                var lastOffset: [Int32: Int64] = [:]
                var lastSequence: [String: Int] = [:]
                var delivered = Set<KafkaDeliveryReport>()
                for message in messages {
                    let key = String(decoding: message.key ?? [], as: UTF8.self)
                    let sequence = Int(String(decoding: message.headers.first?.value ?? [], as: UTF8.self)) ?? -1
                    #expect(message.topic == topic)
                    #expect(message.value == bytes("value-\(key.dropFirst(4))-\(sequence)"))
                    #expect(message.headers.map(\.key) == ["sequence", "null", "empty"])
                    #expect(message.headers[1].value == nil)
                    #expect(message.headers[2].value == [])
                    #expect(message.timestamp != nil)
                    // Per partition: consecutive offsets; per key: sequences in order.
                    if let previous = lastOffset[message.partition] {
                        #expect(message.offset == previous + 1)
                    }
                    lastOffset[message.partition] = message.offset
                    #expect(sequence == (lastSequence[key] ?? -1) + 1)
                    lastSequence[key] = sequence
                    delivered.insert(
                        KafkaDeliveryReport(topic: message.topic, partition: message.partition, offset: message.offset))
                }
                #expect(delivered == Set(reports))
                #expect(lastSequence.count == keys)
            }
        }

        @Test("a producer that is shut down rejects sends with a typed error, and shutting down twice is harmless",
              arguments: KafkaTestBackend.enabled)
        func shutdownIsIdempotentAndFinal(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("shutdown")
                try await cluster.createTopic(topic, partitions: 1)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                let report = try await producer.send(topic: topic, key: nil, value: bytes("before"))
                #expect(report.offset == 0)
                try await producer.flush(timeout: .seconds(5))
                await producer.shutdown(timeout: .seconds(5))
                await producer.shutdown(timeout: .seconds(5))
                let error = await #expect(throws: KafkaError.self) {
                    try await producer.send(topic: topic, key: nil, value: bytes("after"))
                }
                #expect(error?.code == .destroy)
            }
        }

        @Test("when librdkafka's queue is full, send waits for room instead of failing", arguments: KafkaTestBackend.enabled)
        func fullQueueMakesSendWait(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("queuefull")
                try await cluster.createTopic(topic, partitions: 2)
                var configuration = cluster.producerConfiguration()
                configuration.maxQueuedMessages = 5
                let producer = try KafkaProducer(configuration: configuration, logger: cluster.logger)
                let reports = try await produce(producer, topic: topic, count: 500, maxInFlight: 500) { index in
                    (bytes("k\(index)"), bytes("v\(index)"), [])
                }
                #expect(reports.count == 500)
                #expect(Set(reports).count == 500)
                await producer.shutdown(timeout: .seconds(5))
            }
        }
    }
}
