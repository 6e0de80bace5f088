/// When to ask the API again. Three schedules, because the three situations differ:
/// - transient errors: exponential backoff with full jitter, given up after ``maxElapsed``
///   (the event then goes to the dead-letter topic);
/// - pending results (`ErrorCode` null — the person may still be in the flow): re-asked on a
///   slower, growing schedule until ``pendingMaxElapsed``, then published as `incomplete`;
/// - halting errors (the service cannot be served): long backoff, never given up.
///
/// Pure: the caller passes elapsed time and a uniform random number, so tests are exact.
public struct RetryPolicy: Sendable, Hashable {
    /// The first transient backoff's upper bound.
    public var base: Duration
    /// The largest transient backoff.
    public var cap: Duration
    /// How long one event may be retried before it is dead-lettered (`--retry-max-elapsed`).
    public var maxElapsed: Duration
    /// The wait before re-asking for a pending result the first time.
    public var pendingInitialDelay: Duration
    /// The longest wait between two asks for a pending result.
    public var pendingMaximumDelay: Duration
    /// How long a result may stay pending before the event is published as `incomplete`.
    public var pendingMaxElapsed: Duration
    /// The first wait after a halting error.
    public var haltingInitialDelay: Duration
    /// The longest wait after a halting error.
    public var haltingMaximumDelay: Duration

    /// The defaults: 200 ms … 30 s transient backoff for up to 10 minutes; pending results asked
    /// again after 5 s, growing to 60 s, for up to 10 minutes; halting errors 30 s … 5 min.
    public init(
        base: Duration = .milliseconds(200),
        cap: Duration = .seconds(30),
        maxElapsed: Duration = .seconds(600),
        pendingInitialDelay: Duration = .seconds(5),
        pendingMaximumDelay: Duration = .seconds(60),
        pendingMaxElapsed: Duration = .seconds(600),
        haltingInitialDelay: Duration = .seconds(30),
        haltingMaximumDelay: Duration = .seconds(300)
    ) {
        self.base = base
        self.cap = cap
        self.maxElapsed = maxElapsed
        self.pendingInitialDelay = pendingInitialDelay
        self.pendingMaximumDelay = pendingMaximumDelay
        self.pendingMaxElapsed = pendingMaxElapsed
        self.haltingInitialDelay = haltingInitialDelay
        self.haltingMaximumDelay = haltingMaximumDelay
    }

    /// The wait before the next attempt after `failures` consecutive transient failures (1 for
    /// the first), `elapsed` since the first answer (not the wait before it); `nil` when spent.
    /// Full jitter: a uniform draw in `[0, min(cap, base × 2^(failures-1))]`, clamped so the last
    /// attempt happens no later than the budget allows. `random` is uniform in `[0, 1)`.
    public func transientDelay(afterFailures failures: Int, elapsed: Duration, random: Double) -> Duration? {
        let remaining = maxElapsed - elapsed
        guard remaining > .zero else { return nil }
        let ceiling = Self.exponential(base, doublings: failures - 1, cap: cap)
        let jittered = ceiling * min(max(random, 0), 1)
        return min(jittered, remaining)
    }

    /// The wait before asking again for a result that was still pending on ask number `polls`
    /// (1 for the first); `nil` when the pending budget is spent and the event is `incomplete`.
    public func pendingDelay(afterPolls polls: Int, elapsed: Duration) -> Duration? {
        let remaining = pendingMaxElapsed - elapsed
        guard remaining > .zero else { return nil }
        let delay = Self.exponential(pendingInitialDelay, doublings: polls - 1, cap: pendingMaximumDelay)
        return min(delay, remaining)
    }

    /// The wait after halting error number `halts` (1 for the first): doubling from
    /// ``haltingInitialDelay`` to ``haltingMaximumDelay``, jittered in its upper half so that a
    /// whole group does not retry in step. Never `nil`: halting errors are never given up.
    public func haltingDelay(afterHalts halts: Int, random: Double) -> Duration {
        let ceiling = Self.exponential(haltingInitialDelay, doublings: halts - 1, cap: haltingMaximumDelay)
        return ceiling * (0.5 + 0.5 * min(max(random, 0), 1))
    }

    static func exponential(_ start: Duration, doublings: Int, cap: Duration) -> Duration {
        var value = start
        var remaining = max(0, doublings)
        while remaining > 0, value < cap {
            value = value * 2
            remaining -= 1
        }
        return min(value, cap)
    }
}
