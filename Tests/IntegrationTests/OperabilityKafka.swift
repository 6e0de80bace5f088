import EnricherJSON
import KafkaClient
import Synchronization
import TestSupport

/// An input event as the tests produce it: the JSON the contract describes, keyed by its bizToken.
struct TestInputEvent: Sendable {
    let eventId: String
    let bizToken: String
    /// The exact value bytes (a malformed event carries arbitrary bytes).
    let value: [UInt8]
    let key: [UInt8]

    /// A valid event for `bizToken`, with metadata so the pass-through is exercised.
    static func valid(_ bizToken: String, eventId: String) -> TestInputEvent {
        let json = JSONValue.object([
            (key: "eventId", value: .string(eventId)),
            (key: "bizToken", value: .string(bizToken)),
            (key: "region", value: .string("ap-singapore")),
            (key: "occurredAt", value: .string("2026-11-24T10:00:00Z")),
            (key: "metadata", value: .object([(key: "applicantId", value: .string("A-\(eventId)")), (key: "channel", value: .string("web"))])),
        ])
        return TestInputEvent(eventId: eventId, bizToken: bizToken, value: json.serializedBytes, key: Array(bizToken.utf8))
    }

    /// A value that is not JSON: the service dead-letters it as `malformed`.
    static func malformed(_ id: String) -> TestInputEvent {
        TestInputEvent(eventId: id, bizToken: "", value: Array("not json {\(id)".utf8), key: Array("malformed-\(id)".utf8))
    }
}

/// Produces events and returns where each landed.
func produce(_ events: [TestInputEvent], to topic: String, on cluster: KafkaTestCluster) async throws -> [KafkaDeliveryReport] {
    let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
    var reports: [KafkaDeliveryReport] = []
    do {
        for event in events {
            reports.append(
                try await producer.send(
                    topic: topic,
                    key: event.key,
                    value: event.value,
                    headers: [KafkaHeader(key: "traceparent", string: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
                )
            )
        }
    } catch {
        await producer.shutdown(timeout: .seconds(5))
        throw error
    }
    await producer.shutdown(timeout: .seconds(5))
    return reports
}

/// Reads topics from the beginning in a group of its own while a test runs, keeping every message.
final class RecordCollector: Sendable {
    private let messages = Mutex<[KafkaMessage]>([])

    /// Every message read so far, in arrival order.
    var all: [KafkaMessage] { messages.withLock { $0 } }

    /// Messages of `topic` read so far.
    func messages(of topic: String) -> [KafkaMessage] { all.filter { $0.topic == topic } }

    /// Waits (bounded) until `topic` has at least `count` messages; returns whether it got there.
    func waitFor(_ count: Int, on topic: String, timeout: Duration = .seconds(30)) async -> Bool {
        await Poll.until(timeout: timeout) { self.messages(of: topic).count >= count }
    }

    /// Runs `body` while a consumer subscribed to `topics` feeds this collector; closes it afterwards.
    static func collecting<T: Sendable>(
        _ topics: [String],
        on cluster: KafkaTestCluster,
        _ body: (RecordCollector) async throws -> T
    ) async throws -> T {
        let collector = RecordCollector()
        let consumer = try KafkaConsumer(
            configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("opsint-reader")),
            logger: cluster.logger
        )
        try consumer.subscribe(topics: topics)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask {
                for await event in consumer.events {
                    if case .message(let message) = event {
                        collector.messages.withLock { $0.append(message) }
                    }
                }
            }
            do {
                let result = try await body(collector)
                group.cancelAll()
                await consumer.close()
                return result
            } catch {
                group.cancelAll()
                await consumer.close()
                throw error
            }
        }
    }
}

extension KafkaMessage {
    /// The value parsed as JSON (`nil` when it is not).
    var json: JSONValue? { value.flatMap { try? JSONValue(parsing: $0) } }

    /// A header's value as text.
    func header(_ key: String) -> String? {
        headers.first { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
