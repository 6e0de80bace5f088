/// Why an HTTP request produced no response.
///
/// Callers decide retries by ``kind``; ``curlCode`` and ``message`` are for logs. The message is
/// libcurl's error text (it may name the host and port, never a header or a body), so it is
/// safe to log.
public struct HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failure, in the terms a retry policy needs.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The connect timeout or the total timeout expired.
        case timeout
        /// No connection: refused, unreachable, name or proxy resolution failed.
        case connectFailed
        /// The connection broke before the whole response arrived (reset, closed early,
        /// nothing received, body shorter than announced).
        case connectionReset
        /// The response body exceeded ``HTTPClientConfiguration/maximumResponseBodySize``.
        case bodyTooLarge
        /// TLS failed: handshake, or the peer's certificate did not verify.
        case tls
        /// The calling task was cancelled; the transfer was aborted.
        case cancelled
        /// The client was shut down before or while the request ran.
        case shutdown
        /// The request could not be set up (bad URL, unsupported scheme, out of memory).
        case invalidRequest
        /// Another libcurl failure; see ``HTTPClientError/curlCode``.
        case other
    }

    /// The failure.
    public var kind: Kind
    /// libcurl's `CURLcode`, when libcurl reported the failure.
    public var curlCode: Int?
    /// A human-readable description.
    public var message: String

    /// An error of `kind`.
    public init(kind: Kind, curlCode: Int? = nil, message: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
    }

    /// The request's task was cancelled.
    static let cancelled = HTTPClientError(kind: .cancelled, message: "the request was cancelled")
    /// The client was shut down.
    static let shutdown = HTTPClientError(kind: .shutdown, message: "the HTTP client was shut down")

    /// `kind: message (curl code N)`.
    public var description: String {
        var text = "\(kind.rawValue): \(message)"
        if let curlCode { text += " (curl code \(curlCode))" }
        return text
    }
}
