import Pipeline
import Synchronization
import Testing
import TestSupport

/// Collects the manual-clock instants at which acquisitions completed.
final class AcquisitionLog: Sendable {
    private let entries = Mutex<[(label: String, time: Duration)]>([])
    func append(_ time: Duration, _ label: String = "") { entries.withLock { $0.append((label, time)) } }
    var values: [Duration] { entries.withLock { $0.map(\.time) } }
    var labels: [String] { entries.withLock { $0.map(\.label) } }
    var count: Int { entries.withLock { $0.count } }
}

/// A limiter on a manual clock whose wall time starts at a whole second, spending the slots of a
/// partition-share budget (no coordination).
struct LimiterRig {
    let clock = ManualClock()
    let budget: GroupBudget<ManualClock>
    let limiter: RateLimiter<ManualClock>
    let log = AcquisitionLog()

    init(groupBudget: Double, held: [Int32] = [0], partitionCount: Int? = nil) {
        let timeline = BudgetTimeline(clock: clock, wallNanos: BudgetScheduleTests.base)
        budget = GroupBudget(groupBudget: groupBudget, timeline: timeline, coordination: nil)
        budget.partitionsChanged(held: held, partitionCount: partitionCount)
        limiter = RateLimiter(configuration: RateLimiterConfiguration(groupBudget: groupBudget), budget: budget)
    }

    /// Starts a call that waits for `turn` (a new one when `nil`) and logs when it got its slot.
    func call(_ label: String, turn: RateLimiter<ManualClock>.Turn? = nil, in group: inout ThrowingTaskGroup<Void, any Error>) {
        let limiter = self.limiter
        let clock = self.clock
        let log = self.log
        group.addTask {
            try await limiter.wait(for: turn ?? limiter.reserve())
            log.append(clock.now.offset, label)
        }
    }

    /// Moves the clock to `milliseconds` after the start and waits until `expected` calls got a slot.
    func advance(toMilliseconds milliseconds: Int64, expecting expected: Int) async -> Bool {
        let target = Duration.milliseconds(milliseconds)
        if target > clock.now.offset { clock.advance(by: target - clock.now.offset) }
        let reached = await Poll.until(timeout: .seconds(10)) { log.count >= expected }
        // Let the limiter's loop catch up with the clock (it sleeps again while calls wait), so the
        // next step cannot overtake it.
        if limiter.waitingCount > 0 { _ = await clock.waitForSleepers(1) }
        return reached
    }

    /// Waits until `count` calls wait and the limiter's loop sleeps on the clock.
    func settle(waiting count: Int) async -> Bool {
        let limiter = self.limiter
        guard await Poll.until(timeout: .seconds(10), { limiter.waitingCount == count }) else { return false }
        return await clock.waitForSleepers(1)
    }
}

@Suite("The rate limiter spends the grid's slots it owns, one call each, in the order turns were taken")
struct RateLimiterTests {
    @Test("calls go out on the grid: two per half second at 4 requests/second, never in an epoch's guard")
    func gridPace() async throws {
        let rig = LimiterRig(groupBudget: 4)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await rig.limiter.run() }
            for index in 0..<5 { rig.call("c\(index)", in: &group) }
            #expect(await rig.settle(waiting: 5))
            #expect(rig.log.count == 0, "nothing before the first slot")
            // Slots at 150 and 350 ms of every half second (guard 50 ms, 400 ms spread over 2).
            for (expected, slot) in [150, 350, 650, 850, 1150].enumerated() {
                #expect(await rig.advance(toMilliseconds: Int64(slot) - 1, expecting: expected))
                #expect(rig.log.count == expected, "no call before \(slot) ms")
                #expect(await rig.advance(toMilliseconds: Int64(slot), expecting: expected + 1))
            }
            group.cancelAll()
        }
        #expect(rig.log.values == [150, 350, 650, 850, 1150].map { Duration.milliseconds($0) })
    }

    @Test("slots go to waiting calls in the order their turns were taken, whatever order they came to wait in")
    func turnsKeepReservationOrder() async throws {
        let rig = LimiterRig(groupBudget: 4)
        let first = rig.limiter.reserve()
        let second = rig.limiter.reserve()
        let third = rig.limiter.reserve()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await rig.limiter.run() }
            rig.call("third", turn: third, in: &group)
            #expect(await Poll.until { rig.limiter.waitingCount == 1 })
            rig.call("second", turn: second, in: &group)
            #expect(await Poll.until { rig.limiter.waitingCount == 2 })
            rig.call("first", turn: first, in: &group)
            #expect(await rig.settle(waiting: 3))
            #expect(await rig.advance(toMilliseconds: 150, expecting: 1))
            #expect(await rig.advance(toMilliseconds: 350, expecting: 2))
            #expect(await rig.advance(toMilliseconds: 650, expecting: 3))
            group.cancelAll()
        }
        #expect(rig.log.labels == ["first", "second", "third"])
    }

    @Test("a cancelled wait gives its slot to the next call")
    func cancelledWaitGivesSlotAway() async throws {
        let rig = LimiterRig(groupBudget: 4)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await rig.limiter.run() }
            let limiter = rig.limiter
            let cancelled = Task {
                // An unstructured task only so the test can cancel this one wait on its own.
                try await limiter.acquire()
            }
            #expect(await Poll.until { rig.limiter.waitingCount == 1 })
            rig.call("next", in: &group)
            #expect(await rig.settle(waiting: 2))
            cancelled.cancel()
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            #expect(await rig.advance(toMilliseconds: 150, expecting: 1))
            group.cancelAll()
        }
        #expect(rig.log.values == [.milliseconds(150)])
    }

    @Test("a slot nobody waited for is still spent later in its epoch, but not in its closing guard")
    func lateSlotsWithinTheEpoch() async throws {
        let rig = LimiterRig(groupBudget: 4)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await rig.limiter.run() }
            // Nobody waits at 150 ms. A call that comes at 200 ms takes the passed slot at once.
            rig.clock.advance(by: .milliseconds(200))
            rig.call("late", in: &group)
            #expect(await rig.advance(toMilliseconds: 200, expecting: 1))
            // A call at 460 ms: the epoch's last slot (350) passed and its guard (from 450) began;
            // it waits for the next epoch's first slot.
            #expect(await rig.advance(toMilliseconds: 460, expecting: 1))
            rig.call("next epoch", in: &group)
            #expect(await rig.settle(waiting: 1))
            #expect(await rig.advance(toMilliseconds: 649, expecting: 1))
            #expect(rig.log.count == 1)
            #expect(await rig.advance(toMilliseconds: 650, expecting: 2))
            group.cancelAll()
        }
        #expect(rig.log.values == [.milliseconds(200), .milliseconds(650)])
    }

    @Test("the rate follows the partitions held: budget × assigned / total, whole calls per second")
    func shareFollowsAssignment() {
        let rig = LimiterRig(groupBudget: 20, held: [0], partitionCount: 4)
        #expect(rig.limiter.currentRate == 5)
        rig.budget.partitionsChanged(held: [0, 1], partitionCount: 4)
        #expect(rig.limiter.currentRate == 10)
        rig.budget.partitionsChanged(held: [], partitionCount: 4)
        #expect(rig.limiter.currentRate == 0)
        // An unknown partition count: a member holding anything assumes it is alone.
        let alone = LimiterRig(groupBudget: 20, held: [3])
        #expect(alone.limiter.currentRate == 20)
    }

    @Test("RequestLimitExceeded halves the slots used once per window; successes win them back gradually")
    func aimd() {
        let rig = LimiterRig(groupBudget: 10)
        let limiter = rig.limiter
        #expect(limiter.currentRate == 10)
        limiter.recordRateLimited()
        #expect(limiter.currentRate == 5)
        limiter.recordRateLimited()  // the same burst of rejections: ignored
        #expect(limiter.currentRate == 5)
        rig.clock.advance(by: .seconds(1))
        limiter.recordRateLimited()
        #expect(limiter.currentRate == 2.5)
        limiter.recordSuccess()  // too soon after the cut
        #expect(limiter.currentRate == 2.5)
        var previous = limiter.currentRate
        for _ in 0..<20 {
            rig.clock.advance(by: .seconds(1))
            limiter.recordSuccess()
            limiter.recordSuccess()  // a second success in the same window adds nothing
            #expect(limiter.currentRate >= previous)
            #expect(limiter.currentRate - previous <= 1.0 + 1e-9)
            previous = limiter.currentRate
        }
        #expect(limiter.currentRate == 10)
        // Cuts never go below the floor.
        for _ in 0..<30 {
            rig.clock.advance(by: .seconds(1))
            limiter.recordRateLimited()
        }
        #expect(abs(limiter.currentRate - 0.2) < 1e-9)
    }

    @Test("while the rate is cut, only that fraction of the owned slots is spent")
    func cutRateSkipsSlots() async throws {
        let rig = LimiterRig(groupBudget: 4)
        rig.limiter.recordRateLimited()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await rig.limiter.run() }
            for index in 0..<3 { rig.call("c\(index)", in: &group) }
            #expect(await rig.settle(waiting: 3))
            // Half the slots: 350, 850, 1350 ms.
            #expect(await rig.advance(toMilliseconds: 150, expecting: 0))
            #expect(await rig.advance(toMilliseconds: 350, expecting: 1))
            #expect(await rig.advance(toMilliseconds: 650, expecting: 1))
            #expect(await rig.advance(toMilliseconds: 850, expecting: 2))
            #expect(await rig.advance(toMilliseconds: 1150, expecting: 2))
            #expect(await rig.advance(toMilliseconds: 1350, expecting: 3))
            group.cancelAll()
        }
        #expect(rig.log.values == [350, 850, 1350].map { Duration.milliseconds($0) })
    }

    @Test("a revoked partition's slots are not spent: a waiting call waits for a slot of a partition still held")
    func revokedPartitionSlotsNotSpent() async throws {
        // Two partitions, 4 requests/second: slot k of each half second belongs to partition (global k) mod 2.
        let rig = LimiterRig(groupBudget: 4, held: [0, 1], partitionCount: 2)
        rig.budget.partitionsChanged(held: [1], partitionCount: 2)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await rig.limiter.run() }
            for index in 0..<2 { rig.call("c\(index)", in: &group) }
            #expect(await rig.settle(waiting: 2))
            let schedule = rig.budget.schedule
            let epoch = schedule.epoch(atWall: BudgetScheduleTests.base)
            // Partition 1 owns every odd global slot: 350 ms and 850 ms.
            #expect(schedule.partition(ofSlot: 0, in: epoch, partitionCount: 2) == 0)
            #expect(await rig.advance(toMilliseconds: 150, expecting: 0))
            #expect(await rig.advance(toMilliseconds: 350, expecting: 1))
            #expect(await rig.advance(toMilliseconds: 650, expecting: 1))
            #expect(await rig.advance(toMilliseconds: 850, expecting: 2))
            group.cancelAll()
        }
        #expect(rig.log.values == [.milliseconds(350), .milliseconds(850)])
    }
}
