/// What a `KafkaProducer` is created with: the options our service sets itself, typed, plus librdkafka properties
/// passed through verbatim (the contract's `-X key=value`), applied last so they override everything else.
///
/// Idempotence (`enable.idempotence=true`) and `acks=all` are not options: the at-least-once contract needs them.
public struct KafkaProducerConfiguration: Sendable {
    /// Bootstrap servers, `host:port[,host:port…]` (`bootstrap.servers`).
    public var bootstrapServers: String
    /// Client id reported to the brokers (`client.id`).
    public var clientID: String
    /// How long to wait to fill a batch (`linger.ms`): small, because the pipeline waits for each delivery report.
    public var linger: Duration
    /// How long librdkafka keeps retrying one message before reporting `_MSG_TIMED_OUT` (`message.timeout.ms`).
    public var messageTimeout: Duration
    /// How many messages librdkafka may hold unsent (`queue.buffering.max.messages`); beyond it `send` waits.
    public var maxQueuedMessages: Int
    /// Batch compression (`compression.codec`), `nil` for librdkafka's default (none).
    public var compression: Compression?
    /// librdkafka properties applied after everything above (`-X key=value`, in order; later wins).
    public var properties: [(key: String, value: String)]

    /// Creates a configuration with defaults suited to a request/response style producer.
    public init(
        bootstrapServers: String,
        clientID: String = "faceid-enricher",
        linger: Duration = .milliseconds(5),
        messageTimeout: Duration = .seconds(300),
        maxQueuedMessages: Int = 100_000,
        compression: Compression? = nil,
        properties: [(key: String, value: String)] = []
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.linger = linger
        self.messageTimeout = messageTimeout
        self.maxQueuedMessages = maxQueuedMessages
        self.compression = compression
        self.properties = properties
    }

    /// A `compression.codec` value; open so any codec librdkafka knows can be named.
    public struct Compression: RawRepresentable, Sendable, Hashable {
        /// The librdkafka codec name.
        public var rawValue: String
        /// Wraps a librdkafka codec name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// No compression.
        public static let none = Compression(rawValue: "none")
        /// gzip.
        public static let gzip = Compression(rawValue: "gzip")
        /// snappy.
        public static let snappy = Compression(rawValue: "snappy")
        /// lz4.
        public static let lz4 = Compression(rawValue: "lz4")
        /// zstd.
        public static let zstd = Compression(rawValue: "zstd")
    }

    /// The librdkafka property map: our settings first, the pass-through last.
    var librdkafkaProperties: [(key: String, value: String)] {
        var result: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            ("enable.idempotence", "true"),
            ("acks", "all"),
            ("linger.ms", String(RDKafkaConfiguration.milliseconds(linger))),
            ("message.timeout.ms", String(RDKafkaConfiguration.milliseconds(messageTimeout))),
            ("queue.buffering.max.messages", String(maxQueuedMessages)),
        ]
        if let compression {
            result.append(("compression.codec", compression.rawValue))
        }
        return result + properties
    }
}
