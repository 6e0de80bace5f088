import CRDKafka
public import Logging

/// librdkafka's in-process mock Kafka cluster (`rdkafka_mock.h`): real brokers speaking the Kafka protocol on
/// loopback ports, hosted on librdkafka threads inside this process. Used by unit tests (with fault injection)
/// and by `faceid-enricher demo`, which needs no external broker.
///
/// `@unchecked Sendable`: the mock API calls post operations to the cluster's own thread and are safe from any
/// thread; the handles are immutable after `init` and destroyed only in `deinit`.
public final class MockKafkaCluster: @unchecked Sendable {
    /// A Kafka protocol API key, for `pushRequestErrors`.
    public struct APIKey: RawRepresentable, Sendable, Hashable {
        /// The protocol's numeric API key.
        public var rawValue: Int16
        /// Wraps a numeric API key.
        public init(rawValue: Int16) { self.rawValue = rawValue }
        /// Produce.
        public static let produce = APIKey(rawValue: 0)
        /// Fetch.
        public static let fetch = APIKey(rawValue: 1)
        /// ListOffsets.
        public static let listOffsets = APIKey(rawValue: 2)
        /// Metadata.
        public static let metadata = APIKey(rawValue: 3)
        /// OffsetCommit.
        public static let offsetCommit = APIKey(rawValue: 8)
        /// OffsetFetch.
        public static let offsetFetch = APIKey(rawValue: 9)
        /// FindCoordinator.
        public static let findCoordinator = APIKey(rawValue: 10)
        /// JoinGroup.
        public static let joinGroup = APIKey(rawValue: 11)
        /// Heartbeat.
        public static let heartbeat = APIKey(rawValue: 12)
        /// SyncGroup.
        public static let syncGroup = APIKey(rawValue: 14)
        /// InitProducerId (idempotent producer start-up).
        public static let initProducerID = APIKey(rawValue: 22)
    }

    /// `host:port,…` of the mock brokers, for `bootstrap.servers`.
    public let bootstrapServers: String
    /// How many brokers the cluster has (ids 1…brokerCount).
    public let brokerCount: Int

    private let rk: OpaquePointer
    private let cluster: OpaquePointer
    private let contextPointer: UnsafeMutableRawPointer

    /// Starts a mock cluster with `brokers` brokers. librdkafka's logs go to `logger`.
    public init(brokers: Int, logger: Logger = Logger(label: "kafka.mock")) throws(KafkaError) {
        let conf = try RDKafkaConfiguration.make([("client.id", "faceid-mock-cluster")])
        let pointer = RDKafkaCallbackContext(logger: logger).install(on: conf)
        let rk = try RDKafkaConfiguration.newHandle(type: RD_KAFKA_PRODUCER, conf: conf, context: pointer)
        guard let cluster = rd_kafka_mock_cluster_new(rk, Int32(clamping: brokers)) else {
            RDKafkaDestroy.destroy(HandleTransfer(pointer: rk, context: pointer))
            throw KafkaError.local(.fail, "rd_kafka_mock_cluster_new failed")
        }
        self.rk = rk
        self.cluster = cluster
        self.contextPointer = pointer
        self.brokerCount = brokers
        self.bootstrapServers = rd_kafka_mock_cluster_bootstraps(cluster).map { String(cString: $0) } ?? ""
    }

    deinit {
        // The mock cluster goes first (it runs on its handle's threads), then the handle, on a dedicated thread.
        let cluster = HandleTransfer(pointer: self.cluster, context: nil)
        DedicatedThread.destroy(rk, context: contextPointer, before: { rd_kafka_mock_cluster_destroy(cluster.pointer) })
    }

    /// Creates `name` with `partitions` partitions (replication factor ≤ broker count).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err)
        }
    }

    /// Makes broker `broker` the leader of `topic`'s `partition`; `-1` leaves the partition without a leader
    /// (produce and fetch fail for it until a leader is set again).
    public func setPartitionLeader(_ topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err)
        }
    }

    /// Takes broker `id` down (its connections close, it accepts none) or brings it back up. Leaders do not move.
    public func setBroker(_ id: Int32, up: Bool) throws(KafkaError) {
        let err = up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err)
        }
    }

    /// Makes broker `id` the coordinator of consumer group `group` (`rd_kafka_mock_coordinator_set`), so a test can
    /// take a group's coordinator down while the brokers serving metadata and partitions stay up.
    public func setGroupCoordinator(_ group: String, broker id: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_coordinator_set(cluster, "group", group, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err)
        }
    }

    /// Makes the next `errors.count` requests of `apiKey` (to any broker) fail with these codes, in order. An
    /// error applies to a whole request (a produce batch), not one message.
    public func pushRequestErrors(apiKey: APIKey, errors: [KafkaError.Code]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    /// Makes broker `id` answer its next `count` requests of `apiKey` successfully but `delay` late: a slow broker.
    public func delayResponses(broker id: Int32, apiKey: APIKey, count: Int, by delay: Duration) throws(KafkaError) {
        let milliseconds = Int32(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
        for _ in 0..<count {
            let err = crdkafka_mock_broker_push_request_error_rtt(
                cluster,
                id,
                apiKey.rawValue,
                RD_KAFKA_RESP_ERR_NO_ERROR,
                milliseconds
            )
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(err)
            }
        }
    }

    /// Forgets errors pushed for `apiKey` that were not used up.
    public func clearRequestErrors(apiKey: APIKey) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey.rawValue)
    }
}
