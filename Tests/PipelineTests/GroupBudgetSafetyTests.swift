import Pipeline
import Testing
import TestSupport

@Suite("The group budget never gives one slot to two members, and spends every slot where there is work")
struct GroupBudgetSafetyTests {
    static let ms = BudgetGroupSimulation.millisecond
    static let second = 1000 * ms

    /// Two busy members holding three partitions each, settled for four seconds.
    static func busyPair() -> BudgetGroupSimulation {
        let simulation = BudgetGroupSimulation()
        for id in ["a", "b"] { simulation.addMember(id).demand = 100 }
        simulation.run(for: 500 * ms)
        simulation.rebalance(["a": [0, 1, 2], "b": [3, 4, 5]])
        simulation.run(for: 4 * second)
        return simulation
    }

    /// One member holding all six partitions, its reader `readLag` behind the log, settled for three seconds.
    static func settledLoneMember(readLag: Int64) -> (BudgetGroupSimulation, BudgetGroupSimulation.Member) {
        let simulation = BudgetGroupSimulation()
        let member = simulation.addMember("a", readLag: readLag)
        simulation.run(for: 500 * ms)
        simulation.rebalance(["a": [0, 1, 2, 3, 4, 5]])
        simulation.run(for: 3 * second)
        return (simulation, member)
    }

    /// The busy pair's partitions after a newcomer `d` got one of each.
    static let withNewcomer: [String: [Int32]] = ["a": [0, 1], "b": [3, 4], "d": [2, 5]]

    /// The epochs of the simulation's last `seconds` seconds (settled, after joins and rebalances).
    static func lastEpochs(_ simulation: BudgetGroupSimulation, seconds: Int64) -> ClosedRange<Int64> {
        let last = simulation.currentEpoch - 1
        return (last - seconds * 2 + 1)...last
    }

    @Test("members whose views disagree — slow writers, slow readers, rebalances every few seconds — never both own a slot")
    func disagreeingViewsNeverDoubleSpend() {
        let simulation = BudgetGroupSimulation()
        simulation.addMember("a", publishDelay: 5 * Self.ms, readLag: 5 * Self.ms)
        simulation.addMember("b", publishDelay: 40 * Self.ms, readLag: 300 * Self.ms)
        // This one reads so late that it often misses the close before its epoch starts.
        simulation.addMember("c", publishDelay: 250 * Self.ms, readLag: 450 * Self.ms, skew: 20 * Self.ms)
        // This one's records reach the log after the next epoch's first record: always late.
        simulation.addMember("d", publishDelay: 700 * Self.ms, readLag: 20 * Self.ms)
        var random = TestRandom(seed: 7)
        let layouts: [[String: [Int32]]] = [
            ["a": [0, 1], "b": [2, 3], "c": [4, 5]],
            ["a": [0, 1, 2], "b": [3, 4, 5]],
            ["b": [0, 1, 2], "c": [3, 4, 5]],
            ["a": [5], "b": [0, 4], "c": [1, 2, 3]],
            ["c": [0, 1, 2, 3, 4, 5]],
            ["d": [0, 1, 2], "a": [3, 4, 5]],
            ["a": [0], "b": [1], "c": [2], "d": [3, 4, 5]],
        ]
        for round in 0..<24 {
            simulation.rebalance(layouts[Int(random.next() % UInt64(layouts.count))], eager: round % 2 == 0)
            for member in simulation.members { member.demand = Int(random.next() % 25) }
            simulation.run(for: Int64(1 + random.next() % 3) * Self.second)
        }
        #expect(simulation.slotsChecked > 800)
        #expect(simulation.doubleOwned.isEmpty, "\(simulation.doubleOwned.prefix(5))")
        // The prompt member did coordinate: it owned more than its partition share would give.
        #expect(simulation.members.allSatisfy { !$0.owned.isEmpty })
    }

    @Test("a group whose members all have work spends every slot once its views are settled")
    func busyGroupSpendsEverySlot() {
        let simulation = BudgetGroupSimulation()
        for id in ["a", "b", "c"] { simulation.addMember(id).demand = 100 }
        simulation.run(for: 500 * Self.ms)
        simulation.rebalance(["a": [0, 1], "b": [2, 3], "c": [4, 5]])
        simulation.run(for: 6 * Self.second)
        #expect(simulation.doubleOwned.isEmpty)
        for epoch in Self.lastEpochs(simulation, seconds: 3) {
            #expect(simulation.ownedSlotsByEpoch[epoch] == simulation.schedule.slots(in: epoch), "epoch \(epoch)")
        }
        // Shared about equally: 20 per second, 6 or 7 each.
        for member in simulation.members {
            let owned = Self.lastEpochs(simulation, seconds: 3).map { member.owned[$0, default: 0] }.reduce(0, +)
            #expect((18...22).contains(owned), "\(member.id): \(owned) of 60")
        }
    }

    @Test("a member with no demand keeps nothing while a busy member asks for everything; the busy member gets the whole budget")
    func idleMemberLendsItsShare() {
        let simulation = BudgetGroupSimulation()
        let busy = simulation.addMember("busy")
        let idle = simulation.addMember("idle")
        busy.demand = 100
        idle.demand = 0
        simulation.run(for: 500 * Self.ms)
        simulation.rebalance(["busy": [0, 1, 2], "idle": [3, 4, 5]])
        simulation.run(for: 6 * Self.second)
        #expect(simulation.doubleOwned.isEmpty)
        let settled = Self.lastEpochs(simulation, seconds: 3)
        #expect(settled.allSatisfy { idle.owned[$0, default: 0] == 0 })
        #expect(settled.map { busy.owned[$0, default: 0] }.reduce(0, +) == 60)

        // The idle member's work arrives: within lead + 1 epochs it has its fair half.
        idle.demand = 100
        simulation.run(for: 3 * Self.second)
        let after = Self.lastEpochs(simulation, seconds: 1)
        #expect(after.map { idle.owned[$0, default: 0] }.reduce(0, +) == 10)
        #expect(simulation.doubleOwned.isEmpty)
    }

    @Test("a member that vanishes stops counting once its last records' epochs are over, and the others take its share")
    func vanishedMemberLeaseExpires() {
        let simulation = BudgetGroupSimulation()
        for id in ["a", "b", "c"] { simulation.addMember(id).demand = 100 }
        simulation.run(for: 500 * Self.ms)
        simulation.rebalance(["a": [0, 1], "b": [2, 3], "c": [4, 5]])
        simulation.run(for: 4 * Self.second)
        // c crashes: it writes and calls nothing more, but keeps its partitions until its session times out.
        simulation.member("c")?.isCrashed = true
        let crashed = simulation.currentEpoch
        simulation.run(for: 3 * Self.second)
        #expect(simulation.doubleOwned.isEmpty)
        // After its last records (lead epochs ahead), c is out of the views: a and b share the pool,
        // and the slots of c's partitions, now unclaimed, wait for their holder.
        #expect(simulation.currentEpoch > crashed + BudgetSchedule.lead + 1)
        #expect(simulation.member("a")?.budget.status(of: simulation.currentEpoch).members == 2)
        for epoch in Self.lastEpochs(simulation, seconds: 1) {
            let owned = (simulation.member("a")?.owned[epoch] ?? 0) + (simulation.member("b")?.owned[epoch] ?? 0)
            #expect(owned >= simulation.schedule.slots(in: epoch) * 2 / 3, "epoch \(epoch): \(owned)")
        }
        // The session times out and the group moves c's partitions: a and b spend everything again.
        simulation.rebalance(["a": [0, 1, 4], "b": [2, 3, 5]], eager: false)
        simulation.run(for: 3 * Self.second)
        for epoch in Self.lastEpochs(simulation, seconds: 1) {
            #expect(simulation.ownedSlotsByEpoch[epoch] == simulation.schedule.slots(in: epoch), "epoch \(epoch)")
        }
        #expect(simulation.doubleOwned.isEmpty)
    }

    @Test("a member joining a busy group spends nothing until it knows the view, then takes its fair share")
    func newMemberStartsLow() {
        let simulation = Self.busyPair()
        // d starts and, at once, the group gives it two partitions.
        let d = simulation.addMember("d")
        d.demand = 100
        let joinedEpoch = simulation.currentEpoch
        simulation.rebalance(Self.withNewcomer, eager: false)
        simulation.run(for: 4 * Self.second)
        #expect(simulation.doubleOwned.isEmpty)
        // Its reader starts at its own first record: views are complete from lead + 2 epochs later.
        let firstKnown = joinedEpoch + BudgetSchedule.lead + 2
        #expect(d.owned.keys.allSatisfy { $0 >= firstKnown }, "spent before it could know: \(d.owned)")
        let settled = Self.lastEpochs(simulation, seconds: 1)
        #expect(settled.map { d.owned[$0, default: 0] }.reduce(0, +) >= 6, "\(d.owned)")
    }

    @Test("a member that cannot write to the coordination topic spends only partitions it has held long enough")
    func writerlessMemberWaitsOutTheHold() {
        let simulation = Self.busyPair()
        let d = simulation.addMember("d")
        d.isPublishing = false
        d.demand = 100
        let joined = simulation.now
        simulation.rebalance(Self.withNewcomer, eager: false)
        simulation.run(for: simulation.schedule.holdBeforeUseNanos - 50 * Self.ms)
        #expect(d.owned.isEmpty, "spent before the previous owners' claims were over: \(d.owned)")
        simulation.run(for: 3 * Self.second)
        #expect(simulation.doubleOwned.isEmpty)
        // Its partitions' slots (2 of 6: about 6.7 a second) are its own.
        let settled = Self.lastEpochs(simulation, seconds: 2)
        let owned = settled.map { d.owned[$0, default: 0] }.reduce(0, +)
        #expect((12...14).contains(owned), "\(owned) in 2 s")
        #expect(simulation.now - joined > simulation.schedule.holdBeforeUseNanos)
    }

    @Test("the grant a lone member reports is the whole budget at every moment, also before the next epoch's view closes")
    func grantPerSecondHasNoDips() {
        let (simulation, a) = Self.settledLoneMember(readLag: 80 * Self.ms)
        // Every 10 ms over two seconds: the first 85 ms of each epoch have no view of the next one yet.
        var reported: [Double] = []
        for _ in 0..<200 {
            simulation.run(for: 10 * Self.ms)
            reported.append(a.budget.grantPerSecond())
        }
        #expect(reported.allSatisfy { $0 == 20 }, "\(Set(reported).sorted())")
    }

    @Test("a member whose reader is behind the epoch's start still reports the group and grant it last saw, not nothing")
    func believedGroupHasNoDips() {
        // The next epoch's view closes 700 ms after the record that closes it is written, one epoch
        // ahead: the first 200 ms of every epoch have no view of it yet.
        let (simulation, a) = Self.settledLoneMember(readLag: 700 * Self.ms)
        var members: [Int] = []
        var grants: [Double] = []
        var currentViewUnknown = 0
        for _ in 0..<200 {
            simulation.run(for: 10 * Self.ms)
            members.append(a.budget.believedGroup().members)
            grants.append(a.budget.grantPerSecond())
            if !a.budget.status(of: simulation.currentEpoch).isViewKnown { currentViewUnknown += 1 }
        }
        #expect(currentViewUnknown >= 20, "the reader lag leaves the current epoch without a view at times")
        #expect(members.allSatisfy { $0 == 1 }, "\(Set(members).sorted())")
        #expect(grants.allSatisfy { $0 == 20 }, "\(Set(grants).sorted())")
    }

    @Test("without coordination every slot is its partition's holder's: budget × assigned / total, in whole calls")
    func partitionShareWithoutCoordination() {
        let simulation = BudgetGroupSimulation(coordinated: false)
        for id in ["a", "b", "c"] { simulation.addMember(id) }
        simulation.rebalance(["a": [0, 1], "b": [2, 3], "c": [4, 5]])
        simulation.run(for: 3 * Self.second + 20 * Self.ms)
        #expect(simulation.doubleOwned.isEmpty)
        let seconds = Self.lastEpochs(simulation, seconds: 3)
        for member in simulation.members {
            #expect(seconds.map { member.owned[$0, default: 0] }.reduce(0, +) == 20, "\(member.id)")
        }
        // Partitions move at once, with no hold: without coordination nobody can have claimed them.
        simulation.rebalance(["a": [0, 1, 2, 3, 4, 5]])
        simulation.run(for: 1 * Self.second + 20 * Self.ms)
        let last = Self.lastEpochs(simulation, seconds: 1)
        #expect(last.map { simulation.member("a")?.owned[$0] ?? 0 }.reduce(0, +) == 20)
    }
}
