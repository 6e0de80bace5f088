/// Everything a ``FaceIDClient`` needs: where to call, which action, who signs, and the
/// transport limits.
///
/// Reading flags and the environment is the executable's job; this is the typed result.
public struct FaceIDClientConfiguration: Sendable {
    /// The API base URL (the simulator's URL in tests).
    public var endpoint: TencentCloudEndpoint
    /// The action that fetches results.
    public var action: FaceIDAction
    /// The credentials that sign every call.
    public var credentials: TencentCloudCredentials
    /// The region used when a call names none.
    public var defaultRegion: Region
    /// `X-TC-Language`: the language of `ErrorMsg` and error messages.
    public var language: String
    /// `X-TC-RequestClient`, identifying this program in Tencent's logs.
    public var requestClient: String
    /// How long connecting (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long one call may take in total.
    public var requestTimeout: Duration
    /// Idle connections older than this are closed (Tencent drops them after about 60 s).
    public var idleConnectionTimeout: Duration
    /// The largest response accepted; `nil` for the action's default
    /// (``FaceIDAction/defaultMaximumResponseSize``).
    public var maximumResponseSize: Int?
    /// The wall clock that dates signatures.
    public var clock: SigningClock

    /// A configuration with the defaults the contract names: `ap-singapore`, `en-US`,
    /// `faceid-enricher/<version>`, 5 s connect, 30 s per call, idle connections dropped at 30 s.
    public init(
        endpoint: TencentCloudEndpoint,
        action: FaceIDAction = .getWebVerificationResult,
        credentials: TencentCloudCredentials,
        defaultRegion: Region = .singapore,
        language: String = "en-US",
        requestClient: String = "faceid-enricher/\(FaceIDClient.version)",
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        idleConnectionTimeout: Duration = .seconds(30),
        maximumResponseSize: Int? = nil,
        clock: SigningClock = .system
    ) {
        self.endpoint = endpoint
        self.action = action
        self.credentials = credentials
        self.defaultRegion = defaultRegion
        self.language = language
        self.requestClient = requestClient
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.idleConnectionTimeout = idleConnectionTimeout
        self.maximumResponseSize = maximumResponseSize
        self.clock = clock
    }
}
