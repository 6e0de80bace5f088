/// The group's call grid: the fixed wall-clock instants at which the whole consumer group may make
/// one API call each, cut into short epochs.
///
/// Tencent counts requests per wall-clock second, not per sliding window, so the budget is spent as
/// a grid of slots: `⌊budget⌋` slots in every wall-clock second (one per `⌈1/budget⌉` seconds below 1),
/// at instants every member derives from the same arithmetic. Every slot has exactly one owner —
/// a member, by the agreed allocation, or the holder of an input partition — so the group never
/// makes more calls in a second than the second has slots, however its members' views differ.
///
/// Slots keep clear of each epoch's edges by a guard of a tenth of the epoch, so a call that leaves
/// a little late, or a member whose clock is a few tens of milliseconds off, still lands in the
/// API's second it was counted in.
public struct BudgetSchedule: Sendable, Hashable {
    /// How many epochs ahead a member announces its demand: a record for epoch `n` is written at
    /// the start of epoch `n - lead`, and the first record for a later epoch closes `n`'s view.
    public static let lead: Int64 = 2

    /// The group budget, requests per second.
    public let groupBudget: Double
    /// Epoch length in nanoseconds: half a second at 2 requests/second and more, so demand reaches
    /// the allocation within a second; whole seconds below.
    public let epochNanos: Int64
    /// Slots in a wall-clock second when the budget is at least 2 (`⌊budget⌋`); otherwise 1 per epoch.
    private let slotsPerSecond: Int64

    /// The grid for a group budget in requests per second (at least one slot per epoch).
    public init(groupBudget: Double) {
        self.groupBudget = groupBudget
        if groupBudget >= 2, groupBudget.isFinite {
            epochNanos = 500_000_000
            slotsPerSecond = Int64(min(groupBudget, 1e9).rounded(.down))
        } else if groupBudget >= 1 {
            epochNanos = 1_000_000_000
            slotsPerSecond = 1
        } else {
            let seconds = groupBudget > 0 ? (1 / groupBudget).rounded(.up) : 3600
            epochNanos = Int64(min(seconds, 3600)) * 1_000_000_000
            slotsPerSecond = 1
        }
    }

    /// Whether epochs are half seconds (two per wall-clock second).
    private var isHalfSecond: Bool { epochNanos == 500_000_000 }

    /// The epoch a wall-clock instant (nanoseconds since 1970) falls in.
    public func epoch(atWall nanos: Int64) -> Int64 {
        nanos >= 0 ? nanos / epochNanos : -((-nanos - 1) / epochNanos) - 1
    }

    /// When `epoch` starts, in wall-clock nanoseconds.
    public func start(of epoch: Int64) -> Int64 { epoch * epochNanos }

    /// The guard at each end of an epoch where no slot lies.
    public var guardNanos: Int64 { epochNanos / 10 }

    /// Slots in `epoch`: in half-second epochs the first half of each second takes the odd slot,
    /// so every second has exactly `⌊budget⌋`.
    public func slots(in epoch: Int64) -> Int {
        guard isHalfSecond else { return 1 }
        let isFirstHalf = epoch & 1 == 0
        return Int(isFirstHalf ? (slotsPerSecond + 1) / 2 : slotsPerSecond / 2)
    }

    /// The number of slots in all epochs before `epoch`: the global index of its first slot, which
    /// rotates the partition a slot belongs to from epoch to epoch.
    public func firstGlobalSlot(of epoch: Int64) -> Int64 {
        guard isHalfSecond else { return epoch }
        let second = epoch >> 1
        return second * slotsPerSecond + (epoch & 1 == 0 ? 0 : (slotsPerSecond + 1) / 2)
    }

    /// Wall-clock time of slot `index` of `epoch`: evenly spread between the guards.
    public func time(ofSlot index: Int, in epoch: Int64) -> Int64 {
        let count = Int64(max(1, slots(in: epoch)))
        let span = epochNanos - 2 * guardNanos
        return start(of: epoch) + guardNanos + (Int64(2 * index + 1) * span) / (2 * count)
    }

    /// The first slot of `epoch` at or after wall time `nanos` (`slots(in:)` when none is left).
    public func firstSlot(atOrAfter nanos: Int64, in epoch: Int64) -> Int {
        let count = slots(in: epoch)
        let span = epochNanos - 2 * guardNanos
        let offset = nanos - start(of: epoch) - guardNanos
        guard offset > 0, count > 0 else { return 0 }
        // Slot k lies at offset (2k+1)·span/(2·count); solve for the smallest such k, then step.
        var index = min(count, Int(max(0, (2 * Int64(count) * offset / span - 1) / 2)))
        while index > 0, time(ofSlot: index - 1, in: epoch) >= nanos { index -= 1 }
        while index < count, time(ofSlot: index, in: epoch) < nanos { index += 1 }
        return index
    }

    /// After this instant a slot of `epoch` is no longer used: its call could land in the next
    /// second. Late slots before it are still used, since the API counts the whole second; the last
    /// slot lies half a slot earlier, so a late call keeps at least the guard to travel.
    public func lastUse(of epoch: Int64) -> Int64 {
        start(of: epoch + 1) - guardNanos
    }

    /// How long a member must have held a partition before it may spend the partition's slots
    /// without a view of the group: long enough that no allocation can still count the
    /// partition's previous owner's claim (`lead + 1` epochs), plus an epoch for clock skew.
    public var holdBeforeUseNanos: Int64 { (Self.lead + 2) * epochNanos }

    /// The input partition slot `index` of `epoch` belongs to, among `partitionCount`.
    public func partition(ofSlot index: Int, in epoch: Int64, partitionCount: Int) -> Int32 {
        let global = firstGlobalSlot(of: epoch) + Int64(index)
        let count = Int64(max(1, partitionCount))
        return Int32(((global % count) + count) % count)
    }

    /// Slots per second on average: what one member holding every slot may call.
    public var slotsPerSecondAverage: Double {
        Double(isHalfSecond ? slotsPerSecond : 1) * (isHalfSecond ? 1 : 1e9 / Double(epochNanos))
    }

    /// Epoch length as a `Duration`.
    public var epochDuration: Duration { .nanoseconds(epochNanos) }
}
