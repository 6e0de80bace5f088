/// A wall-clock instant with millisecond precision, as the output event carries it
/// (`2026-11-24T10:00:01.250Z`). A small value type instead of `Date` keeps the formatting exact
/// and the module free of Foundation's formatters.
public struct UTCTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// An instant in milliseconds since the Unix epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// This instant moved by `duration` (rounded down to the millisecond).
    public func advanced(by duration: Duration) -> UTCTimestamp {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return UTCTimestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + millis)
    }

    /// The time from `other` to this instant.
    public func duration(since other: UTCTimestamp) -> Duration {
        .milliseconds(millisecondsSinceEpoch - other.millisecondsSinceEpoch)
    }

    /// Earlier instants order first.
    public static func < (lhs: UTCTimestamp, rhs: UTCTimestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// The RFC 3339 form.
    public var description: String { rfc3339 }
}
