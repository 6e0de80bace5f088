import Pipeline
import Synchronization
import Testing
import TestSupport

/// Collects the manual-clock instants at which acquisitions completed.
final class AcquisitionLog: Sendable {
    private let times = Mutex<[Duration]>([])
    func append(_ time: Duration) { times.withLock { $0.append(time) } }
    var values: [Duration] { times.withLock { $0 } }
}

@Suite("The rate limiter paces calls evenly, takes its share and backs off on RequestLimitExceeded")
struct RateLimiterTests {
    @Test("calls are spaced 1/rate apart with no burst, and an idle limiter lets exactly one call through at once")
    func evenPace() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 4), clock: clock)
        let log = AcquisitionLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await limiter.acquire()
                    log.append(clock.now.offset)
                }
            }
            // One goes through at once; the other four sleep for their turns.
            #expect(await clock.waitForSleepers(4))
            #expect(log.values == [.zero])
            for step in 1...4 {
                clock.advance(by: .milliseconds(250))
                #expect(await Poll.until(timeout: .seconds(5)) { log.values.count == step + 1 })
            }
            try await group.waitForAll()
        }
        #expect(log.values == [0, 250, 500, 750, 1000].map { Duration.milliseconds($0) })

        // After an idle period only one call is immediate: the next waits a full interval.
        clock.advance(by: .seconds(10))
        try await limiter.acquire()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await limiter.acquire() }
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: .milliseconds(249))
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .milliseconds(1))
            try await group.waitForAll()
        }
    }

    @Test("a cancelled wait gives its turn back to the next caller")
    func cancelledWaitReturnsTurn() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 4), clock: clock)
        try await limiter.acquire()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await limiter.acquire() }
            #expect(await clock.waitForSleepers(1))
            group.cancelAll()
            await #expect(throws: CancellationError.self) { try await group.next() }
        }
        let log = AcquisitionLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await limiter.acquire()
                log.append(clock.now.offset)
            }
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: .milliseconds(250))
            try await group.waitForAll()
        }
        #expect(log.values == [.milliseconds(250)])
    }

    @Test("turns keep the order they were taken in, whatever order their callers come to wait in")
    func turnsKeepReservationOrder() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 4), clock: clock)
        let first = limiter.reserve()
        let second = limiter.reserve()
        let third = limiter.reserve()
        let log = AcquisitionLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The third turn's caller waits first, the second's only once it is asleep.
            group.addTask {
                try await limiter.wait(for: third)
                log.append(clock.now.offset)
            }
            #expect(await clock.waitForSleepers(1))
            group.addTask {
                try await limiter.wait(for: second)
                log.append(clock.now.offset)
            }
            #expect(await clock.waitForSleepers(2))
            try await limiter.wait(for: first)
            log.append(clock.now.offset)
            clock.advance(by: .milliseconds(250))
            #expect(await Poll.until(timeout: .seconds(5)) { log.values.count == 2 })
            #expect(clock.sleeperCount == 1, "the third turn still waits")
            clock.advance(by: .milliseconds(250))
            try await group.waitForAll()
        }
        #expect(log.values == [0, 250, 500].map { Duration.milliseconds($0) })
    }

    @Test("a turn more than a second stale is not used: its caller takes a fresh turn rather than burst")
    func staleTurnIsRetaken() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 4), clock: clock)
        let heldUp = limiter.reserve()
        clock.advance(by: .milliseconds(1500))
        // Another caller goes through now; the held-up caller must not call at the same moment.
        try await limiter.acquire()
        let log = AcquisitionLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await limiter.wait(for: heldUp)
                log.append(clock.now.offset)
            }
            #expect(await clock.waitForSleepers(1))
            #expect(log.values.isEmpty)
            clock.advance(by: .milliseconds(250))
            try await group.waitForAll()
        }
        #expect(log.values == [.milliseconds(1750)])
    }

    @Test(
        "the share is budget × assigned / total, the budget when the total is unknown, the floor when nothing is assigned"
    )
    func share() {
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 20), clock: ManualClock())
        #expect(limiter.currentRate == 20)
        limiter.setShare(assigned: 1, total: 4)
        #expect(limiter.currentRate == 5)
        limiter.setShare(assigned: 3, total: 6)
        #expect(limiter.currentRate == 10)
        limiter.setShare(assigned: 2, total: 0)
        #expect(limiter.currentRate == 20)
        limiter.setShare(assigned: 0, total: 4)
        #expect(limiter.currentRate == 0.2)
    }

    @Test("RequestLimitExceeded halves the rate once per window, successes add it back gradually up to the share")
    func aimd() {
        let clock = ManualClock()
        let rates = AcquisitionLog()
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 10), clock: clock) { rate in
            rates.append(.milliseconds(Int64(rate * 1000)))
        }
        limiter.recordRateLimited()
        #expect(limiter.currentRate == 5)
        limiter.recordRateLimited()  // the same burst of rejections: ignored
        #expect(limiter.currentRate == 5)
        clock.advance(by: .seconds(1))
        limiter.recordRateLimited()
        #expect(limiter.currentRate == 2.5)
        limiter.recordSuccess()  // too soon after the cut
        #expect(limiter.currentRate == 2.5)
        var previous = limiter.currentRate
        for _ in 0..<20 {
            clock.advance(by: .seconds(1))
            limiter.recordSuccess()
            limiter.recordSuccess()  // a second success in the same window adds nothing
            #expect(limiter.currentRate >= previous)
            #expect(limiter.currentRate - previous <= 1.0 + 1e-9)
            previous = limiter.currentRate
        }
        #expect(limiter.currentRate == 10)
        #expect(rates.values.first == .milliseconds(10_000))
        #expect(rates.values.last == .milliseconds(10_000))

        // Cuts never go below the floor.
        for _ in 0..<20 {
            clock.advance(by: .seconds(1))
            limiter.recordRateLimited()
        }
        #expect(limiter.currentRate == 0.2)
    }

    @Test("a rebalance keeps a cut rate's proportion of the new share")
    func rebalanceKeepsProportion() {
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 20), clock: ManualClock())
        limiter.recordRateLimited()
        #expect(limiter.currentRate == 10)
        limiter.setShare(assigned: 1, total: 2)
        #expect(limiter.share == 10)
        #expect(limiter.currentRate == 5)
    }

    @Test("after a rebalance, calls do not queue behind the turns of calls the revoke cancelled")
    func shareChangeDropsCancelledTurns() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: 10), clock: clock)
        // Nothing assigned: the minimum rate (0.2/s), so each waiting call holds a turn 5 s after the last.
        limiter.setShare(assigned: 0, total: 6)
        try await limiter.acquire()
        await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { try await limiter.acquire() }
            }
            #expect(await clock.waitForSleepers(4))
            group.cancelAll()
            for _ in 0..<4 { _ = try? await group.next() }
        }
        // Everything assigned: 10/s. The next call waits at most one interval (100 ms), not 20 s.
        limiter.setShare(assigned: 6, total: 6)
        let log = AcquisitionLog()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await limiter.acquire()
                log.append(clock.now.offset)
            }
            clock.advance(by: .milliseconds(100))
            #expect(await Poll.until(timeout: .seconds(5)) { log.values.count == 1 })
            group.cancelAll()
            _ = try? await group.next()
        }
        #expect(log.values.count == 1)
    }
}
