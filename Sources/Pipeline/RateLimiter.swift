import Synchronization

/// Hands this instance's API calls the slots of the group's call grid that it owns (see
/// ``GroupBudget``): one call per slot, given to waiting calls in the order their turns were taken.
///
/// A call takes a ``Turn`` when it becomes ready (the pipeline takes it the moment it accepts a
/// record, in offset order) and waits with ``wait(for:)``; the limiter's own loop (``run()``) sleeps
/// until each owned slot and wakes the waiting call with the lowest turn. So the events of a
/// partition are called in offset order however their tasks are scheduled, and what a drain leaves
/// undone is the tail of each partition, not holes below published results.
///
/// A slot is spent while its epoch lasts: a slot passed while nothing waited can still be used until
/// just before the epoch ends, since the API counts whole seconds; after that it is gone. The
/// waiting calls are this instance's demand, published to the group.
///
/// `RequestLimitExceeded` answers (someone else spends the account's budget) cut the fraction of
/// owned slots used, multiplicatively; calls that go through win it back additively.
public final class RateLimiter<C: Clock>: Sendable where C.Duration == Duration {
    /// A call's place in line, taken when the call becomes ready. Slots go to turns strictly in the
    /// order they were taken: while an earlier turn is taken but not yet waited for (its task is
    /// about to start), the next slot is held for it. A turn that will not be waited for must be
    /// given up (``forfeit(_:)``) before its holder waits on anything else; one dropped unused gives
    /// itself up.
    public final class Turn: Sendable {
        let number: UInt64
        private let limiter: RateLimiter<C>
        private let isSettled = Atomic<Bool>(false)

        init(number: UInt64, limiter: RateLimiter<C>) {
            self.number = number
            self.limiter = limiter
        }

        deinit {
            if settle() { limiter.close(number) }
        }

        /// Marks the turn used or given up; `false` when it already was.
        func settle() -> Bool {
            isSettled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        }
    }

    private struct Waiter {
        var number: UInt64
        var id: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var nextNumber: UInt64 = 0
        /// The lowest turn not yet served, given up or cancelled: the next slot is its.
        var firstOpen: UInt64 = 0
        /// Turns above `firstOpen` already done.
        var done: Set<UInt64> = []
        var nextID = 0
        /// Waiting calls, lowest turn first.
        var waiters: [Waiter] = []
        /// Calls that started waiting since the last ``takeDemand()``.
        var arrivals = 0
        /// The loop, parked while the next turn is not waiting.
        var parkedLoop: CheckedContinuation<Void, Never>?
        /// The first slot not yet spent.
        var cursor: GroupBudget<C>.SlotPosition?
        /// The fraction of owned slots used (1 unless `RequestLimitExceeded` cut it).
        var factor: Double = 1
        var credit: Double = 0
        var lastAdjustment: C.Instant?

        /// Whether the next slot can be given now: the lowest open turn is waiting.
        var isNextTurnWaiting: Bool { waiters.first?.number == firstOpen }

        /// Marks turn `number` done and moves `firstOpen` past every done turn.
        mutating func close(_ number: UInt64) {
            guard number >= firstOpen else { return }
            if number > firstOpen {
                done.insert(number)
                return
            }
            firstOpen += 1
            while done.remove(firstOpen) != nil { firstOpen += 1 }
        }

        /// Takes the parked loop, to wake it.
        mutating func unpark() -> CheckedContinuation<Void, Never>? {
            defer { parkedLoop = nil }
            return parkedLoop
        }
    }

    /// The AIMD parameters (and the group budget the grid was made for).
    public let configuration: RateLimiterConfiguration
    /// The slots this instance owns.
    public let budget: GroupBudget<C>
    private let state = Mutex(State())
    private let onRateChange: @Sendable (Double) -> Void

    /// How long the loop sleeps at most before looking again at what it owns: assignments and
    /// views change ownership, and the loop is not woken for them.
    static var lookAgain: Int64 { 100_000_000 }

    /// A limiter spending `budget`'s slots. `onRateChange` is told the rate after every change of the
    /// cut and on ``refreshRate()``; it is called under the limiter's lock, so that updates land in
    /// order, and must not call back into the limiter.
    public init(
        configuration: RateLimiterConfiguration,
        budget: GroupBudget<C>,
        onRateChange: @escaping @Sendable (Double) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.budget = budget
        self.onRateChange = onRateChange
    }

    private var clock: C { budget.timeline.underlyingClock }

    /// The rate calls are currently paced at, in requests per second: the slots owned around now,
    /// times the fraction a `RequestLimitExceeded` cut leaves.
    public var currentRate: Double {
        let factor = state.withLock { $0.factor }
        return budget.grantPerSecond() * factor
    }

    /// Calls waiting for a slot now.
    public var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// The demand to publish: calls waiting now plus those that became ready since the last time.
    public func takeDemand() -> Int {
        state.withLock { s in
            defer { s.arrivals = 0 }
            return s.waiters.count + s.arrivals
        }
    }

    /// Reports the current rate (after an assignment, or each epoch) to `onRateChange`.
    public func refreshRate() {
        state.withLock { s in onRateChange(budget.grantPerSecond() * s.factor) }
    }

    // MARK: Turns

    /// Takes the next turn.
    public func reserve() -> Turn {
        let number = state.withLock { s in
            defer { s.nextNumber += 1 }
            return s.nextNumber
        }
        return Turn(number: number, limiter: self)
    }

    /// Gives up `turn` without waiting for it (a call that joined another one's): later turns no
    /// longer wait for it.
    public func forfeit(_ turn: Turn) {
        if turn.settle() { close(turn.number) }
    }

    /// Turn `number` is done: served, given up or cancelled.
    fileprivate func close(_ number: UInt64) {
        let loop = state.withLock { s in
            s.close(number)
            return s.unpark()
        }
        loop?.resume()
    }

    /// Waits until a slot is given to `turn`: after every earlier turn. Throws `CancellationError`
    /// when the waiting task is cancelled; the slot then goes to the next turn. A turn already used
    /// waits as a new one.
    public func wait(for turn: Turn) async throws {
        let number = turn.settle() ? turn.number : reserveNumber()
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (loop, isCancelled) = state.withLock { s -> (CheckedContinuation<Void, Never>?, Bool) in
                    if Task.isCancelled {
                        s.close(number)
                        return (s.unpark(), true)
                    }
                    let waiter = Waiter(number: number, id: id, continuation: continuation)
                    s.waiters.insert(waiter, at: Self.insertionIndex(of: number, in: s.waiters))
                    s.arrivals += 1
                    return (s.unpark(), false)
                }
                loop?.resume()
                if isCancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let (waiter, loop) = state.withLock { s -> (Waiter?, CheckedContinuation<Void, Never>?) in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return (nil, nil) }
                let waiter = s.waiters.remove(at: index)
                s.close(waiter.number)
                return (waiter, s.unpark())
            }
            loop?.resume()
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func reserveNumber() -> UInt64 {
        state.withLock { s in
            defer { s.nextNumber += 1 }
            return s.nextNumber
        }
    }

    /// Takes a turn and waits for it (``reserve()`` then ``wait(for:)``).
    public func acquire() async throws {
        try await wait(for: reserve())
    }

    private static func insertionIndex(of number: UInt64, in waiters: [Waiter]) -> Int {
        var low = 0
        var high = waiters.count
        while low < high {
            let middle = (low + high) / 2
            if waiters[middle].number <= number { low = middle + 1 } else { high = middle }
        }
        return low
    }

    // MARK: The loop

    /// Spends owned slots on waiting calls until cancelled. Runs for as long as the limiter is used
    /// (the pipeline runs it beside its workers).
    public func run() async {
        let schedule = budget.schedule
        while !Task.isCancelled {
            await untilNextTurnWaits()
            if Task.isCancelled { return }
            let now = budget.timeline.nowWallNanos()
            let current = schedule.epoch(atWall: now)
            var from = GroupBudget<C>.SlotPosition(epoch: current, index: 0)
            if now > schedule.lastUse(of: current) { from = .init(epoch: current + 1, index: 0) }
            if let cursor = state.withLock({ $0.cursor }), cursor > from { from = cursor }
            guard let slot = budget.nextOwnedSlot(from: from) else {
                await sleep(untilWall: now + Self.lookAgain)
                continue
            }
            let time = schedule.time(ofSlot: slot.index, in: slot.epoch)
            if time > now {
                await sleep(untilWall: min(time, now + Self.lookAgain))
                continue
            }
            spend(slot)
        }
    }

    /// Gives `slot` to the next turn, if it is waiting (or lets the slot pass, while the rate is cut).
    private func spend(_ slot: GroupBudget<C>.SlotPosition) {
        let waiter = state.withLock { s -> Waiter? in
            s.cursor = GroupBudget<C>.SlotPosition(epoch: slot.epoch, index: slot.index + 1)
            guard s.isNextTurnWaiting else { return nil }
            if s.factor < 1 {
                s.credit += s.factor
                guard s.credit >= 1 else { return nil }
                s.credit -= 1
            }
            let waiter = s.waiters.removeFirst()
            s.close(waiter.number)
            return waiter
        }
        waiter?.continuation.resume()
    }

    private func sleep(untilWall nanos: Int64) async {
        try? await clock.sleep(until: budget.timeline.instant(atWall: nanos), tolerance: nil)
    }

    /// Returns once the next turn waits (at once if it does), or when the task is cancelled.
    private func untilNextTurnWaits() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.isNextTurnWaiting || Task.isCancelled { return true }
                    s.parkedLoop = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let loop = state.withLock { $0.unpark() }
            loop?.resume()
        }
    }

    // MARK: RequestLimitExceeded

    /// The API answered `RequestLimitExceeded`: use fewer of the owned slots (multiplied by the
    /// decrease factor), at most once per adjustment window.
    public func recordRateLimited() {
        let now = clock.now
        state.withLock { s in
            if let last = s.lastAdjustment, last.duration(to: now) < configuration.adjustmentWindow, s.factor < 1 {
                return
            }
            s.factor = max(s.factor * configuration.decreaseFactor, minimumFactor)
            s.lastAdjustment = now
            onRateChange(budget.grantPerSecond() * s.factor)
        }
    }

    /// A call went through: when the rate is cut and an adjustment window has passed since the last
    /// change, win back `recoveryFraction` of the owned slots.
    public func recordSuccess() {
        let now = clock.now
        state.withLock { s in
            guard s.factor < 1 else { return }
            if let last = s.lastAdjustment, last.duration(to: now) < configuration.adjustmentWindow { return }
            s.factor = min(1, s.factor + configuration.recoveryFraction)
            s.lastAdjustment = now
            onRateChange(budget.grantPerSecond() * s.factor)
        }
    }

    /// The smallest fraction of its slots a cut instance keeps using, from the configured minimum rate.
    private var minimumFactor: Double {
        min(1, max(0.001, configuration.minimumRate / max(configuration.groupBudget, 0.001)))
    }
}
