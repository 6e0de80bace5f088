/// How the instance paces its API calls: the group budget it takes a share of, and how it backs
/// off (multiplicative decrease) and recovers (additive increase) when the API says
/// `RequestLimitExceeded`.
public struct RateLimiterConfiguration: Sendable, Hashable {
    /// Requests per second for the whole consumer group (`--rate-limit`).
    public var groupBudget: Double
    /// The factor the rate is multiplied by on `RequestLimitExceeded` (0 < factor < 1).
    public var decreaseFactor: Double
    /// The rate never goes below this, in requests per second, so a cut instance still makes progress.
    public var minimumRate: Double
    /// The fraction of the share added back per recovery window of successful calls.
    public var recoveryFraction: Double
    /// How long between two increases, and the minimum time between two cuts (concurrent calls
    /// rejected together count as one signal).
    public var adjustmentWindow: Duration

    /// A configuration with the contract's default budget of 20 requests per second.
    public init(
        groupBudget: Double = 20,
        decreaseFactor: Double = 0.5,
        minimumRate: Double = 0.2,
        recoveryFraction: Double = 0.1,
        adjustmentWindow: Duration = .seconds(1)
    ) {
        self.groupBudget = groupBudget
        self.decreaseFactor = decreaseFactor
        self.minimumRate = minimumRate
        self.recoveryFraction = recoveryFraction
        self.adjustmentWindow = adjustmentWindow
    }
}
