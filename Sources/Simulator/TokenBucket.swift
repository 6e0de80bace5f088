/// A token bucket holding at most `rate` tokens, refilled at `rate` per second: the API's
/// "N requests per second" with a one-second burst.
///
/// A plain value driven by the instants it is given, so tests need no real clock.
struct TokenBucket: Sendable {
    /// Tokens per second, and the capacity; `0` or less means unlimited.
    private(set) var rate: Int
    private var tokens: Double
    private var last: ContinuousClock.Instant?

    init(rate: Int) {
        self.rate = rate
        self.tokens = Double(max(rate, 0))
        self.last = nil
    }

    /// Changes the rate; the bucket starts full at the new rate.
    mutating func setRate(_ newRate: Int) {
        rate = newRate
        tokens = Double(max(newRate, 0))
        last = nil
    }

    /// Takes one token at `now`; `false` when the request must be refused.
    mutating func take(at now: ContinuousClock.Instant) -> Bool {
        guard rate > 0 else { return true }
        if let last {
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            tokens = min(Double(rate), tokens + max(seconds, 0) * Double(rate))
        }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
