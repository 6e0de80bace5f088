/// Why a FaceID result could not be fetched, already classified by the API layer so that the
/// pipeline knows what to do next without knowing Tencent's error table.
public struct FetchFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the pipeline does with a failure.
    public enum Kind: Sendable, Hashable {
        /// Transient (`ResourceUnavailable`, `InternalError`, HTTP 5xx, timeouts, connection
        /// errors): retried with backoff until `retryMaxElapsed`, then dead-lettered.
        case retryable
        /// `RequestLimitExceeded*`: retried like ``retryable`` and the instance's rate is cut.
        case rateLimited
        /// The service is misconfigured or the account cannot be served (`AuthFailure.*`,
        /// `ResourceUnavailable.InArrears`, …): the event is held, nothing is committed past it,
        /// readiness reports it, and the call is retried with long backoff forever.
        case halting
        /// The API answered for good (`InvalidParameterValue.BizTokenExpired`, …): no retry.
        case final
    }

    /// What the pipeline does with it.
    public var kind: Kind
    /// The API error code (`ResourceUnavailable`) or a transport code (`Client.Timeout`).
    /// Used as a metric label, so it must come from a bounded set.
    public var code: String
    /// The API's message or a short transport description. Never a URL, key or signature.
    public var message: String
    /// Tencent's `RequestId`, when the API answered.
    public var requestId: String?

    /// Describes a failed fetch.
    public init(kind: Kind, code: String, message: String, requestId: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    /// `code: message`, for logs and the `x-dlq-error` header; never a URL or secret.
    public var description: String { "\(code): \(message)" }
}
