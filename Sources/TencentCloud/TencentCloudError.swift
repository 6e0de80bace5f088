/// A failed Tencent Cloud API call: either the API's own error (`Response.Error`) or a
/// transport failure on the way (timeout, connection, HTTP status, unusable body).
///
/// Every error has a ``code``: the API's `Code` for API errors, and for failures detected on
/// this side a code in the `Client.` namespace (Tencent never uses it), so metrics, logs and the
/// DLQ's `x-dlq-error` can name every outcome the same way. What the pipeline should do about an
/// error is its ``category``, decided in one table (``TencentCloudError/classify(code:)``).
///
/// ``description`` holds the code, message and request id only: never a secret, a signature or
/// a media URL.
public struct TencentCloudError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the error came from.
    public enum Kind: Sendable, Hashable {
        /// The API answered with `Response.Error` (``code``, ``message``, ``requestID`` are the API's).
        case api
        /// The call did not complete in the configured time.
        case timeout
        /// No connection could be made (refused, unreachable, DNS, proxy).
        case connectionFailed
        /// The connection broke before a complete response arrived (reset, closed early,
        /// truncated body).
        case connectionReset
        /// The server answered an HTTP status other than 200 (see ``httpStatus``).
        case httpStatus
        /// A 200 response whose body is not a JSON object with a `Response` member.
        case invalidResponse
        /// The response body exceeded the configured cap.
        case responseTooLarge
        /// TLS failed (certificate verification, handshake).
        case tls
        /// The calling task was cancelled and the request aborted.
        case cancelled
        /// Another transport failure (see ``message``).
        case transport
    }

    /// Where the error came from.
    public var kind: Kind
    /// The API error code (`AuthFailure.SignatureFailure`), or a `Client.*` code for local failures.
    public var code: Code
    /// The API's message, or a description of the local failure. Never contains a secret.
    public var message: String
    /// The API's `RequestId`, when the server sent one (quote it to Tencent support).
    public var requestID: String?
    /// The HTTP status, for ``Kind/httpStatus`` errors and API errors (200).
    public var httpStatus: Int?

    /// An error; `message` must not contain a secret, signature or media URL.
    public init(kind: Kind, code: Code, message: String, requestID: String? = nil, httpStatus: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.requestID = requestID
        self.httpStatus = httpStatus
    }

    /// What the pipeline should do with the event that hit this error.
    public var category: Category {
        switch kind {
        case .api:
            return TencentCloudError.classify(code: code)
        case .httpStatus:
            return TencentCloudError.classify(httpStatus: httpStatus ?? 0)
        case .tls:
            // A certificate that does not verify will not verify on the next attempt either:
            // a misconfigured proxy or CA store, or an interception. Hold events, alert.
            return .halting
        case .timeout, .connectionFailed, .connectionReset, .invalidResponse, .responseTooLarge, .cancelled,
            .transport:
            return .retryable
        }
    }

    /// `true` when the call may succeed if tried again later (``Category/retryable`` and
    /// ``Category/rateLimited``).
    public var isRetryable: Bool { category == .retryable || category == .rateLimited }

    /// `true` for the `RequestLimitExceeded` family (and HTTP 429): slow down, then retry.
    public var isRateLimited: Bool { category == .rateLimited }

    /// `true` when the service is misconfigured or the account cannot be served: hold events.
    public var isHalting: Bool { category == .halting }

    /// `true` when the answer is definitive for this BizToken: publish it, do not retry.
    public var isFinal: Bool { category == .final }

    /// `code: message (RequestId …)`.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let status = httpStatus, kind == .httpStatus { text += " (HTTP \(status))" }
        if let requestID { text += " (RequestId \(requestID))" }
        return text
    }
}
