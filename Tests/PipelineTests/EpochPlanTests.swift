import Pipeline
import Testing

@Suite("An epoch's plan divides the pool by demand, max-min fair, and keeps unclaimed partitions' slots for their holders")
struct EpochPlanTests {
    static let schedule = BudgetSchedule(groupBudget: 20)
    static let epoch = BudgetSchedule(groupBudget: 20).epoch(atWall: BudgetScheduleTests.base)

    @Test("members get their demand or an equal share of what is left, whichever is less")
    func maxMinFair() {
        #expect(EpochPlan.allocate(pool: 10, demands: [1, 2, 20], rotation: 0) == [1, 2, 7])
        #expect(EpochPlan.allocate(pool: 10, demands: [20, 20], rotation: 0) == [5, 5])
        let split = EpochPlan.allocate(pool: 10, demands: [3, 20, 20], rotation: 0)
        #expect(split[0] == 3 && split[1] + split[2] == 7 && abs(split[1] - split[2]) <= 1)
    }

    @Test("what nobody asked for is shared equally, so the whole pool is always handed out")
    func leftoverShared() {
        #expect(EpochPlan.allocate(pool: 10, demands: [0, 0, 0, 0, 0], rotation: 0) == [2, 2, 2, 2, 2])
        // The one asking gets its slot; the nine nobody asked for are split between both.
        #expect(EpochPlan.allocate(pool: 10, demands: [1, 0], rotation: 0) == [6, 4])
        #expect(EpochPlan.allocate(pool: 0, demands: [5, 5], rotation: 0) == [0, 0])
        #expect(EpochPlan.allocate(pool: 7, demands: [], rotation: 0) == [])
    }

    @Test("over many random demands: the whole pool goes out, nobody gets more than asked while others lack, and it is max-min fair")
    func allocationProperties() {
        var random = TestRandom(seed: 42)
        for _ in 0..<2000 {
            let count = 1 + Int(random.next() % 6)
            let pool = Int(random.next() % 40)
            let demands = (0..<count).map { _ in Int(random.next() % 15) }
            let rotation = Int(random.next() % 7)
            let allotments = EpochPlan.allocate(pool: pool, demands: demands, rotation: rotation)
            #expect(allotments.reduce(0, +) == pool, "\(pool) over \(demands)")
            let anyUnsatisfied = zip(allotments, demands).contains { $0 < $1 }
            if anyUnsatisfied {
                // While someone lacks, nobody gets more than it asked for …
                #expect(zip(allotments, demands).allSatisfy { $0 <= $1 }, "\(pool) over \(demands): \(allotments)")
                // … and no unsatisfied member has more than one slot less than any other member.
                for (index, allotment) in allotments.enumerated() where allotment < demands[index] {
                    #expect(allotments.allSatisfy { $0 <= allotment + 1 }, "\(pool) over \(demands): \(allotments)")
                }
            }
        }
    }

    @Test("with a shared view, every slot of the epoch has exactly one owner among the members and the holders of unclaimed partitions")
    func everySlotOneOwner() {
        // Three members claim partitions 0-3 of 6; partitions 4 and 5 are held by a member not in the view.
        let view: [(member: String, entry: BudgetLedger.Entry)] = [
            ("a", .init(demand: 9, claims: [0, 1], partitions: 6)),
            ("b", .init(demand: 0, claims: [2], partitions: 6)),
            ("c", .init(demand: 2, claims: [3], partitions: 6)),
        ]
        let plan = EpochPlan(view: view, epoch: Self.epoch, schedule: Self.schedule, fallbackPartitionCount: 6)
        let holdings: [String: Set<Int>] = ["a": [0, 1], "b": [2], "c": [3], "outsider": [4, 5]]
        var owned: [String: Int] = [:]
        for slot in 0..<plan.slotCount {
            let owners = holdings.filter { member, held in
                plan.owns(slot: slot, member: member == "outsider" ? nil : member, usable: held)
            }
            #expect(owners.count == 1, "slot \(slot): \(owners.keys.sorted())")
            for owner in owners.keys { owned[owner, default: 0] += 1 }
        }
        #expect(owned.values.reduce(0, +) == plan.slotCount)
        // The outsider keeps its partitions' slots; the busiest member gets most of the pool.
        for (member, held) in holdings {
            #expect(plan.slotCount(member: member == "outsider" ? nil : member, usable: held) == owned[member, default: 0])
        }
        #expect(owned["a", default: 0] > owned["c", default: 0])
        #expect(owned["c", default: 0] >= 2)
    }

    @Test("the next owned slot is the first slot the member owns at or after a position")
    func nextSlotMatchesOwnership() {
        let view: [(member: String, entry: BudgetLedger.Entry)] = [
            ("a", .init(demand: 3, claims: [0, 2], partitions: 5)),
            ("b", .init(demand: 30, claims: [1], partitions: 5)),
        ]
        let wide = BudgetSchedule(groupBudget: 200)
        let plan = EpochPlan(view: view, epoch: Self.epoch, schedule: wide, fallbackPartitionCount: 5)
        for (member, usable) in [("a", Set([3])), ("b", Set([4])), ("x", Set([3, 4]))] {
            let name: String? = member == "x" ? nil : member
            for start in 0...plan.slotCount {
                let expected = (start..<plan.slotCount).first { plan.owns(slot: $0, member: name, usable: usable) }
                #expect(plan.nextSlot(from: start, member: name, usable: usable) == expected, "\(member) from \(start)")
            }
        }
    }
}

/// A small seeded generator (SplitMix64) so property checks repeat exactly.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
