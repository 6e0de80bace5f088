import KafkaClient
import TestSupport

/// One input record a chaos test produces, and what the service must do with it: enrich it (an output whose
/// `eventId` is ``eventId``) or dead-letter it as malformed (a DLQ record with ``key`` and the same value).
struct ChaosRecord: Sendable {
    /// The record key; every chaos record has a unique one, so a dead letter can be traced back to its input.
    var key: [UInt8]
    var value: [UInt8]?
    /// The `eventId` whose output is expected, or `nil` for a record that must land in the DLQ.
    var eventId: String?

    /// The key as text (chaos keys are ASCII).
    var keyText: String { String(decoding: key, as: UTF8.self) }

    /// A valid event the simulator passes (`PASS-` token, keyed by its token as the contract recommends).
    static func valid(run: String, index: Int) -> ChaosRecord {
        let event = TestInputEvent(
            eventId: "chaos-\(run)-\(index)", bizToken: "PASS-\(run)-\(index)", key: "PASS-\(run)-\(index)")
        return ChaosRecord(key: event.keyBytes ?? [], value: event.value, eventId: event.eventId)
    }

    /// `count` valid events for `run`.
    static func backlog(run: String, count: Int) -> [ChaosRecord] {
        (0..<count).map { valid(run: run, index: $0) }
    }
}

extension TestEventProducer {
    /// Produces `records` (raw key and value) with up to 128 in flight, each awaited until acknowledged: a
    /// backlog of thousands is in the topic within seconds.
    func send(_ records: [ChaosRecord]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, record) in records.enumerated() {
                if index >= 128 { try await group.next() }
                group.addTask { try await self.sendRaw(key: record.key, value: record.value) }
            }
            try await group.waitForAll()
        }
    }
}
