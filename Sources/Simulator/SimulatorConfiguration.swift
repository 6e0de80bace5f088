/// How a ``FaceIDSimulator`` behaves: where it listens, whom it accepts, how fast it lets
/// requests through and which failures it injects.
///
/// Tests and the `simulate` command build one of these; the rate limit, latency and fault
/// probabilities can also be changed while the simulator runs (see ``FaceIDSimulator``).
public struct SimulatorConfiguration: Sendable {
    /// The address to bind. Loopback by default, so a test or a developer's simulator is never
    /// reachable from elsewhere by accident.
    public var host: String
    /// The TCP port to bind; `0` picks a free port (read it back with ``FaceIDSimulator/port``).
    public var port: Int
    /// The credentials the simulator accepts, as Tencent Cloud would for one account.
    public var secrets: [SimulatorSecret]
    /// Requests per second let through (a token bucket with a one-second burst), like the
    /// API's 20 per second limit; `0` means unlimited. Excess requests get `RequestLimitExceeded`.
    public var rateLimit: Int
    /// Added to every answer, to imitate a distant API.
    public var latency: Duration
    /// Each answer's latency is drawn uniformly from `latency ± jitter` (never below zero).
    public var jitter: Duration
    /// How long the `slow` fault holds an answer back; longer than a client's timeout by default.
    public var slowDelay: Duration
    /// The probability (0…1) of each fault, drawn independently per request.
    public var faults: [SimulatorFault: Double]
    /// Seeds the random draws (faults, jitter) so a test run is repeatable; `nil` seeds from the system.
    public var seed: UInt64?
    /// Writes one JSON line per request to standard output (never a signature or a credential).
    public var logsRequests: Bool
    /// How far `X-TC-Timestamp` may be from the simulator's clock, as Tencent allows (300 s).
    public var maximumClockSkew: Duration
    /// How long the media URLs of an answer stay valid (`--media-ttl`); Tencent's are valid for 10 minutes.
    public var mediaTTL: Duration
    /// The size of every simulated video in bytes (`--media-video-bytes`), e.g. 5 MiB for a memory
    /// benchmark; a few KiB by default.
    public var videoSize: Int
    /// Where media URLs point (`--media-base-url`, `http://host:port`); `nil` points them at the
    /// address the API request was sent to (its `Host` header), which reaches this simulator.
    public var mediaBaseURL: String?
    /// Keep-alive connections idle this long are closed, as Tencent closes them after about
    /// 60 s, so a client's connection reuse meets the same surprise; `nil` keeps them open.
    public var idleConnectionTimeout: Duration?

    /// A configuration with Tencent's defaults: 20 requests per second, no latency, no faults.
    public init(
        host: String = "127.0.0.1",
        port: Int = 9000,
        secrets: [SimulatorSecret] = [],
        rateLimit: Int = 20,
        latency: Duration = .zero,
        jitter: Duration = .zero,
        slowDelay: Duration = .seconds(5),
        faults: [SimulatorFault: Double] = [:],
        seed: UInt64? = nil,
        logsRequests: Bool = false,
        maximumClockSkew: Duration = .seconds(300),
        idleConnectionTimeout: Duration? = .seconds(60),
        mediaTTL: Duration = .seconds(600),
        videoSize: Int = 24 + 4096,
        mediaBaseURL: String? = nil
    ) {
        self.host = host
        self.port = port
        self.secrets = secrets
        self.rateLimit = rateLimit
        self.latency = latency
        self.jitter = jitter
        self.slowDelay = slowDelay
        self.faults = faults
        self.seed = seed
        self.logsRequests = logsRequests
        self.maximumClockSkew = maximumClockSkew
        self.idleConnectionTimeout = idleConnectionTimeout
        self.mediaTTL = mediaTTL
        self.videoSize = videoSize
        self.mediaBaseURL = mediaBaseURL
    }
}
