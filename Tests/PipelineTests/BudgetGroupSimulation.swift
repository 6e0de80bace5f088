import Pipeline
import TestSupport

/// A consumer group's budget coordination, simulated on a manual clock: members write their record
/// each epoch to one shared log (appended after a delay), read it back after a lag, and hold input
/// partitions that move between them the way Kafka moves them (revoked from the old owner before the
/// new owner gets them). After every step it checks who owns every slot of the grid that passed.
///
/// Nothing here decides ownership: each member is a real ``GroupBudget``; the simulation only moves
/// records and partitions around, and counts.
final class BudgetGroupSimulation {
    final class Member {
        let id: String
        let budget: GroupBudget<ManualClock>
        /// Records reach the log this long after they are written.
        var publishDelay: Int64
        /// The member reads records this long after they reach the log.
        var readLag: Int64
        var demand = 0
        var isPublishing = true
        /// A crashed member writes, reads and calls nothing (its partitions stay with it until moved).
        var isCrashed = false
        var readPosition: Int?
        var lastEpoch: Int64 = .min
        var hasPublished = false
        /// Slots owned, by epoch.
        var owned: [Int64: Int] = [:]

        init(id: String, budget: GroupBudget<ManualClock>, publishDelay: Int64, readLag: Int64) {
            self.id = id
            self.budget = budget
            self.publishDelay = publishDelay
            self.readLag = readLag
        }
    }

    struct Entry {
        var appendedAt: Int64
        var bytes: [UInt8]
        var member: String
        var isFirstOfMember: Bool
    }

    static let millisecond: Int64 = 1_000_000
    let clock = ManualClock()
    let schedule: BudgetSchedule
    let groupBudget: Double
    let base = BudgetScheduleTests.base
    let partitionCount: Int
    private(set) var members: [Member] = []
    private var pending: [Entry] = []
    private(set) var log: [Entry] = []
    /// Slot checks: slots whose time passed, and how many members owned each.
    private(set) var slotsChecked = 0
    private(set) var doubleOwned: [String] = []
    /// Per epoch, how many slots had an owner.
    private(set) var ownedSlotsByEpoch: [Int64: Int] = [:]
    private var checkedThrough: Int64
    let coordinated: Bool

    init(groupBudget: Double = 20, partitionCount: Int = 6, coordinated: Bool = true) {
        self.groupBudget = groupBudget
        self.schedule = BudgetSchedule(groupBudget: groupBudget)
        self.partitionCount = partitionCount
        self.coordinated = coordinated
        self.checkedThrough = base
    }

    /// The simulation's true wall time.
    var now: Int64 { base + BudgetTimeline<ManualClock>.nanosecondsForTests(clock.now.offset) }

    /// Adds a member (its clock `skew` nanoseconds off the true wall time).
    @discardableResult
    func addMember(_ id: String, publishDelay: Int64 = 5 * millisecond, readLag: Int64 = 10 * millisecond, skew: Int64 = 0) -> Member {
        let timeline = BudgetTimeline(clock: clock, wallNanos: now + skew)
        let budget = GroupBudget(
            groupBudget: groupBudget,
            timeline: timeline,
            coordination: coordinated ? BudgetCoordination(member: id, group: "g", inputTopic: "in") : nil
        )
        let member = Member(id: id, budget: budget, publishDelay: publishDelay, readLag: readLag)
        members.append(member)
        return member
    }

    func member(_ id: String) -> Member? { members.first { $0.id == id } }

    /// Moves partitions the way a rebalance does: every partition is taken from whoever held it
    /// before anyone gets it. Eager rebalances revoke everything first (a kept partition counts as
    /// newly acquired); cooperative ones revoke only what moves. Members not named keep nothing.
    func rebalance(_ assignment: [String: [Int32]], eager: Bool = true) {
        for member in members {
            let kept = eager ? [] : (assignment[member.id] ?? [])
            let current = Set(held[member.id] ?? [])
            member.budget.partitionsChanged(held: kept.filter { current.contains($0) }, partitionCount: partitionCount)
        }
        for (id, partitions) in assignment {
            member(id)?.budget.partitionsChanged(held: partitions, partitionCount: partitionCount)
        }
        held = assignment
    }

    private var held: [String: [Int32]] = [:]

    /// Runs for `duration` in steps of `step`, checking every slot that passes.
    func run(for duration: Int64, step: Int64 = 10 * millisecond) {
        let end = now + duration
        while now < end {
            clock.advance(by: .nanoseconds(step))
            publish()
            deliver()
            read()
            checkSlots()
        }
    }

    private func publish() {
        for member in members where member.isPublishing && !member.isCrashed && coordinated {
            let epoch = schedule.epoch(atWall: member.budget.timeline.nowWallNanos())
            guard epoch > member.lastEpoch else { continue }
            member.lastEpoch = epoch
            guard let record = member.budget.makeRecord(demand: member.demand) else { continue }
            pending.append(
                Entry(appendedAt: now + member.publishDelay, bytes: record.encoded, member: member.id, isFirstOfMember: !member.hasPublished)
            )
            member.hasPublished = true
        }
    }

    private func deliver() {
        let due = pending.filter { $0.appendedAt <= now }.sorted { $0.appendedAt < $1.appendedAt }
        pending.removeAll { $0.appendedAt <= now }
        for entry in due {
            log.append(entry)
            // The writer's first record: its reader starts there, once the write is acknowledged.
            if entry.isFirstOfMember, let member = member(entry.member), !member.isCrashed {
                member.readPosition = log.count - 1
                member.budget.anchorReader(acknowledgedAtWall: member.budget.timeline.nowWallNanos())
            }
        }
    }

    private func read() {
        for member in members where !member.isCrashed {
            guard var position = member.readPosition else { continue }
            while position < log.count, log[position].appendedAt <= now - member.readLag {
                _ = member.budget.ingest(log[position].bytes)
                position += 1
            }
            member.readPosition = position
        }
    }

    private func checkSlots() {
        let from = checkedThrough
        let to = now
        checkedThrough = to
        for epoch in schedule.epoch(atWall: from)...schedule.epoch(atWall: to) {
            for index in 0..<schedule.slots(in: epoch) {
                let time = schedule.time(ofSlot: index, in: epoch)
                guard time > from, time <= to else { continue }
                slotsChecked += 1
                let slot = GroupBudget<ManualClock>.SlotPosition(epoch: epoch, index: index)
                let owners = members.filter { !$0.isCrashed && $0.budget.owns(slot) }
                if owners.count > 1 { doubleOwned.append("epoch \(epoch) slot \(index): \(owners.map(\.id))") }
                for owner in owners { owner.owned[epoch, default: 0] += 1 }
                if !owners.isEmpty { ownedSlotsByEpoch[epoch, default: 0] += 1 }
            }
        }
    }

    /// The epoch the simulation is in now.
    var currentEpoch: Int64 { schedule.epoch(atWall: now) }
}

extension BudgetTimeline {
    /// Whole nanoseconds of a manual-clock offset.
    static func nanosecondsForTests(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
