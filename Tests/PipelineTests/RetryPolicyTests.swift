import Pipeline
import Testing

@Suite("Retry schedules: jittered backoff for transient errors, a slower one for pending results, long ones for halts")
struct RetryPolicyTests {
    let policy = RetryPolicy(base: .milliseconds(100), cap: .seconds(2), maxElapsed: .seconds(60))

    @Test("transient backoff doubles up to the cap and full jitter spans zero to the ceiling")
    func transient() {
        let ceilings = (1...7).map { policy.transientDelay(afterFailures: $0, elapsed: .zero, random: 1) }
        #expect(ceilings == [100, 200, 400, 800, 1600, 2000, 2000].map { Duration.milliseconds($0) })
        #expect(policy.transientDelay(afterFailures: 3, elapsed: .zero, random: 0) == .zero)
        #expect(policy.transientDelay(afterFailures: 3, elapsed: .zero, random: 0.5) == .milliseconds(200))
        #expect(policy.transientDelay(afterFailures: 1_000, elapsed: .zero, random: 1) == .seconds(2))
    }

    @Test("the transient budget ends retrying, and the last wait never overshoots it")
    func transientBudget() {
        #expect(policy.transientDelay(afterFailures: 9, elapsed: .seconds(60), random: 0.5) == nil)
        #expect(policy.transientDelay(afterFailures: 9, elapsed: .seconds(61), random: 0.5) == nil)
        #expect(
            policy.transientDelay(afterFailures: 9, elapsed: .milliseconds(59_500), random: 1) == .milliseconds(500)
        )
    }

    @Test("pending results are asked again on a growing schedule until the pending budget ends")
    func pending() {
        let pending = RetryPolicy(
            pendingInitialDelay: .seconds(5),
            pendingMaximumDelay: .seconds(30),
            pendingMaxElapsed: .seconds(100)
        )
        let delays = (1...5).map { pending.pendingDelay(afterPolls: $0, elapsed: .zero) }
        #expect(delays == [5, 10, 20, 30, 30].map { Duration.seconds($0) })
        #expect(pending.pendingDelay(afterPolls: 3, elapsed: .seconds(95)) == .seconds(5))
        #expect(pending.pendingDelay(afterPolls: 3, elapsed: .seconds(100)) == nil)
    }

    @Test("halting errors back off long, jittered in the upper half, and are never given up")
    func halting() {
        let defaults = RetryPolicy()
        #expect(defaults.haltingDelay(afterHalts: 1, random: 1) == .seconds(30))
        #expect(defaults.haltingDelay(afterHalts: 1, random: 0) == .seconds(15))
        #expect(defaults.haltingDelay(afterHalts: 2, random: 1) == .seconds(60))
        #expect(defaults.haltingDelay(afterHalts: 100, random: 1) == .seconds(300))
        #expect(defaults.haltingDelay(afterHalts: 100, random: 0.5) == .seconds(225))
    }
}
