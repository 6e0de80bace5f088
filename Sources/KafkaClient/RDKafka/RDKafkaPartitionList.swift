import CRDKafka

/// Conversions between our `TopicPartition` values and librdkafka's `rd_kafka_topic_partition_list_t`.
enum RDKafkaPartitionList {
    /// A new list (the caller destroys it) with one entry per partition, with the given offset or
    /// `RD_KAFKA_OFFSET_INVALID`.
    static func make(_ offsets: [(TopicPartition, Int64?)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        // rd_kafka_topic_partition_list_new never returns NULL (it aborts on allocation failure).
        let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t> =
            rd_kafka_topic_partition_list_new(Int32(clamping: max(offsets.count, 1)))
        for (partition, offset) in offsets {
            let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)
            element?.pointee.offset = offset ?? crdkafka_offset_invalid()
        }
        return list
    }

    /// A new list of partitions without offsets.
    static func make(_ partitions: [TopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        make(partitions.map { ($0, nil) })
    }

    /// Runs `body` with a temporary list, destroying it afterwards.
    static func with<R>(
        _ offsets: [(TopicPartition, Int64?)],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> R
    ) throws(KafkaError) -> R {
        let list = make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }

    /// Copies the entries out of a list: partition, offset and per-entry error.
    static func entries(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>
    ) -> [(partition: TopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        guard let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            let topic = element.topic.map { String(cString: $0) } ?? ""
            return (TopicPartition(topic: topic, partition: element.partition), element.offset, element.err)
        }
    }

    /// The first per-entry error of a list, if any.
    static func firstError(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> KafkaError? {
        firstError(in: entries(list))
    }

    /// The first per-entry error among entries already copied out with ``entries(_:)``.
    static func firstError(
        in entries: [(partition: TopicPartition, offset: Int64, error: rd_kafka_resp_err_t)]
    ) -> KafkaError? {
        for entry in entries where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
            var error = KafkaError(entry.error)
            error.message += " (\(entry.partition))"
            return error
        }
        return nil
    }
}
