/// An async HTTP/1.1 and HTTP/2 client over libcurl, with kept-alive connections and many
/// requests in flight at once.
///
/// ## Design
/// One ``CurlMultiLoop`` thread per client owns a libcurl multi handle; ``execute(_:)`` hands
/// it a transfer through a locked inbox, wakes it with `curl_multi_wakeup`, and suspends on a
/// continuation that the thread resumes when the transfer ends. No libcurl call blocks a Swift
/// concurrency thread, and any number of requests run concurrently on the one thread.
///
/// - Connections: kept alive and reused through the multi handle's connection cache; a
///   connection idle for longer than ``HTTPClientConfiguration/idleConnectionTimeout``
///   (30 s by default, `CURLOPT_MAXAGE_CONN`) is closed instead of reused.
/// - Timeouts: connect and total, per ``HTTPClientConfiguration``; a request may override the total.
/// - Size: a body over ``HTTPClientConfiguration/maximumResponseBodySize`` (1 MiB by default)
///   aborts the transfer with ``HTTPClientError/Kind/bodyTooLarge``.
/// - Large objects: a download streams into ``HTTPRequest/responseBodySink`` as it arrives and an
///   upload is read from ``HTTPRequest/bodyFile`` as it is sent, so neither is held in memory;
///   ``HTTPRequest/awsSigV4`` has libcurl sign the request for S3 (`CURLOPT_AWS_SIGV4`).
/// - TLS: always verified (peer and host name) against the system CA store.
/// - Proxy: by default libcurl honours `https_proxy`/`HTTPS_PROXY`, `http_proxy` and
///   `no_proxy`/`NO_PROXY`; see ``HTTPClientConfiguration/Proxy``.
/// - Cancellation: cancelling the calling task removes the transfer from the multi handle
///   (closing its connection) and ``execute(_:)`` throws ``HTTPClientError/Kind/cancelled``.
/// - Shutdown: ``shutdown()`` fails queued and running requests with
///   ``HTTPClientError/Kind/shutdown`` and stops the thread; call it once the client's users
///   are done. A client released without it stops its thread from `deinit`.
public final class CurlHTTPClient: Sendable {
    /// The settings this client was created with.
    public let configuration: HTTPClientConfiguration
    private let loop: CurlMultiLoop

    /// Creates the client and starts its thread; throws if libcurl cannot be initialised.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        self.configuration = configuration
        self.loop = try CurlMultiLoop(configuration: configuration)
        try loop.start()
    }

    /// Stops the thread if ``shutdown()`` was not called. No request can be running: each one
    /// holds the client until it ends.
    deinit {
        loop.requestShutdown()
    }

    /// Sends `request` and returns the complete response, whatever its status.
    ///
    /// Throws ``HTTPClientError`` when no complete response arrived: timeout, connection
    /// failure or reset, body too large, TLS failure, cancellation of the calling task, or
    /// shutdown of the client.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let transfer = CurlTransfer(request: request, maximumBodySize: configuration.maximumResponseBodySize)
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>) in
                if !loop.submit(.start(transfer, continuation)) {
                    continuation.resume(
                        returning: .failure(HTTPClientError.shutdown)
                    )
                }
            }
        } onCancel: {
            transfer.isCancelled.store(true, ordering: .releasing)
            loop.submit(.cancel(transfer))
        }
        return try result.get()
    }

    /// Fails requests still queued or running with ``HTTPClientError/Kind/shutdown``, closes
    /// the connections and stops the client's thread. Later ``execute(_:)`` calls fail the
    /// same way. Safe to call more than once.
    public func shutdown() async {
        await loop.shutdown()
    }
}
