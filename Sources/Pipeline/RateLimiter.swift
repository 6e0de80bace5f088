import Synchronization

/// Paces this instance's API calls evenly: one call per `1/rate` seconds, with no burst beyond a
/// single call after an idle period, so the whole group stays under Tencent's per-second limit
/// even when every instance starts at once. Shared by every request of the instance.
///
/// The rate is the instance's share of the group budget (budget × assigned / total partitions,
/// set on every rebalance with ``setShare(assigned:total:)``), cut multiplicatively on
/// `RequestLimitExceeded` and recovered additively while calls succeed.
public final class RateLimiter<C: Clock>: Sendable where C.Duration == Duration {
    struct State {
        var share: Double
        var rate: Double
        var nextSlot: C.Instant?
        var lastAdjustment: C.Instant?
    }

    /// The pacing and AIMD parameters.
    public let configuration: RateLimiterConfiguration
    private let clock: C
    private let state: Mutex<State>
    private let onRateChange: @Sendable (Double) -> Void

    /// A limiter running at the full group budget until the first ``setShare(assigned:total:)``.
    /// `onRateChange` is told every new rate (for the share gauge); it is called under the
    /// limiter's lock, so that updates land in order, and must not call back into the limiter.
    public init(
        configuration: RateLimiterConfiguration,
        clock: C,
        onRateChange: @escaping @Sendable (Double) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.onRateChange = onRateChange
        let initial = max(configuration.groupBudget, configuration.minimumRate)
        self.state = Mutex(State(share: initial, rate: initial))
        onRateChange(initial)
    }

    /// The rate calls are currently paced at, in requests per second.
    public var currentRate: Double { state.withLock { $0.rate } }

    /// This instance's share of the group budget, the ceiling recovery climbs back to.
    public var share: Double { state.withLock { $0.share } }

    /// A call's place in the pacing order, taken before the call is ready to wait for it.
    ///
    /// The pipeline takes a turn for each event the moment it accepts it, in offset order, so
    /// that the events of a partition are called in offset order however their tasks happen to
    /// be scheduled. That keeps what a drain leaves undone at the end of each partition instead
    /// of in holes, and a hole would cost every acknowledged event above it a duplicate.
    public struct Turn: Sendable {
        let instant: C.Instant
        let interval: Duration
    }

    /// Takes the next turn: turns are handed out in the order they are taken, `1/rate` apart.
    /// A turn that is never waited for is simply unused (the instance calls less, never more).
    public func reserve() -> Turn {
        state.withLock { s in
            let now = clock.now
            let interval = Duration.seconds(1 / s.rate)
            let instant = s.nextSlot.map { max($0, now) } ?? now
            s.nextSlot = instant.advanced(by: interval)
            return Turn(instant: instant, interval: interval)
        }
    }

    /// Waits until `turn` comes. A turn more than a second stale (its caller was held up
    /// elsewhere) is not used, because calling on it now could exceed the budget within a second;
    /// a fresh turn is taken instead. Throws `CancellationError` when the waiting task is
    /// cancelled; its turn is given back when no later turn was handed out yet.
    public func wait(for turn: Turn) async throws {
        var turn = turn
        if turn.instant.advanced(by: .seconds(1)) < clock.now { turn = reserve() }
        guard turn.instant > clock.now else {
            try Task.checkCancellation()
            return
        }
        do {
            try await clock.sleep(until: turn.instant, tolerance: nil)
        } catch {
            state.withLock { s in
                if s.nextSlot == turn.instant.advanced(by: turn.interval) { s.nextSlot = turn.instant }
            }
            throw error
        }
    }

    /// Takes the next turn and waits for it (``reserve()`` then ``wait(for:)``).
    public func acquire() async throws {
        try await wait(for: reserve())
    }

    /// Sets the share after a rebalance: budget × assigned / total (the whole budget when
    /// `total` is unknown, the minimum rate when nothing is assigned). A rate that was cut keeps
    /// its proportion of the share.
    public func setShare(assigned: Int, total: Int) {
        let budget = configuration.groupBudget
        let newShare: Double
        if total <= 0 {
            newShare = budget
        } else {
            newShare = budget * Double(min(assigned, total)) / Double(total)
        }
        state.withLock { s in
            let proportion = s.share > 0 ? min(1, s.rate / s.share) : 1
            s.share = max(newShare, configuration.minimumRate)
            s.rate = max(s.share * proportion, configuration.minimumRate)
            // Turns handed out at the old rate to calls since cancelled (their partitions were
            // revoked) are not given back; at the minimum rate they reach minutes ahead. Without
            // this, the next assignment's calls would queue behind them and stall the instance.
            let latest = clock.now.advanced(by: .seconds(1 / s.rate))
            if let next = s.nextSlot, next > latest { s.nextSlot = latest }
            onRateChange(s.rate)
        }
    }

    /// The API answered `RequestLimitExceeded`: multiply the rate by the decrease factor, at
    /// most once per adjustment window.
    public func recordRateLimited() {
        state.withLock { s in
            let now = clock.now
            if let last = s.lastAdjustment, last.duration(to: now) < configuration.adjustmentWindow,
                s.rate < s.share
            {
                return
            }
            s.rate = max(s.rate * configuration.decreaseFactor, configuration.minimumRate)
            s.lastAdjustment = now
            onRateChange(s.rate)
        }
    }

    /// A call went through: when the rate is below the share and an adjustment window has
    /// passed since the last change, add `recoveryFraction` of the share back.
    public func recordSuccess() {
        state.withLock { s in
            guard s.rate < s.share else { return }
            let now = clock.now
            if let last = s.lastAdjustment, last.duration(to: now) < configuration.adjustmentWindow {
                return
            }
            s.rate = min(s.share, s.rate + s.share * configuration.recoveryFraction)
            s.lastAdjustment = now
            onRateChange(s.rate)
        }
    }
}
