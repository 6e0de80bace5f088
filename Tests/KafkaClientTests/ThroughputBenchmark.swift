import KafkaClient
import Logging
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension KafkaClientSuite {
    /// A measurement, not a check: prints produce→consume throughput with 1 KiB values. Enabled with
    /// `FACEID_KAFKA_BENCHMARK=1` (message count from `FACEID_KAFKA_BENCHMARK_COUNT`, default 50,000).
    @Suite("Throughput benchmark", .enabled(if: getenv("FACEID_KAFKA_BENCHMARK") != nil, "set FACEID_KAFKA_BENCHMARK=1"))
    struct ThroughputBenchmark {
        @Test("produce→consume throughput with 1 KiB values (printed, not asserted)", arguments: KafkaTestBackend.enabled)
        func produceConsumeThroughput(backend: KafkaTestBackend) async throws {
            let count = getenv("FACEID_KAFKA_BENCHMARK_COUNT").flatMap { Int(String(cString: $0)) } ?? 50_000
            try await backend.withCluster(mockBrokers: 1) { cluster in
                let topic = KafkaTestCluster.uniqueName("bench")
                try await cluster.createTopic(topic, partitions: 6)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                let consumer = try KafkaConsumer(
                    configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("bench")),
                    logger: cluster.logger
                )
                try consumer.subscribe(topics: [topic])
                let value = [UInt8](repeating: 0x61, count: 1024)
                let clock = ContinuousClock()
                try await withRecordedConsumer(consumer) { recorder in
                    // Join the group first so the measurement is of data flow, not of the group protocol.
                    _ = try await producer.send(topic: topic, key: nil, value: bytes("warmup"))
                    try #require(await recorder.waitUntil(timeout: .seconds(60)) { $0.messages.count >= 1 })
                    let start = clock.now
                    _ = try await produce(producer, topic: topic, count: count, maxInFlight: 2000) { index in
                        (bytes("k\(index)"), value, [])
                    }
                    let produced = clock.now - start
                    let consumedAll = await recorder.waitUntil(timeout: .seconds(300)) { $0.messages.count >= count + 1 }
                    let total = clock.now - start
                    try #require(consumedAll)
                    let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
                    let produceSeconds = Double(produced.components.seconds) + Double(produced.components.attoseconds) / 1e18
                    print(
                        "BENCHMARK backend=\(backend) messages=\(count) value=1KiB "
                            + "produce(acked)=\(Int(Double(count) / produceSeconds)) msg/s "
                            + "produce→consume=\(Int(Double(count) / seconds)) msg/s (\(total))"
                    )
                }
                await producer.shutdown(timeout: .seconds(10))
            }
        }
    }
}
