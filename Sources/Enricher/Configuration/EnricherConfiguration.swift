/// Everything `faceid-enricher run` needs, resolved and validated once at start-up.
///
/// Values come from flags, then environment variables, then the contract's defaults (see
/// ``resolve(_:environment:standardErrorIsTerminal:)``). The FaceID settings (endpoint, region,
/// action, credentials) are the Tencent Cloud module's `FaceIDClientConfiguration`, resolved
/// by it, so credentials never travel in a value that might be printed.
public struct EnricherConfiguration: Sendable {
    /// Bootstrap servers, as librdkafka's `bootstrap.servers`.
    public var brokers: String
    /// The consumer group every instance joins; the group shares the API budget.
    public var group: String
    public var inputTopic: String
    public var outputTopic: String
    public var dlqTopic: String
    /// librdkafka properties passed through as given (`-X`, `KAFKA_CONFIG`), applied last.
    public var kafkaProperties: [(key: String, value: String)]
    /// Requests per second for the whole consumer group.
    public var rateLimit: Double
    /// Events being processed at once in this instance.
    public var maxInFlight: Int
    /// How long one event may be retried before it goes to the DLQ.
    public var retryMaxElapsed: Duration
    /// Port of `/metrics`, `/healthz`, `/readyz`.
    public var httpPort: Int
    /// Address the HTTP endpoints bind: every interface by default (probes and scrapes come
    /// from outside the pod), `127.0.0.1` to keep them local.
    public var httpHost: String
    public var logFormat: LogFormat
    /// Keep the Intl action's inline media in output events instead of `{bytes, md5}`.
    public var keepMediaBase64: Bool
    /// How long SIGTERM waits for in-flight events before committing and leaving the group.
    public var drainTimeout: Duration
    /// The topic through which the group shares the rate budget by demand (`--coordination-topic`,
    /// default `<group>.rate-budget`); `nil` when coordination is off (`--rate-coordination off`)
    /// and each instance takes its partition share only.
    public var coordinationTopic: String?

    /// The coordination topic's default name for a group: one per group, so two deployments on one
    /// cluster never share a budget by accident.
    public static func defaultCoordinationTopic(group: String) -> String { group + ".rate-budget" }

    /// The contract's defaults.
    public static let defaults = EnricherConfiguration(
        brokers: "localhost:9092",
        group: "faceid-enricher",
        inputTopic: "faceid.verification.completed",
        outputTopic: "faceid.verification.result",
        dlqTopic: "faceid.verification.dlq",
        kafkaProperties: [],
        rateLimit: 20,
        maxInFlight: 64,
        retryMaxElapsed: .seconds(600),
        httpPort: 8080,
        httpHost: "0.0.0.0",
        logFormat: .json,
        keepMediaBase64: false,
        drainTimeout: .seconds(30),
        coordinationTopic: defaultCoordinationTopic(group: "faceid-enricher")
    )
}

/// A configuration value that cannot be used, named by the flag or variable it came from.
/// Printed as the one line on stderr before a non-zero exit.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
