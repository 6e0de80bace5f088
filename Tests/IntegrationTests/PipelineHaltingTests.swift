import Simulator
import TencentCloud
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// Errors that stop progress, end to end: a wrong secret key (`AuthFailure.SignatureFailure`) produces no
    /// output and no dead letter, commits nothing and halts readiness; after a restart with the right key,
    /// every held event is enriched.
    @Suite("Pipeline end to end: halting errors")
    struct PipelineHaltingTests {
        @Test("AuthFailure.SignatureFailure: nothing published or committed, readiness halted; the right key then enriches everything", arguments: KafkaTestBackend.enabled)
        func wrongKeyHaltsUntilRestartedWithTheRightKey(backend: KafkaTestBackend) async throws {
            try await withEndToEnd(backend: backend, inputPartitions: 2) { e2e in
                let events = (0..<12).map { _ in TestInputEvent.scripted("PASS") }
                try await e2e.producer.send(events)
                let ids = events.map(\.eventId)
                let group = KafkaTestCluster.uniqueName("e2e-halt")
                var wrong = EnricherInstanceOptions()
                wrong.credentials = TencentCloudCredentials(secretID: e2e.secret.secretID, secretKey: "not-the-right-key")

                try await e2e.withReader { reader in
                    try await e2e.withFleet(group: group, options: wrong) { fleet in
                        let instance = fleet.instances[0]
                        let halted = await instance.waitUntilHealth(timeout: .seconds(40)) { $0.haltingCode != nil }
                        #expect(halted, "readiness was halted")
                        #expect(instance.health.current.haltingCode == "AuthFailure.SignatureFailure")
                        #expect(!instance.health.current.isReady)
                        // Give it time to (wrongly) publish, dead-letter or commit anything.
                        let settled = await reader.settle(for: .seconds(3))
                        #expect(settled.outputs.isEmpty, "no output while halted")
                        #expect(settled.deadLetters.isEmpty, "no dead letter while halted")
                        #expect(e2e.simulator.counters.totalRequests > 0, "it did call the API")
                    }
                    let committed = try await e2e.committedInputOffsets(group: group)
                    #expect(committed.values.allSatisfy { $0 == 0 }, "nothing committed while halted: \(committed)")

                    try await e2e.withFleet(group: group) { _ in
                        let snapshot = await reader.waitForOutputs(ids, timeout: .seconds(60))
                        let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                        #expect(audit.isComplete, "after the restart with the right key: \(audit)")
                        #expect(snapshot.deadLetters.isEmpty)
                        #expect(snapshot.outputs.allSatisfy { $0.status == "passed" })
                    }
                    let after = try await e2e.committedInputOffsets(group: group)
                    #expect(after.values.reduce(0, +) == Int64(ids.count), "every input committed after the restart: \(after)")
                }
            }
        }
    }
}
