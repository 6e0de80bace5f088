/// A request body read from a file while the request is sent, so uploading a large object never
/// holds it in memory (`PUT` only).
///
/// The client opens the file when the transfer starts and closes it when it ends; the file must
/// keep `length` bytes until then. It can be read more than once: libcurl rewinds it when it has
/// to resend the body (a kept-alive connection that turned out closed).
public struct HTTPRequestBodyFile: Sendable, Hashable {
    /// The file's path.
    public var path: String
    /// How many bytes of it are sent (`Content-Length`).
    public var length: Int64

    /// The first `length` bytes of the file at `path`.
    public init(path: String, length: Int64) {
        self.path = path
        self.length = length
    }
}
