public import KafkaClient
import Logging

/// Produces a test's input records: well-formed events (``TestInputEvent``) or raw bytes (for malformed input),
/// each awaited until the brokers acknowledge it, so the test knows every input is in the topic with its offset.
public final class TestEventProducer: Sendable {
    private let producer: KafkaProducer
    /// The topic records go to unless a call names another.
    public let topic: String

    /// A producer for `cluster`, writing to `topic` by default.
    public init(cluster: KafkaTestCluster, topic: String) throws {
        self.producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
        self.topic = topic
    }

    /// Produces `event` (its key and JSON value, plus `headers`) and returns where it landed.
    @discardableResult
    public func send(_ event: TestInputEvent, headers: [KafkaHeader] = []) async throws -> KafkaDeliveryReport {
        try await producer.send(topic: topic, key: event.keyBytes, value: event.value, headers: headers)
    }

    /// Produces `events` in order, one at a time, so records with the same key keep their order, and returns
    /// their positions in the same order.
    @discardableResult
    public func send(_ events: [TestInputEvent]) async throws -> [KafkaDeliveryReport] {
        var reports: [KafkaDeliveryReport] = []
        reports.reserveCapacity(events.count)
        for event in events {
            reports.append(try await send(event))
        }
        return reports
    }

    /// Produces `events` concurrently (up to 64 in flight) — for large backlogs where order across keys does not
    /// matter; librdkafka keeps one partition's records in send order for the idempotent producer.
    @discardableResult
    public func sendConcurrently(_ events: [TestInputEvent]) async throws -> [KafkaDeliveryReport] {
        try await withThrowingTaskGroup(of: (Int, KafkaDeliveryReport).self) { group in
            var reports = [KafkaDeliveryReport?](repeating: nil, count: events.count)
            var next = 0
            for (index, event) in events.enumerated() {
                if next >= 64, let (done, report) = try await group.next() {
                    reports[done] = report
                }
                group.addTask { (index, try await self.send(event)) }
                next += 1
            }
            for try await (done, report) in group {
                reports[done] = report
            }
            return reports.compactMap { $0 }
        }
    }

    /// Produces a record of raw bytes (any key, value and headers, including an empty or absent value).
    @discardableResult
    public func sendRaw(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = []) async throws -> KafkaDeliveryReport {
        try await producer.send(topic: topic, key: key, value: value, headers: headers)
    }

    /// Flushes and stops the producer; call before the cluster goes away.
    public func shutdown() async {
        await producer.shutdown(timeout: .seconds(5))
    }
}
