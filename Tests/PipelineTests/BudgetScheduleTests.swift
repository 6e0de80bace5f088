import Pipeline
import Testing

@Suite("The call grid lays the group budget out as slots inside each wall-clock second")
struct BudgetScheduleTests {
    static let second: Int64 = 1_000_000_000
    /// A wall-clock second well after 1970 (2027-01-15), so negative-time arithmetic is never involved.
    static let base: Int64 = 1_800_000_000 * second

    /// Every slot's wall time over `seconds` seconds from `base`.
    static func slotTimes(_ schedule: BudgetSchedule, seconds: Int64) -> [Int64] {
        let first = schedule.epoch(atWall: base)
        let last = schedule.epoch(atWall: base + seconds * second - 1)
        var times: [Int64] = []
        for epoch in first...last {
            for index in 0..<schedule.slots(in: epoch) { times.append(schedule.time(ofSlot: index, in: epoch)) }
        }
        return times
    }

    @Test(
        "every wall-clock second has exactly ⌊budget⌋ slots, none closer than the guard to its edges",
        arguments: [2.0, 3, 4, 20, 21, 20.5, 100, 1000]
    )
    func slotsPerSecond(budget: Double) {
        let schedule = BudgetSchedule(groupBudget: budget)
        let times = Self.slotTimes(schedule, seconds: 4)
        for second in 0..<Int64(4) {
            let start = Self.base + second * Self.second
            let inSecond = times.filter { $0 >= start && $0 < start + Self.second }
            #expect(inSecond.count == Int(budget.rounded(.down)), "second \(second)")
            #expect(inSecond.allSatisfy { $0 - start >= schedule.guardNanos && start + Self.second - $0 >= schedule.guardNanos })
        }
        #expect(times == times.sorted())
        #expect(Set(times).count == times.count)
    }

    @Test("below 2 requests per second an epoch holds one slot: one call per ⌈1/budget⌉ seconds", arguments: [1.0, 1.5, 0.5, 0.3])
    func slowBudgets(budget: Double) {
        let schedule = BudgetSchedule(groupBudget: budget)
        let epochSeconds = budget >= 1 ? 1 : Int64((1 / budget).rounded(.up))
        #expect(schedule.epochNanos == epochSeconds * Self.second)
        let times = Self.slotTimes(schedule, seconds: 12 * epochSeconds)
        #expect(times.count == 12)
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later - earlier == epochSeconds * Self.second) }
    }

    @Test("slots rotate over the partitions, so every partition owns the same share of the grid over time")
    func rotation() {
        let schedule = BudgetSchedule(groupBudget: 20)
        var perPartition = [Int](repeating: 0, count: 6)
        let first = schedule.epoch(atWall: Self.base)
        for epoch in first..<(first + 12) {
            for index in 0..<schedule.slots(in: epoch) {
                perPartition[Int(schedule.partition(ofSlot: index, in: epoch, partitionCount: 6))] += 1
            }
        }
        // 6 seconds × 20 slots = 120 slots, 20 per partition.
        #expect(perPartition == [Int](repeating: 20, count: 6))
    }

    @Test("the first slot at or after an instant is found exactly")
    func firstSlotAtOrAfter() {
        for budget in [4.0, 20, 1000] {
            let schedule = BudgetSchedule(groupBudget: budget)
            let epoch = schedule.epoch(atWall: Self.base)
            let count = schedule.slots(in: epoch)
            for step in stride(from: Int64(0), through: schedule.epochNanos, by: Int(schedule.epochNanos / 97)) {
                let instant = schedule.start(of: epoch) + step
                let expected = (0..<count).first { schedule.time(ofSlot: $0, in: epoch) >= instant } ?? count
                #expect(schedule.firstSlot(atOrAfter: instant, in: epoch) == expected, "budget \(budget), +\(step)")
            }
        }
    }

    @Test("a late slot is still spent until the guard before its epoch's end, which leaves room after the last slot")
    func lastUse() {
        let schedule = BudgetSchedule(groupBudget: 20)
        let epoch = schedule.epoch(atWall: Self.base)
        let lastSlot = schedule.time(ofSlot: schedule.slots(in: epoch) - 1, in: epoch)
        #expect(schedule.lastUse(of: epoch) > lastSlot)
        #expect(schedule.start(of: epoch + 1) - schedule.lastUse(of: epoch) == schedule.guardNanos)
    }
}
