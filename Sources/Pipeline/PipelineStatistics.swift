/// Running totals for the end-of-run summary (`demo`) and for tests: what the metrics say,
/// without a metrics backend.
public struct PipelineStatistics: Sendable, Hashable {
    /// Result events acknowledged, by status.
    public var eventsByStatus: [VerificationStatus: Int] = [:]
    /// Dead-letter events acknowledged, by reason.
    public var deadLettersByReason: [DeadLetterReason: Int] = [:]
    /// API calls made (joined fetches excluded).
    public var apiCalls = 0
    /// Fetches that joined a call already in flight for the same `bizToken`.
    public var joinedFetches = 0
    /// Waits before asking again or publishing again, all reasons together.
    public var retries = 0
    /// Offset commits that failed.
    public var commitFailures = 0

    /// Empty totals.
    public init() {}

    /// Result and dead-letter events together: inputs fully handled.
    public var completedEvents: Int {
        eventsByStatus.values.reduce(0, +) + deadLettersByReason.values.reduce(0, +)
    }
}
