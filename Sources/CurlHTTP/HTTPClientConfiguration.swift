/// Settings of a ``CurlHTTPClient``: timeouts, connection reuse, the response size cap, proxy.
///
/// TLS verification is not configurable: it is always on, against the system CA store.
public struct HTTPClientConfiguration: Sendable {
    /// How a proxy is chosen.
    public enum Proxy: Sendable, Hashable {
        /// libcurl's own rules: `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy` for
        /// http URLs, `no_proxy`/`NO_PROXY` for exceptions (the lower-case name wins). The default.
        case environment
        /// No proxy, even if the environment names one.
        case none
        /// This proxy URL (e.g. `http://proxy:3128`), except for hosts in `noProxy`
        /// (libcurl's comma-separated `NO_PROXY` syntax).
        case url(String, noProxy: String?)
    }

    /// How long establishing a connection (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long a whole request may take, connection included.
    public var totalTimeout: Duration
    /// Connections idle longer than this are closed instead of reused. Tencent closes idle
    /// connections after about 60 s; dropping ours at 30 s avoids writing into a socket the
    /// server is closing.
    public var idleConnectionTimeout: Duration
    /// The largest response body accepted; a larger one fails with
    /// ``HTTPClientError/Kind/bodyTooLarge`` (a bad or hostile server cannot exhaust memory).
    public var maximumResponseBodySize: Int
    /// How many idle connections are kept for reuse.
    public var maximumIdleConnections: Int
    /// At most this many connections to one host at once (`CURLMOPT_MAX_HOST_CONNECTIONS`); further
    /// requests wait inside the client for one to free up (their total timeout keeps running).
    /// Without a cap, a burst of concurrent requests opens one connection each and all but
    /// ``maximumIdleConnections`` are closed again after a single request: connect and close on
    /// most calls, for the client and the server alike. `nil` removes the cap.
    public var maximumConnectionsPerHost: Int?
    /// The proxy.
    public var proxy: Proxy
    /// The `User-Agent` header; `nil` sends none.
    public var userAgent: String?

    /// A configuration; every setting has a default suitable for calling a cloud API.
    public init(
        connectTimeout: Duration = .seconds(5),
        totalTimeout: Duration = .seconds(30),
        idleConnectionTimeout: Duration = .seconds(30),
        maximumResponseBodySize: Int = 1 << 20,
        maximumIdleConnections: Int = 64,
        maximumConnectionsPerHost: Int? = 64,
        proxy: Proxy = .environment,
        userAgent: String? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.idleConnectionTimeout = idleConnectionTimeout
        self.maximumResponseBodySize = maximumResponseBodySize
        self.maximumIdleConnections = maximumIdleConnections
        self.maximumConnectionsPerHost = maximumConnectionsPerHost
        self.proxy = proxy
        self.userAgent = userAgent
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a positive sub-millisecond duration is not 0 (which
    /// libcurl reads as "no timeout").
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return Int(max(0, millis + (remainder > 0 ? 1 : 0)))
    }

    /// Whole seconds, rounded up, at least 1.
    var curlSeconds: Int {
        let (seconds, attoseconds) = components
        return Int(max(1, seconds + (attoseconds > 0 ? 1 : 0)))
    }
}
