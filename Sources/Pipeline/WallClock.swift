#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the pipeline reads the wall-clock time it writes into events (`time`, `fetchedAt`,
/// `x-dlq-failed-at`). Separate from the monotonic `Clock` used for waiting, and injected so
/// tests get exact, repeatable timestamps.
public struct WallClock: Sendable {
    /// Returns the current time.
    public var now: @Sendable () -> UTCTimestamp

    /// A wall clock reading from `now`.
    public init(now: @escaping @Sendable () -> UTCTimestamp) {
        self.now = now
    }

    /// The system's real-time clock.
    public static let system = WallClock {
        UTCTimestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
