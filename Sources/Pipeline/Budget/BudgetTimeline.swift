import Synchronization

/// Maps the monotonic clock the pipeline waits on to wall-clock time, the time the API counts its
/// seconds in and the group's slots are laid out in.
///
/// Anchored once, from the injected wall clock, and then driven by the monotonic clock alone: sleeps
/// are on the monotonic clock, and a wall clock that steps (NTP, an operator) must not make two
/// slots collapse into one second. ``resynchronize(wallNanos:threshold:)`` moves the anchor when the
/// wall clock has really moved away (the service checks once an epoch); tests that pin the wall
/// clock to a fixed instant simply never call it.
public final class BudgetTimeline<C: Clock>: Sendable where C.Duration == Duration {
    private struct Anchor {
        var wallNanos: Int64
        var instant: C.Instant
    }

    private let clock: C
    private let anchor: Mutex<Anchor>

    /// A timeline anchored at `wallNanos` (nanoseconds since 1970) = `clock.now`.
    public init(clock: C, wallNanos: Int64) {
        self.clock = clock
        self.anchor = Mutex(Anchor(wallNanos: wallNanos, instant: clock.now))
    }

    /// The monotonic clock the timeline runs on.
    public var underlyingClock: C { clock }

    /// Wall-clock nanoseconds at `instant`.
    public func wallNanos(at instant: C.Instant) -> Int64 {
        let anchor = self.anchor.withLock { $0 }
        return anchor.wallNanos + Self.nanoseconds(anchor.instant.duration(to: instant))
    }

    /// Wall-clock nanoseconds now.
    public func nowWallNanos() -> Int64 { wallNanos(at: clock.now) }

    /// The monotonic instant at wall-clock `nanos`.
    public func instant(atWall nanos: Int64) -> C.Instant {
        let anchor = self.anchor.withLock { $0 }
        return anchor.instant.advanced(by: .nanoseconds(nanos - anchor.wallNanos))
    }

    /// Re-anchors when the real wall clock (`wallNanos`, read just now) differs from the timeline
    /// by more than `threshold`; returns the step taken, `nil` when none was needed.
    @discardableResult
    public func resynchronize(wallNanos: Int64, threshold: Duration) -> Duration? {
        let now = clock.now
        return anchor.withLock { anchor -> Duration? in
            let predicted = anchor.wallNanos + Self.nanoseconds(anchor.instant.duration(to: now))
            let step = wallNanos - predicted
            guard abs(step) > Self.nanoseconds(threshold) else { return nil }
            anchor = Anchor(wallNanos: wallNanos, instant: now)
            return .nanoseconds(step)
        }
    }

    /// A duration in whole nanoseconds (saturating far beyond any epoch).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let clamped = max(min(seconds, Int64.max / 1_000_000_000 - 1), Int64.min / 1_000_000_000 + 1)
        return clamped * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
