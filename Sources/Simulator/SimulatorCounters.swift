/// A snapshot of what the simulator has seen since it started (or since
/// ``FaceIDSimulator/resetCounters()``), for tests and chaos runs to assert on.
public struct SimulatorCounters: Sendable, Equatable {
    /// Every request received, including rejected ones.
    public var totalRequests: Int
    /// Requests by their `X-TC-Action` header (`"<none>"` when it was missing).
    public var requestsByAction: [String: Int]
    /// Answers by outcome: the result's `ErrorCode` as text (`"0"`, `"1001"`, `"null"`), the API
    /// error code (`"AuthFailure.SignatureFailure"`, `"RequestLimitExceeded"`), or the transport
    /// fault (`"http500"`, `"reset"`).
    public var outcomes: [String: Int]
    /// Requests refused with `RequestLimitExceeded`.
    public var rateLimited: Int
    /// Requests that reached the scripted-outcome stage, by BizToken (what a `PEND<k>-` token counts).
    public var callsPerToken: [String: Int]
    /// The most requests received within one wall-clock second (UTC), whatever their answer.
    public var peakRequestsPerSecond: Int
    /// The most requests let through the rate limit within one wall-clock second.
    public var peakAcceptedPerSecond: Int
    /// Faults injected, by kind.
    public var faultsInjected: [SimulatorFault: Int]
    /// Media downloads by outcome: `served`, `corrupt` (served with a flipped byte), `expired`
    /// (past the URL's window, or the `media_expired` fault), `missing`, `forbidden` (bad signature).
    public var mediaDownloads: [String: Int]

    /// Empty counters.
    public init() {
        totalRequests = 0
        requestsByAction = [:]
        outcomes = [:]
        rateLimited = 0
        callsPerToken = [:]
        peakRequestsPerSecond = 0
        peakAcceptedPerSecond = 0
        faultsInjected = [:]
        mediaDownloads = [:]
    }

    /// How many answers had this outcome (see ``outcomes``).
    public func count(of outcome: String) -> Int { outcomes[outcome, default: 0] }
}
