/// A complete HTTP response: status, content type and the whole body (within the size cap).
///
/// Any status is a response, not an error: what a 5xx means is the caller's protocol's
/// business (Tencent's API answers its errors with 200 and a JSON envelope).
public struct HTTPResponse: Sendable, Hashable {
    /// The HTTP status code, e.g. 200.
    public var status: Int
    /// The `Content-Type` header, when the server sent one.
    public var contentType: String?
    /// The body bytes.
    public var body: [UInt8]
    /// `true` when the request was sent on a connection kept alive from an earlier request.
    public var isConnectionReused: Bool

    /// A response.
    public init(status: Int, contentType: String? = nil, body: [UInt8], isConnectionReused: Bool = false) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.isConnectionReused = isConnectionReused
    }
}
