/// What `KafkaAdmin` connects with: the same bootstrap servers and `-X` pass-through as the service's clients.
public struct KafkaAdminConfiguration: Sendable {
    /// Bootstrap servers, `host:port[,host:port…]`.
    public var bootstrapServers: String
    /// Client id reported to the brokers.
    public var clientID: String
    /// How long one admin or metadata request may take.
    public var requestTimeout: Duration
    /// librdkafka properties applied last (`-X key=value`: SASL, TLS…).
    public var properties: [(key: String, value: String)]

    /// Creates an admin configuration.
    public init(
        bootstrapServers: String,
        clientID: String = "faceid-enricher-admin",
        requestTimeout: Duration = .seconds(30),
        properties: [(key: String, value: String)] = []
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.requestTimeout = requestTimeout
        self.properties = properties
    }

    var librdkafkaProperties: [(key: String, value: String)] {
        [("bootstrap.servers", bootstrapServers), ("client.id", clientID)] + properties
    }
}
