/// What ``LoopbackHTTPServer`` does with one request: answer (possibly late), answer with a
/// truncated body, or drop the connection.
public struct LoopbackHTTPReply: Sendable {
    /// How the reply ends.
    public enum Ending: Sendable, Hashable {
        /// The whole response is sent; the connection stays open for the next request.
        case complete
        /// `Content-Length` announces the whole body, only the first `bytes` are sent, then
        /// the connection is closed: a truncated response.
        case truncateBody(after: Int)
        /// No `Content-Length`: the body ends when the server closes the connection, so the
        /// client learns the size only while reading.
        case closeDelimited
        /// Nothing is sent; the connection is closed (a reset, from the client's point of view).
        case dropConnection
    }

    /// The HTTP status.
    public var status: Int
    /// Extra headers (the server adds `Content-Length`).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]
    /// How long to wait before answering; the server watches the connection meanwhile and
    /// counts a client that hangs up (``LoopbackHTTPServer/connectionsClosedByClientWhileWaiting``).
    public var delay: Duration
    /// How the reply ends.
    public var ending: Ending

    /// A reply.
    public init(
        status: Int = 200,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        delay: Duration = .zero,
        ending: Ending = .complete
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.ending = ending
    }

    /// A JSON reply.
    public static func json(_ text: String, status: Int = 200, delay: Duration = .zero) -> LoopbackHTTPReply {
        LoopbackHTTPReply(
            status: status,
            headers: [("Content-Type", "application/json")],
            body: Array(text.utf8),
            delay: delay
        )
    }

    /// A plain-text reply.
    public static func text(_ text: String, status: Int = 200, delay: Duration = .zero) -> LoopbackHTTPReply {
        LoopbackHTTPReply(
            status: status,
            headers: [("Content-Type", "text/plain")],
            body: Array(text.utf8),
            delay: delay
        )
    }

    /// Closes the connection without answering.
    public static let dropConnection = LoopbackHTTPReply(ending: .dropConnection)
}

/// One request as ``LoopbackHTTPServer`` received it.
public struct LoopbackHTTPRequest: Sendable {
    /// The method, e.g. `POST`.
    public var method: String
    /// The request target, e.g. `/` (absolute-form `http://host/` when sent to a proxy).
    public var target: String
    /// The header fields in arrival order.
    public var headers: [(name: String, value: String)]
    /// The body (per `Content-Length`).
    public var body: [UInt8]

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
