import Simulator
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// Events with the same key are processed and published in input offset order, even when some of them are
    /// retried and the API is slow — while other keys run in parallel.
    @Suite("Pipeline end to end: ordering")
    struct PipelineOrderingTests {
        @Test("same-key events come out in input offset order", arguments: KafkaTestBackend.enabled)
        func sameKeyEventsKeepInputOrder(backend: KafkaTestBackend) async throws {
            var simulator = SimulatorConfiguration(rateLimit: 0, latency: .milliseconds(20), jitter: .milliseconds(15))
            simulator.faults = [.resourceUnavailable: 0.2]
            simulator.seed = 3
            try await withEndToEnd(backend: backend, inputPartitions: 3, simulator: simulator) { e2e in
                let keys = (0..<4).map { "customer-\($0)" }
                var events: [TestInputEvent] = []
                for round in 0..<8 {
                    for key in keys {
                        // Mixed outcomes per key, including pending ones that are re-asked: order must hold anyway.
                        let prefix = ["PASS", "PEND1", "FAIL1001", "PASS"][(round + events.count) % 4]
                        events.append(.scripted(prefix, key: key))
                    }
                }
                let reports = try await e2e.producer.send(events)
                let ids = events.map(\.eventId)
                let snapshot = try await e2e.withFleet { _ in
                    try await e2e.withReader { reader in await reader.waitForOutputs(ids, timeout: .seconds(60)) }
                }
                let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")

                let inputOffset = Dictionary(uniqueKeysWithValues: zip(ids, reports.map(\.offset)))
                for key in keys {
                    let outputs = snapshot.outputs.filter { $0.key == key }.sorted { $0.message.offset < $1.message.offset }
                    #expect(Set(outputs.map(\.message.partition)).count == 1, "one key, one output partition")
                    // First appearance of each event, in output order (a duplicate after a redelivery may repeat).
                    var seen = Set<String>()
                    let order = outputs.compactMap { output -> Int64? in
                        guard let id = output.eventId, seen.insert(id).inserted else { return nil }
                        return inputOffset[id]
                    }
                    #expect(order.count == 8, "\(key): 8 outputs")
                    #expect(order == order.sorted(), "\(key): outputs in input offset order: \(order)")
                }
            }
        }
    }
}
