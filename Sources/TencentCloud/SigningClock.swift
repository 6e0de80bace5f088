#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The wall clock that dates signatures (`X-TC-Timestamp`), in Unix seconds.
///
/// TC3 signatures carry the wall-clock time (Tencent rejects those more than five minutes
/// off), which Swift's `Clock`s do not expose; this is the injectable source of it, so tests
/// can pin the time and check that every attempt is signed with the time of that attempt.
public struct SigningClock: Sendable {
    private let read: @Sendable () -> Int64

    /// A clock reading `read` (e.g. a test's counter).
    public init(_ read: @escaping @Sendable () -> Int64) {
        self.read = read
    }

    /// The system's real-time clock.
    public static let system = SigningClock { Int64(time(nil)) }

    /// A clock stuck at `timestamp`.
    public static func fixed(_ timestamp: Int64) -> SigningClock { SigningClock { timestamp } }

    /// The current time in Unix seconds.
    public func now() -> Int64 { read() }
}
