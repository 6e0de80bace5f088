import CRDKafka
public import Logging

/// Cluster administration the service needs at startup: create missing topics, and read cluster metadata.
///
/// Each call creates a short-lived librdkafka client, does its blocking work on a dedicated thread (never the
/// cooperative pool) and destroys the client there.
public enum KafkaAdmin {
    /// Creates each topic with the given partition count; a topic that already exists counts as success
    /// (`TOPIC_ALREADY_EXISTS`). `replicationFactor` `-1` means the broker's default; `topicConfig` (e.g.
    /// `cleanup.policy`, `retention.ms`) applies to every topic created. Throws the first other per-topic error.
    /// Needs a real cluster: librdkafka's mock cluster has no controller, so there this times out (`_TIMED_OUT`);
    /// create mock topics with `MockKafkaCluster.createTopic`.
    public static func createTopics(
        _ topics: [(name: String, partitions: Int32)],
        replicationFactor: Int32 = -1,
        topicConfig: [(key: String, value: String)] = [],
        configuration: KafkaAdminConfiguration,
        logger: Logger
    ) async throws(KafkaError) {
        guard !topics.isEmpty else { return }
        let client = try AdminClient(configuration: configuration, logger: logger)
        let timeout = RDKafkaConfiguration.milliseconds(configuration.requestTimeout)
        let result = await DedicatedThread.run { () -> KafkaError? in
            client.createTopicsBlocking(
                topics,
                replicationFactor: replicationFactor,
                topicConfig: topicConfig,
                timeoutMs: timeout
            )
        }
        if let result { throw result }
    }

    /// Fetches metadata for all topics; succeeds only when a broker answered within the request timeout.
    public static func clusterMetadata(
        configuration: KafkaAdminConfiguration,
        logger: Logger
    ) async throws(KafkaError) -> KafkaClusterMetadata {
        let client = try AdminClient(configuration: configuration, logger: logger)
        let timeout = RDKafkaConfiguration.milliseconds(configuration.requestTimeout)
        let result = await DedicatedThread.run { KafkaClusterMetadata.read(from: client.rk, timeoutMs: timeout) }
        return try result.get()
    }
}

/// A short-lived producer-type handle used for admin requests.
///
/// `@unchecked Sendable`: used by one thread at a time (created by the caller, used by one dedicated thread,
/// destroyed by whoever drops it last, off-pool).
final class AdminClient: @unchecked Sendable {
    let rk: OpaquePointer
    private let contextPointer: UnsafeMutableRawPointer

    init(configuration: KafkaAdminConfiguration, logger: Logger) throws(KafkaError) {
        let conf = try RDKafkaConfiguration.make(configuration.librdkafkaProperties)
        let pointer = RDKafkaCallbackContext(logger: logger).install(on: conf)
        rk = try RDKafkaConfiguration.newHandle(type: RD_KAFKA_PRODUCER, conf: conf, context: pointer)
        contextPointer = pointer
    }

    deinit {
        // Off whatever thread dropped the last reference (possibly the cooperative pool): destroy may block.
        DedicatedThread.destroy(rk, context: contextPointer)
    }

    func createTopicsBlocking(
        _ topics: [(name: String, partitions: Int32)],
        replicationFactor: Int32,
        topicConfig: [(key: String, value: String)],
        timeoutMs: Int32
    ) -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer {
            for topic in newTopics { rd_kafka_NewTopic_destroy(topic) }
        }
        for topic in topics {
            guard let newTopic = rd_kafka_NewTopic_new(
                topic.name, topic.partitions, replicationFactor, &errstr, errstr.count)
            else {
                return .local(.invalidArgument, RDKafkaConfiguration.cString(errstr))
            }
            newTopics.append(newTopic)
            for (key, value) in topicConfig {
                let err = rd_kafka_NewTopic_set_config(newTopic, key, value)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR { return KafkaError(err, message: "topic config \(key)") }
            }
        }
        guard let queue = rd_kafka_queue_new(rk) else { return .local(.fail, "rd_kafka_queue_new failed") }
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errstr, errstr.count)
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, queue)
        }
        // The request carries its own timeout; wait a little longer for its answer.
        guard let event = rd_kafka_queue_poll(queue, timeoutMs &+ 5000) else {
            return .local(.timedOut, "no CreateTopics answer within the request timeout")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            return KafkaError(eventError, message: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            return .local(.fail, "unexpected admin event")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return nil }
        for index in 0..<count {
            guard let topicResult = results[index] else { continue }
            let err = rd_kafka_topic_result_error(topicResult)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            let name = rd_kafka_topic_result_name(topicResult).map { String(cString: $0) } ?? ""
            let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
            return KafkaError(err, message: "\(name): \(text)")
        }
        return nil
    }
}
