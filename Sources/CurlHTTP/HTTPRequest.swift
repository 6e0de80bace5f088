/// One HTTP request for ``CurlHTTPClient``: method, absolute URL, headers and body bytes.
///
/// The body is bytes, not a stream: the API calls this client exists for send small JSON
/// documents whose exact bytes are signed, so the bytes the caller signed are the bytes sent.
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute URL, `http://` or `https://`.
    public var url: String
    /// Header fields in the order they are sent. `Content-Length` is added by the client;
    /// a `Host` given here replaces the one derived from the URL.
    public var headers: [(name: String, value: String)]
    /// The body (may be empty).
    public var body: [UInt8]
    /// A total timeout for this request instead of the client's
    /// ``HTTPClientConfiguration/totalTimeout``; `nil` for the client's.
    public var timeout: Duration?

    /// A request; `headers` and `body` default to none.
    public init(
        method: HTTPMethod,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The HTTP methods this client sends.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    /// `GET`: no body is sent.
    case get = "GET"
    /// `POST`: the request body is sent.
    case post = "POST"
    /// `PUT`: the request body is sent.
    case put = "PUT"
    /// `DELETE`.
    case delete = "DELETE"
}
