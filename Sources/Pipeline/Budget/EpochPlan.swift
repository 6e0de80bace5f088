/// Who owns each slot of one epoch, as every member with the same view computes it.
///
/// Slot `k` belongs to input partition `(firstGlobalSlot + k) mod P`, so over time every partition
/// owns the same share of the grid. The slots of partitions some member claimed form the pool, which
/// is divided among the members of the view by demand, max-min fair (``allocate(pool:demands:rotation:)``),
/// each member taking one contiguous run of pool slots. The slots of partitions nobody claimed are
/// kept for whoever holds that partition at the slot's instant: a member that is not in the view
/// (starting, or unable to coordinate) spends those, and nobody else does. Without a view at all,
/// the plan has no members and every slot is a partition's.
package struct EpochPlan: Sendable {
    package let slotCount: Int
    /// Partitions the grid is laid over (at least 1).
    package let partitionCount: Int
    /// The partition of slot 0.
    package let rotation: Int
    /// Per partition: whether a member of the view claimed it (its slots are in the pool).
    package let claimed: [Bool]
    /// Offsets `j` in `0..<partitionCount`, ascending, whose partition `(rotation + j) % P` is claimed.
    package let claimedOffsets: [Int]
    /// Members in the order their runs are laid out, and where each run ends in pool-index space.
    package let members: [String]
    package let runEnds: [Int]
    /// Members' published demand, in `members` order (for the group-demand gauge).
    package let demands: [Int]

    /// A plan from a closed view.
    package init(
        view: [(member: String, entry: BudgetLedger.Entry)],
        epoch: Int64,
        schedule: BudgetSchedule,
        fallbackPartitionCount: Int
    ) {
        let viewPartitions = view.map(\.entry.partitions).max() ?? 0
        let partitionCount = max(1, viewPartitions > 0 ? viewPartitions : fallbackPartitionCount)
        let slotCount = schedule.slots(in: epoch)
        var claimed = [Bool](repeating: false, count: partitionCount)
        for (_, entry) in view {
            for claim in entry.claims where Int(claim) < partitionCount { claimed[Int(claim)] = true }
        }
        let rotation = Int(schedule.partition(ofSlot: 0, in: epoch, partitionCount: partitionCount))
        let claimedOffsets = (0..<partitionCount).filter { claimed[(rotation + $0) % partitionCount] }
        // Pool size: pool slots before index `slotCount`.
        let pool = Self.poolIndex(
            before: slotCount,
            partitionCount: partitionCount,
            claimedOffsets: claimedOffsets
        )
        // Runs start at a member that moves with the epoch, so no member is always first.
        let count = view.count
        let start = count > 0 ? Int((epoch % Int64(count) + Int64(count)) % Int64(count)) : 0
        let ordered = (0..<count).map { view[(start + $0) % count] }
        let allotments = Self.allocate(pool: pool, demands: ordered.map(\.entry.demand), rotation: 0)
        var ends: [Int] = []
        var total = 0
        for allotment in allotments {
            total += allotment
            ends.append(total)
        }
        self.slotCount = slotCount
        self.partitionCount = partitionCount
        self.rotation = rotation
        self.claimed = claimed
        self.claimedOffsets = claimedOffsets
        self.members = ordered.map(\.member)
        self.runEnds = ends
        self.demands = ordered.map(\.entry.demand)
    }

    /// A plan without a view: every slot is its partition's.
    package init(epoch: Int64, schedule: BudgetSchedule, partitionCount: Int) {
        let partitionCount = max(1, partitionCount)
        self.slotCount = schedule.slots(in: epoch)
        self.partitionCount = partitionCount
        self.rotation = Int(schedule.partition(ofSlot: 0, in: epoch, partitionCount: partitionCount))
        self.claimed = [Bool](repeating: false, count: partitionCount)
        self.claimedOffsets = []
        self.members = []
        self.runEnds = []
        self.demands = []
    }

    /// The partition slot `index` belongs to.
    package func partition(ofSlot index: Int) -> Int { (rotation + index) % partitionCount }

    /// How many pool slots lie before slot `index`.
    package static func poolIndex(before index: Int, partitionCount: Int, claimedOffsets: [Int]) -> Int {
        let full = index / partitionCount
        let rest = index % partitionCount
        var partial = 0
        for offset in claimedOffsets {
            if offset < rest { partial += 1 } else { break }
        }
        return full * claimedOffsets.count + partial
    }

    /// The slot index of pool slot `poolIndex`.
    package func slot(ofPoolIndex poolIndex: Int) -> Int {
        let count = claimedOffsets.count
        return (poolIndex / count) * partitionCount + claimedOffsets[poolIndex % count]
    }

    /// `member`'s run of pool indices (empty when it is not in the view).
    package func run(of member: String) -> Range<Int> {
        guard let position = members.firstIndex(of: member) else { return 0..<0 }
        let lower = position == 0 ? 0 : runEnds[position - 1]
        return lower..<runEnds[position]
    }

    /// The first slot at or after `index` that `member` owns, where it may also spend the slots of the
    /// unclaimed partitions in `usable`; `nil` when it owns no later slot in this epoch.
    package func nextSlot(from index: Int, member: String?, usable: Set<Int>) -> Int? {
        guard index < slotCount else { return nil }
        var best: Int?
        if let member, !claimedOffsets.isEmpty {
            let run = self.run(of: member)
            let first = max(run.lowerBound, Self.poolIndex(before: index, partitionCount: partitionCount, claimedOffsets: claimedOffsets))
            if first < run.upperBound {
                let candidate = slot(ofPoolIndex: first)
                if candidate < slotCount { best = candidate }
            }
        }
        if !usable.isEmpty {
            let limit = min(slotCount, best ?? slotCount, index + partitionCount)
            var candidate = index
            while candidate < limit {
                let partition = self.partition(ofSlot: candidate)
                if !claimed[partition], usable.contains(partition) {
                    best = candidate
                    break
                }
                candidate += 1
            }
        }
        return best
    }

    /// Whether `member` (or the holder of an unclaimed partition in `usable`) owns slot `index`.
    package func owns(slot index: Int, member: String?, usable: Set<Int>) -> Bool {
        guard index < slotCount else { return false }
        let partition = self.partition(ofSlot: index)
        if !claimed[partition] { return usable.contains(partition) }
        guard let member else { return false }
        let poolIndex = Self.poolIndex(before: index, partitionCount: partitionCount, claimedOffsets: claimedOffsets)
        return run(of: member).contains(poolIndex)
    }

    /// How many slots of this epoch `member` owns (with `usable` as in ``nextSlot(from:member:usable:)``).
    package func slotCount(member: String?, usable: Set<Int>) -> Int {
        var total = 0
        if let member, !claimedOffsets.isEmpty {
            let pool = Self.poolIndex(before: slotCount, partitionCount: partitionCount, claimedOffsets: claimedOffsets)
            let run = self.run(of: member)
            total += max(0, min(run.upperBound, pool) - run.lowerBound)
        }
        for partition in usable where partition < partitionCount && !claimed[partition] {
            let offset = (partition - rotation + partitionCount) % partitionCount
            total += slotCount / partitionCount + (offset < slotCount % partitionCount ? 1 : 0)
        }
        return total
    }

    /// Divides `pool` slots by demand, max-min fair: every member gets what it asked for or an equal
    /// share of what is left, whichever is less; what nobody asked for is shared equally by all, so a
    /// member whose work arrives meanwhile has slots at once. Integer remainders go to members in
    /// order from `rotation`. Always hands out the whole pool when there is a member.
    package static func allocate(pool: Int, demands: [Int], rotation: Int) -> [Int] {
        let count = demands.count
        guard count > 0, pool > 0 else { return [Int](repeating: 0, count: count) }
        let order = (0..<count).map { (rotation + $0) % count }
        var allotments = [Int](repeating: 0, count: count)
        var remaining = pool
        var active = order.filter { demands[$0] > 0 }
        while remaining > 0, !active.isEmpty {
            let share = remaining / active.count
            if share == 0 {
                for index in active.prefix(remaining) { allotments[index] += 1 }
                remaining -= min(remaining, active.count)
                break
            }
            var unsatisfied: [Int] = []
            for index in active {
                let given = min(demands[index] - allotments[index], share)
                allotments[index] += given
                remaining -= given
                if allotments[index] < demands[index] { unsatisfied.append(index) }
            }
            active = unsatisfied
        }
        if remaining > 0 {
            let each = remaining / count
            let extra = remaining % count
            for (position, index) in order.enumerated() { allotments[index] += each + (position < extra ? 1 : 0) }
        }
        return allotments
    }
}
