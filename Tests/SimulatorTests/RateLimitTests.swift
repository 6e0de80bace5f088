import TestSupport
import Testing

@testable import Simulator

@Suite("Rate limit")
struct RateLimitTests {
    @Test("The bucket lets a one-second burst through, then refills at the rate")
    func bucketBurstAndRefill() {
        var bucket = TokenBucket(rate: 3)
        let start = ContinuousClock.now
        var burst: [Bool] = []
        for _ in 0..<4 { burst.append(bucket.take(at: start)) }
        #expect(burst == [true, true, true, false])

        let tooEarly = bucket.take(at: start + .milliseconds(300))
        let refilled = bucket.take(at: start + .milliseconds(340))
        let emptyAgain = bucket.take(at: start + .milliseconds(340))
        #expect([tooEarly, refilled, emptyAgain] == [false, true, false])

        // A long pause refills to the burst, not beyond.
        let later = start + .seconds(10)
        var afterPause: [Bool] = []
        for _ in 0..<4 { afterPause.append(bucket.take(at: later)) }
        #expect(afterPause == [true, true, true, false])
    }

    @Test("A rate of 0 never refuses")
    func zeroIsUnlimited() {
        var bucket = TokenBucket(rate: 0)
        let now = ContinuousClock.now
        var refused = 0
        for _ in 0..<1000 where !bucket.take(at: now) { refused += 1 }
        #expect(refused == 0)
    }

    @Test("Requests beyond the rate answer RequestLimitExceeded and are counted")
    func excessRequestsAreRefused() async throws {
        try await withSimulator(TestAccount.configuration(rateLimit: 1)) { simulator in
            // One token per second: back-to-back calls run dry unless each took over a second.
            var refused = 0
            for index in 0..<20 where refused < 2 {
                let response = try await SignedCall(bizToken: "PASS-\(index)").response(from: simulator)
                if response.errorCode == "RequestLimitExceeded" { refused += 1 }
            }
            #expect(refused >= 1)
            #expect(simulator.counters.rateLimited == refused)
            #expect(simulator.counters.count(of: "RequestLimitExceeded") == refused)
            #expect(simulator.counters.peakAcceptedPerSecond <= simulator.counters.peakRequestsPerSecond)
        }
    }

    @Test("Refused requests do not count as calls for their token")
    func refusedCallsDoNotAdvancePendingTokens() async throws {
        try await withSimulator(TestAccount.configuration(rateLimit: 1)) { simulator in
            for _ in 0..<3 {
                _ = try await SignedCall(bizToken: "PEND5-x").response(from: simulator)
            }
            let counters = simulator.counters
            #expect(counters.callsPerToken["PEND5-x", default: 0] == 3 - counters.rateLimited)
        }
    }

    @Test("The rate limit can be lifted while running")
    func rateLimitChangesAtRuntime() async throws {
        try await withSimulator(TestAccount.configuration(rateLimit: 1)) { simulator in
            simulator.setRateLimit(0)
            for index in 0..<10 {
                let response = try await SignedCall(bizToken: "PASS-\(index)").response(from: simulator)
                #expect(response["ErrorCode"] == 0)
            }
            #expect(simulator.counters.rateLimited == 0)
        }
    }
}
