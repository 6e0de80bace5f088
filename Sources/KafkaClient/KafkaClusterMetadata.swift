/// A snapshot of cluster metadata: which brokers answer and which topics exist with how many partitions. Used to
/// check that a broker is up (the test rig's readiness probe) and that topics exist.
public struct KafkaClusterMetadata: Sendable, Hashable {
    /// One broker as advertised in metadata.
    public struct Broker: Sendable, Hashable {
        /// The broker id.
        public var id: Int32
        /// The advertised host.
        public var host: String
        /// The advertised port.
        public var port: Int32
    }

    /// The brokers in the cluster.
    public var brokers: [Broker]
    /// Partition count per topic name.
    public var topics: [String: Int]
}
