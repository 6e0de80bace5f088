import Simulator
import TestSupport
import Testing

extension ChaosTests {
    /// The simulator fails 40% of calls — 30% `ResourceUnavailable`, 5% HTTP 500, 3% answers held past the
    /// client's timeout, 2% connection resets — while two instances work through a backlog: every event is still
    /// enriched as `passed` (retried, not dead-lettered), and every kind of fault really happened.
    @Test(.timeLimit(.minutes(2)), arguments: KafkaTestBackend.enabled)
    func faultStormLosesNothing(backend: KafkaTestBackend) async throws {
        let started = ContinuousClock.now
        let simulator = Self.simulator { configuration in
            configuration.faults = [.resourceUnavailable: 0.30, .http500: 0.05, .slow: 0.03, .reset: 0.02]
            // The client gives up on a call after 1 s; a `slow` answer comes after 1.5 s: a timeout.
            configuration.slowDelay = .milliseconds(1500)
        }
        try await withEndToEnd(backend: backend, inputPartitions: 6, simulator: simulator) { context in
            let records = ChaosRecord.backlog(run: Self.runID(), count: 400)
            try await context.producer.send(records)
            let tally = try await context.withReader { reader in
                try await context.withFleet(instances: 2, options: Self.options(requestTimeout: .seconds(1))) { _ in
                    await reader.waitUntilAccountedFor(records, timeout: .seconds(80))
                }
            }
            Self.expectZeroLost(tally, "fault storm", backend: backend, started: started)
            let counters = context.simulator.counters
            print(
                "chaos[fault storm/\(backend)] API calls \(counters.totalRequests), faults \(counters.faultsInjected)")
            for fault in [SimulatorFault.resourceUnavailable, .http500, .slow, .reset] {
                #expect(counters.faultsInjected[fault, default: 0] > 0, "no \(fault) fault was injected")
            }
        }
    }
}
