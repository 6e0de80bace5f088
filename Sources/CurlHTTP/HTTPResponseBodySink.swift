/// Receives a successful response's body as it arrives, instead of the client collecting it in
/// memory: how a caller downloads something larger than it wants to hold (a video to a file).
///
/// Only a 2xx response streams into the sink; any other status is collected in memory, under
/// the client's ``HTTPClientConfiguration/maximumResponseBodySize``, so the caller can read the
/// server's error document. The client calls ``write(_:)`` on its own thread, one call at a time
/// and in order, and never after ``CurlHTTPClient/execute(_:)`` returned; an implementation must
/// not block for long (every other transfer of the client waits meanwhile).
public protocol HTTPResponseBodySink: AnyObject, Sendable {
    /// Takes the next chunk of the body; `false` aborts the transfer (``CurlHTTPClient/execute(_:)``
    /// then throws an ``HTTPClientError`` of kind ``HTTPClientError/Kind/other``, and the sink knows why).
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool
}
