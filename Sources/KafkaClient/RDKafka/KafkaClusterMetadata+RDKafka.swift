import CRDKafka

extension KafkaClusterMetadata {
    /// Reads metadata for all topics through `rk` (`rd_kafka_metadata`, blocking up to `timeoutMs`).
    /// Any handle can ask, so the consumer asks through its own connection instead of opening
    /// an admin client. Call it on a dedicated thread, never the cooperative pool.
    static func read(from rk: OpaquePointer, timeoutMs: Int32) -> Result<KafkaClusterMetadata, KafkaError> {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 1, nil, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            return .failure(KafkaError(err))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let m = metadata.pointee
        var brokers: [KafkaClusterMetadata.Broker] = []
        for index in 0..<Int(m.broker_cnt) {
            guard let broker = m.brokers?[index] else { continue }
            brokers.append(
                .init(id: broker.id, host: broker.host.map { String(cString: $0) } ?? "", port: broker.port))
        }
        var topics: [String: Int] = [:]
        for index in 0..<Int(m.topic_cnt) {
            guard let topic = m.topics?[index], topic.err == RD_KAFKA_RESP_ERR_NO_ERROR,
                let name = topic.topic
            else { continue }
            topics[String(cString: name)] = Int(topic.partition_cnt)
        }
        return .success(KafkaClusterMetadata(brokers: brokers, topics: topics))
    }
}
