import EnricherJSON
import KafkaClient
import Synchronization
import TestSupport

/// The input records the operability tests produce: the shared harness's ``TestInputEvent``s with
/// a region and metadata (so the pass-through is exercised), and malformed values.
enum OperabilityInput {
    /// A valid event for exactly `bizToken` (the simulator scripts its answer from the prefix).
    static func event(_ bizToken: String, eventId: String) -> TestInputEvent {
        TestInputEvent(
            eventId: eventId,
            bizToken: bizToken,
            key: bizToken,
            region: "ap-singapore",
            metadata: .object([
                (key: "applicantId", value: .string("A-\(eventId)")), (key: "channel", value: .string("web")),
            ])
        )
    }

    /// A value that is not JSON: the service dead-letters it as `malformed`.
    static func malformedValue(_ id: String) -> [UInt8] { Array("not json {\(id)".utf8) }

    /// A W3C trace header every produced record carries, to show headers survive the DLQ and replay.
    static let traceparent = KafkaHeader(
        key: "traceparent",
        string: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    )
}

/// Produces `events`, then one malformed record per `malformed` id, to `topic`; returns where each landed.
func produce(
    _ events: [TestInputEvent],
    malformed: [String] = [],
    to topic: String,
    on cluster: KafkaTestCluster
) async throws -> [KafkaDeliveryReport] {
    let producer = try TestEventProducer(cluster: cluster, topic: topic)
    var reports: [KafkaDeliveryReport] = []
    do {
        for event in events {
            reports.append(try await producer.send(event, headers: [OperabilityInput.traceparent]))
        }
        for id in malformed {
            reports.append(
                try await producer.sendRaw(
                    key: Array("malformed-\(id)".utf8),
                    value: OperabilityInput.malformedValue(id),
                    headers: [OperabilityInput.traceparent]
                )
            )
        }
    } catch {
        await producer.shutdown()
        throw error
    }
    await producer.shutdown()
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
