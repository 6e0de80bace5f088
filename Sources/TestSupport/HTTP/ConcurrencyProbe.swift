import Synchronization

/// Counts how many calls of a handler overlap, to prove that requests (or downloads) really run
/// concurrently and that a cap on them holds: `enter()` as one starts, `leave()` as it ends.
public final class ConcurrencyProbe: Sendable {
    private let counts = Mutex((current: 0, maximum: 0))

    /// A probe that has seen nothing yet.
    public init() {}

    /// One more call is running.
    public func enter() {
        counts.withLock {
            $0.current += 1
            $0.maximum = max($0.maximum, $0.current)
        }
    }

    /// A call ended.
    public func leave() { counts.withLock { $0.current -= 1 } }

    /// The most calls that ran at once.
    public var maximum: Int { counts.withLock { $0.maximum } }
}
