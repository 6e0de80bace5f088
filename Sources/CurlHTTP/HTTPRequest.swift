/// One HTTP request for ``CurlHTTPClient``: method, absolute URL, headers and body bytes.
///
/// The body is bytes, not a stream: the API calls this client exists for send small JSON
/// documents whose exact bytes are signed, so the bytes the caller signed are the bytes sent.
/// Large objects go the other ways: ``bodyFile`` uploads a file as it is read, and
/// ``responseBodySink`` receives a download as it arrives.
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
    /// A file to send as the body instead of ``body`` (`PUT` only).
    public var bodyFile: HTTPRequestBodyFile?
    /// Where a 2xx response body goes as it arrives; `nil` collects it in ``HTTPResponse/body``.
    public var responseBodySink: (any HTTPResponseBodySink)?
    /// The largest body accepted for this request instead of the client's
    /// ``HTTPClientConfiguration/maximumResponseBodySize``; with a sink, the cap on what streams
    /// into it (a non-2xx body is still held to the client's cap).
    public var maximumResponseBodySize: Int?
    /// Signs the request with AWS Signature Version 4 (S3); `nil` for none.
    public var awsSigV4: AWSSigV4Signing?

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
