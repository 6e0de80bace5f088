public import EnricherJSON

/// What the pipeline learned about one event from the API, in the form the output builder needs.
public enum VerificationOutcome: Sendable, Hashable {
    /// A `Response` whose `ErrorCode` is a number: `passed` or `failed`.
    case result(JSONValue)
    /// The last `Response` (its `ErrorCode` still `null`) after the pending budget ran out.
    case incomplete(lastResponse: JSONValue)
    /// A final API error that maps to a status (`expired`, `invalid_token`).
    case apiError(status: VerificationStatus, failure: FetchFailure)

    /// The `status` field this outcome is published with.
    public var status: VerificationStatus {
        switch self {
        case .result(let response):
            return response["ErrorCode"]?.doubleValue == 0 ? .passed : .failed
        case .incomplete: return .incomplete
        case .apiError(let status, _): return status
        }
    }

    /// Whether a `Response` has no verdict yet (`ErrorCode` absent or `null`): the person may
    /// still be in the flow, so the pipeline asks again later.
    public static func isPending(_ response: JSONValue) -> Bool {
        guard let code = response["ErrorCode"] else { return true }
        return code.isNull
    }
}
