import TencentCloud
import TestSupport
import Testing

extension ChaosTests {
    /// An instance started with a wrong secret key halts: not ready, no output, no dead letter, nothing committed.
    /// Once it is replaced by one with the right key (the operator's fix: correct the secret, restart), every
    /// held event is enriched — nothing was skipped.
    @Test(.timeLimit(.minutes(2)), arguments: KafkaTestBackend.enabled)
    func wrongCredentialsThenFixedSkipsNothing(backend: KafkaTestBackend) async throws {
        let started = ContinuousClock.now
        try await withEndToEnd(backend: backend, inputPartitions: 3, simulator: Self.simulator()) { context in
            let records = ChaosRecord.backlog(run: Self.runID(), count: 60)
            try await context.producer.send(records)
            var wrongOptions = Self.options()
            wrongOptions.credentials = TencentCloudCredentials(
                secretID: context.secret.secretID, secretKey: "wrong-\(Self.runID())")
            let group = KafkaTestCluster.uniqueName("chaos-creds")

            let tally = try await context.withReader { reader in
                try await context.withFleet(instances: 0, group: group) { fleet in
                    let wrong = fleet.start(wrongOptions)
                    // The halt shows in readiness (the status loop mirrors it once a second) after failed calls.
                    let halted = await wrong.waitUntilHealth(timeout: .seconds(30)) { $0.haltingCode != nil }
                    #expect(halted, "the instance with the wrong key never reported a halting error")
                    #expect(wrong.health.current.haltingCode?.hasPrefix("AuthFailure") == true)
                    #expect(!wrong.health.current.isReady)
                    let refused = context.simulator.counters.outcomes.filter { $0.key.hasPrefix("AuthFailure") }.values
                        .reduce(0, +)
                    #expect(refused > 0)
                    // Held means held: give it a little longer to (wrongly) publish anything.
                    let whileHalted = await reader.settle(for: .seconds(2))
                    #expect(whileHalted.outputs.isEmpty, "outputs published with a wrong key")
                    #expect(whileHalted.deadLetters.isEmpty, "events dead-lettered for a wrong key")
                    await wrong.stop(.graceful)
                    let committed = try await context.committedInputOffsets(group: group)
                    #expect(committed.values.allSatisfy { $0 <= 0 }, "offsets committed while halted: \(committed)")

                    fleet.start(Self.options())
                    return await reader.waitUntilAccountedFor(records, timeout: .seconds(60))
                }
            }
            Self.expectZeroLost(tally, "credentials wrong then fixed", backend: backend, started: started)
            #expect(tally.deadLetterRecords == 0)
        }
    }
}
