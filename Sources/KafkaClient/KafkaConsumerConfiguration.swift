/// What a `KafkaConsumer` is created with: typed options for what our service sets itself, plus librdkafka
/// properties passed through verbatim (the contract's `-X key=value`), applied last.
///
/// Offsets are never stored or committed behind the caller's back: `enable.auto.offset.store=false` and
/// `enable.auto.commit=false` are not options.
public struct KafkaConsumerConfiguration: Sendable {
    /// Bootstrap servers, `host:port[,host:port…]` (`bootstrap.servers`).
    public var bootstrapServers: String
    /// The consumer group (`group.id`).
    public var groupID: String
    /// Client id reported to the brokers (`client.id`).
    public var clientID: String
    /// Where to start in a partition without a committed offset (`auto.offset.reset`).
    public var autoOffsetReset: AutoOffsetReset
    /// How partitions are spread over the group (`partition.assignment.strategy`).
    public var assignmentStrategy: AssignmentStrategy
    /// How long the group waits for a silent member before rebalancing (`session.timeout.ms`).
    public var sessionTimeout: Duration
    /// How often the member heartbeats (`heartbeat.interval.ms`).
    public var heartbeatInterval: Duration
    /// Longest allowed gap between polls before the member leaves (`max.poll.interval.ms`); the layer polls
    /// continuously on its own thread, so this only trips if that thread stalls.
    public var maxPollInterval: Duration
    /// How often librdkafka emits statistics (`statistics.interval.ms`), the source of `lag()`; `.zero` disables.
    public var statisticsInterval: Duration
    /// Longest time a fetch waits for data on the broker (`fetch.wait.max.ms`), `nil` for librdkafka's default.
    public var fetchMaxWait: Duration?
    /// Flow control: the most messages waiting unread in the events sequence, split evenly over the assigned
    /// partitions (at least 16 each); a partition whose share is waiting has its fetching paused until half of it
    /// has been read.
    public var maxBufferedMessages: Int
    /// librdkafka properties applied after everything above (`-X key=value`, in order; later wins).
    public var properties: [(key: String, value: String)]

    /// Creates a configuration with librdkafka's usual group timeouts and statistics every 5 seconds.
    public init(
        bootstrapServers: String,
        groupID: String,
        clientID: String = "faceid-enricher",
        autoOffsetReset: AutoOffsetReset = .earliest,
        assignmentStrategy: AssignmentStrategy = .rangeRoundRobin,
        sessionTimeout: Duration = .seconds(45),
        heartbeatInterval: Duration = .seconds(3),
        maxPollInterval: Duration = .seconds(300),
        statisticsInterval: Duration = .seconds(5),
        fetchMaxWait: Duration? = nil,
        maxBufferedMessages: Int = 10_000,
        properties: [(key: String, value: String)] = []
    ) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.clientID = clientID
        self.autoOffsetReset = autoOffsetReset
        self.assignmentStrategy = assignmentStrategy
        self.sessionTimeout = sessionTimeout
        self.heartbeatInterval = heartbeatInterval
        self.maxPollInterval = maxPollInterval
        self.statisticsInterval = statisticsInterval
        self.fetchMaxWait = fetchMaxWait
        self.maxBufferedMessages = maxBufferedMessages
        self.properties = properties
    }

    /// An `auto.offset.reset` value.
    public enum AutoOffsetReset: String, Sendable, Hashable {
        /// Start from the oldest retained record (our default: nothing is skipped).
        case earliest
        /// Start from the next record produced.
        case latest
        /// Report `_AUTO_OFFSET_RESET` instead of guessing.
        case error
    }

    /// A `partition.assignment.strategy` value; open so any assignor librdkafka knows can be named.
    public struct AssignmentStrategy: RawRepresentable, Sendable, Hashable {
        /// The librdkafka strategy list, e.g. `range,roundrobin`.
        public var rawValue: String
        /// Wraps a librdkafka strategy list.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// librdkafka's default eager assignors.
        public static let rangeRoundRobin = AssignmentStrategy(rawValue: "range,roundrobin")
        /// Eager range assignment.
        public static let range = AssignmentStrategy(rawValue: "range")
        /// Eager round-robin assignment.
        public static let roundRobin = AssignmentStrategy(rawValue: "roundrobin")
        /// Incremental cooperative rebalancing: only moved partitions are revoked.
        public static let cooperativeSticky = AssignmentStrategy(rawValue: "cooperative-sticky")
    }

    /// The librdkafka property map: our settings first, the pass-through last.
    var librdkafkaProperties: [(key: String, value: String)] {
        var result: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupID),
            ("client.id", clientID),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", autoOffsetReset.rawValue),
            ("partition.assignment.strategy", assignmentStrategy.rawValue),
            ("session.timeout.ms", String(RDKafkaConfiguration.milliseconds(sessionTimeout))),
            ("heartbeat.interval.ms", String(RDKafkaConfiguration.milliseconds(heartbeatInterval))),
            ("max.poll.interval.ms", String(RDKafkaConfiguration.milliseconds(maxPollInterval))),
            ("statistics.interval.ms", String(RDKafkaConfiguration.milliseconds(statisticsInterval))),
        ]
        if let fetchMaxWait {
            result.append(("fetch.wait.max.ms", String(RDKafkaConfiguration.milliseconds(fetchMaxWait))))
        }
        return result + properties
    }
}
