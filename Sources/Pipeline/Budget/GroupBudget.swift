import Synchronization

/// This member's part of the group-wide budget: which slots of the call grid it may spend.
///
/// The rules, and why the group can never exceed its budget in any wall-clock second, whatever its
/// members' views and however they join, leave and fail:
///
/// - Every slot of the grid (``BudgetSchedule``) has one owner. Where this member knows the closed
///   view of an epoch (``BudgetLedger``), it spends its run of the pool and the slots of the
///   partitions it holds that nobody in the view claimed (``EpochPlan``); every other member that
///   knows the view computes the same plan, so their slots are disjoint from this member's.
/// - A member that does not know the view spends only slots of partitions it holds, has held long
///   enough that no view can still count a previous owner's claim (``BudgetSchedule/holdBeforeUseNanos``),
///   and did not claim itself in a record for that epoch (its record may be in the view, handing
///   those slots to the pool). Kafka gives each partition to one member at a time, so these are
///   exactly slots nobody in the view spends.
/// - Without coordination (``BudgetCoordination`` is `nil`), every slot is its partition's: the
///   safe partition share, budget × assigned / total, in whole calls per second.
///
/// Times are wall-clock nanoseconds on the shared ``BudgetTimeline``.
public final class GroupBudget<C: Clock>: Sendable where C.Duration == Duration {
    /// A slot of the grid: its epoch and its index within the epoch.
    public struct SlotPosition: Sendable, Hashable, Comparable {
        /// The epoch.
        public var epoch: Int64
        /// The slot's index in the epoch.
        public var index: Int

        /// A slot.
        public init(epoch: Int64, index: Int) {
            self.epoch = epoch
            self.index = index
        }

        /// Earlier slots order first.
        public static func < (lhs: SlotPosition, rhs: SlotPosition) -> Bool {
            (lhs.epoch, lhs.index) < (rhs.epoch, rhs.index)
        }
    }

    /// What a coordination record did when read.
    public enum IngestOutcome: Sendable, Hashable {
        /// It counts for its epoch's view.
        case counted
        /// It came after its epoch's view closed, or repeats a member's record: it counts for nobody.
        case ignored
        /// It is not to be trusted; the caller warns.
        case rejected(BudgetRecord.Rejection)
    }

    /// What the budget looks like from here in one epoch, for metrics and logs.
    public struct Status: Sendable, Hashable {
        /// Slots this member owns in the epoch.
        public var grant: Int
        /// Whether this member knows the epoch's view.
        public var isViewKnown: Bool
        /// Members in the view (0 when unknown).
        public var members: Int
        /// The view's total demand, in calls for the epoch (0 when unknown).
        public var groupDemand: Int
        /// Slots in the epoch for the whole group.
        public var groupSlots: Int
    }

    private struct State {
        var ledger = BudgetLedger()
        /// Held input partitions and when each was acquired.
        var held: [Int32: Int64] = [:]
        var partitionCount = 0
        /// Partitions this member claimed in its record for each epoch.
        var ownClaims: [Int64: Set<Int32>] = [:]
        var plans: [Int64: EpochPlan] = [:]
        var prunedBefore: Int64 = .min
    }

    /// The call grid.
    public let schedule: BudgetSchedule
    /// Wall-clock time for the grid.
    public let timeline: BudgetTimeline<C>
    /// Who this member is in the coordination; `nil` when it takes the partition share only.
    public let coordination: BudgetCoordination?
    private let state = Mutex(State())

    /// A budget for `groupBudget` requests per second on `timeline`.
    public init(groupBudget: Double, timeline: BudgetTimeline<C>, coordination: BudgetCoordination?) {
        self.schedule = BudgetSchedule(groupBudget: groupBudget)
        self.timeline = timeline
        self.coordination = coordination
    }

    // MARK: Partitions

    /// The partitions this member holds changed (`partitionCount` `nil`: unchanged). Newly held
    /// partitions are stamped now, for the hold rule.
    public func partitionsChanged(held: [Int32], partitionCount: Int?) {
        let now = timeline.nowWallNanos()
        state.withLock { s in
            var next: [Int32: Int64] = [:]
            for partition in held { next[partition] = s.held[partition] ?? now }
            s.held = next
            if let partitionCount, partitionCount > 0 { s.partitionCount = partitionCount }
        }
    }

    /// These partitions are being revoked: their slots are no longer this member's, from now on.
    /// Called as the rebalance happens (before the group can give them to another member), ahead of
    /// the pipeline hearing of it.
    public func partitionsRevoked(_ partitions: [Int32]) {
        state.withLock { s in
            for partition in partitions { s.held[partition] = nil }
        }
    }

    /// The input topic's partition count as this member last knew it (0 when unknown).
    public var partitionCount: Int { state.withLock { $0.partitionCount } }

    // MARK: Slots

    /// The first slot at or after `position` this member owns, looking at most `horizon` epochs
    /// ahead; `nil` when it owns none of them (as things stand now).
    public func nextOwnedSlot(from position: SlotPosition, horizon: Int64 = 4) -> SlotPosition? {
        let now = timeline.nowWallNanos()
        return state.withLock { s -> SlotPosition? in
            var epoch = position.epoch
            var index = position.index
            while epoch <= position.epoch + horizon {
                let (plan, member, usable) = ownership(in: epoch, now: now, &s)
                if let slot = plan.nextSlot(from: index, member: member, usable: usable) {
                    return SlotPosition(epoch: epoch, index: slot)
                }
                epoch += 1
                index = 0
            }
            return nil
        }
    }

    /// Whether this member owns `position`, as things stand now.
    public func owns(_ position: SlotPosition) -> Bool {
        let now = timeline.nowWallNanos()
        return state.withLock { s in
            let (plan, member, usable) = ownership(in: position.epoch, now: now, &s)
            return plan.owns(slot: position.index, member: member, usable: usable)
        }
    }

    /// The budget as seen now for `epoch`.
    public func status(of epoch: Int64) -> Status {
        let now = timeline.nowWallNanos()
        return state.withLock { s in
            let (plan, member, usable) = ownership(in: epoch, now: now, &s)
            let isKnown = coordination != nil && s.plans[epoch] != nil
            return Status(
                grant: plan.slotCount(member: member, usable: usable),
                isViewKnown: isKnown,
                members: isKnown ? plan.members.count : 0,
                groupDemand: isKnown ? plan.demands.reduce(0, +) : 0,
                groupSlots: schedule.slots(in: epoch)
            )
        }
    }

    /// The group as this member last saw it: the status of the newest epoch, at or before the current
    /// one, whose view it knows. A reader a little behind (a slow broker, a busy machine) closes the
    /// current epoch's view only after the epoch has begun; until then the group it believes in is the
    /// one of the view before, not a group of nobody. Unknown (members 0) only when no kept epoch's
    /// view is known: no coordination, or a reader that has fallen behind.
    public func believedGroup() -> Status {
        let current = schedule.epoch(atWall: timeline.nowWallNanos())
        var newest = status(of: current)
        for epoch in stride(from: current - 1, through: current - 2, by: -1) where !newest.isViewKnown {
            newest = status(of: epoch)
        }
        return newest
    }

    /// Slots this member owns per second around now: the grant of the second that ends with the
    /// current epoch (it and the one before, with half-second epochs), or of the current epoch when
    /// epochs are longer. Only epochs already begun count: the next epoch's view closes only when the
    /// first record for a later one is read, so until then it would look like a grant of nothing.
    /// For the same reason, while coordinating, the second ends with the newest epoch whose view is
    /// known: a reader a little behind closes the current epoch's view after the epoch has begun, and
    /// until then this member spends none of its slots, but its grant is the one it last knew, not 0.
    public func grantPerSecond() -> Double {
        let current = schedule.epoch(atWall: timeline.nowWallNanos())
        let seconds = Double(schedule.epochNanos) / 1e9
        let isHalfSecond = schedule.epochNanos < 1_000_000_000
        var newest = current
        if coordination != nil {
            let isKnown = { (epoch: Int64) in self.status(of: epoch).isViewKnown }
            let known = [current, current - 1].first { isKnown($0) && (!isHalfSecond || isKnown($0 - 1)) }
            if let known { newest = known }
        }
        if isHalfSecond {
            return Double(status(of: newest - 1).grant + status(of: newest).grant)
        }
        return Double(status(of: newest).grant) / seconds
    }

    /// Under the lock: the plan for `epoch`, whose run to spend, and which unclaimed partitions' slots.
    private func ownership(in epoch: Int64, now: Int64, _ s: inout State) -> (EpochPlan, String?, Set<Int>) {
        pruneIfDue(now: now, &s)
        let heldPartitions = Set(s.held.keys.map(Int.init))
        guard let coordination else {
            return partitionPlan(epoch: epoch, usable: heldPartitions, s)
        }
        if let plan = s.plans[epoch] { return (plan, coordination.member, heldPartitions) }
        if let view = s.ledger.view(of: epoch) {
            let plan = EpochPlan(view: view, epoch: epoch, schedule: schedule, fallbackPartitionCount: s.partitionCount)
            s.plans[epoch] = plan
            return (plan, coordination.member, heldPartitions)
        }
        // No view: only partitions held long enough, and not claimed in this member's own record.
        let claimed = s.ownClaims[epoch] ?? []
        let settled = now - schedule.holdBeforeUseNanos
        let usable = Set(s.held.filter { $0.value <= settled && !claimed.contains($0.key) }.keys.map(Int.init))
        return partitionPlan(epoch: epoch, usable: usable, s)
    }

    /// A plan where every slot is a partition's. With the partition count unknown, a member holding
    /// any partition takes every slot (it assumes it is alone, as librdkafka's metadata failing would suggest).
    private func partitionPlan(epoch: Int64, usable: Set<Int>, _ s: State) -> (EpochPlan, String?, Set<Int>) {
        guard s.partitionCount > 0 else {
            return (EpochPlan(epoch: epoch, schedule: schedule, partitionCount: 1), nil, usable.isEmpty ? [] : [0])
        }
        return (EpochPlan(epoch: epoch, schedule: schedule, partitionCount: s.partitionCount), nil, usable)
    }

    private func pruneIfDue(now: Int64, _ s: inout State) {
        let keepFrom = schedule.epoch(atWall: now) - 2
        guard keepFrom > s.prunedBefore else { return }
        s.prunedBefore = keepFrom
        s.ledger.prune(before: keepFrom)
        if s.plans.keys.contains(where: { $0 < keepFrom }) { s.plans = s.plans.filter { $0.key >= keepFrom } }
        if s.ownClaims.keys.contains(where: { $0 < keepFrom }) { s.ownClaims = s.ownClaims.filter { $0.key >= keepFrom } }
    }

    // MARK: Coordination

    /// This member's record for the epoch `lead` epochs from now, claiming the partitions it holds;
    /// `nil` without coordination. The claims are remembered first: from here on, this member
    /// assumes the record may be in that epoch's view, whether or not it is ever written.
    public func makeRecord(demand: Int) -> BudgetRecord? {
        guard let coordination else { return nil }
        let now = timeline.nowWallNanos()
        let current = schedule.epoch(atWall: now)
        let epoch = current + BudgetSchedule.lead
        return state.withLock { s in
            let claims = s.held.keys.sorted()
            s.ownClaims[epoch, default: []].formUnion(claims)
            let grant = ownership(in: current, now: now, &s)
            return BudgetRecord(
                group: coordination.group,
                topic: coordination.inputTopic,
                member: coordination.member,
                epoch: epoch,
                demand: max(0, min(demand, BudgetRecord.maximumCount)),
                grant: grant.0.slotCount(member: grant.1, usable: grant.2),
                claims: claims,
                partitions: s.partitionCount,
                sentAtMillis: now / 1_000_000
            )
        }
    }

    /// Reads the next coordination record, in log order.
    public func ingest(_ bytes: [UInt8]) -> IngestOutcome {
        guard let coordination else { return .ignored }
        let record: BudgetRecord
        do {
            record = try BudgetRecord.decode(bytes)
        } catch {
            return .rejected(error)
        }
        guard record.group == coordination.group, record.topic == coordination.inputTopic else {
            return .rejected(.foreign)
        }
        let current = schedule.epoch(atWall: timeline.nowWallNanos())
        guard record.epoch <= current + BudgetSchedule.lead + 1 else { return .rejected(.fromTheFuture) }
        return state.withLock { s in
            s.ledger.ingest(record) == .counted ? .counted : .ignored
        }
    }

    /// The reader starts at this member's own first record, whose write was acknowledged at
    /// `acknowledgedAtWall`: every record written after that lies after the reader's start, so the
    /// views of epochs whose records are all written later are complete. Two epochs of margin cover
    /// members whose clocks run up to an epoch ahead.
    public func anchorReader(acknowledgedAtWall: Int64) {
        let first = schedule.epoch(atWall: acknowledgedAtWall) + BudgetSchedule.lead + 2
        // Plans already made stay: they came from closed views of the same log.
        state.withLock { $0.ledger.anchor(firstKnowableEpoch: first) }
    }

    /// The reader stopped or lost its place: no new view is known until it is anchored again (the
    /// plans of views already closed stay right).
    public func stopReading() {
        state.withLock { $0.ledger.reset() }
    }

    /// Whether the view of the epoch now under way is known.
    public func isCurrentViewKnown() -> Bool {
        let now = timeline.nowWallNanos()
        return state.withLock { s in
            let epoch = schedule.epoch(atWall: now)
            return s.plans[epoch] != nil || s.ledger.view(of: epoch) != nil
        }
    }
}

/// Who a member is on the coordination topic: every record names its group and input topic, so a
/// shared or misnamed topic cannot mix two groups' budgets.
public struct BudgetCoordination: Sendable, Hashable {
    /// This member's id, unique per process start.
    public var member: String
    /// The consumer group.
    public var group: String
    /// The input topic whose partitions members claim.
    public var inputTopic: String

    /// A member's identity.
    public init(member: String, group: String, inputTopic: String) {
        self.member = member
        self.group = group
        self.inputTopic = inputTopic
    }
}
