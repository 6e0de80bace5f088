import CRDKafka

extension KafkaConsumer {
    /// Subscribes the group member to `topics` (replacing any previous subscription); assignments follow as
    /// `.partitionsAssigned` events.
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = RDKafkaPartitionList.make(topics.map { TopicPartition(topic: $0, partition: -1) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_subscribe(handle.rk, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err)
        }
    }

    /// Reads `offsets`' partitions from the given offsets without joining a group (`rd_kafka_assign`),
    /// replacing any earlier assignment; for a reader that keeps its own place (the coordination topic).
    /// Do not mix with `subscribe`.
    public func assign(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = RDKafkaPartitionList.make(offsets.map { ($0.key, Optional($0.value)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(handle.rk, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err)
        }
        handle.context.state.withLock { $0.assignment = Set(offsets.keys) }
    }

    /// Calls `observer` on the consumer's poll thread whenever partitions are about to be revoked (or
    /// were lost), before librdkafka lets the group give them to another member: for state that must
    /// never be shared by two members, such as the partitions' share of an API budget. `observer` must
    /// not block or call back into the consumer.
    public func observeRevocations(_ observer: @escaping @Sendable ([TopicPartition]) -> Void) {
        handle.context.state.withLock { $0.revocationObserver = observer }
    }

    /// Stops delivery from `partitions` until `resume`, at once: nothing more of them comes out of `events`, not
    /// even what is already buffered. A pause lasts until resumed or until the partition is revoked.
    ///
    /// A pause is cheap (no request, nothing refetched), so a caller may pause and resume as often as its own
    /// limits require: the partitions' messages wait in the layer's buffer, and once a partition's share of
    /// `maxBufferedMessages` is waiting, fetching it from the brokers pauses too, until the reader has taken half.
    /// Never throws today; it keeps its signature so callers handle errors should pausing ever reach librdkafka.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        handle.context.buffer.hold(partitions)
    }

    /// Restarts delivery from `partitions`, from the first message not yet delivered.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        handle.context.buffer.release(partitions, rk: handle.rk)
    }

    /// Per-partition lag from librdkafka's latest statistics (`statisticsInterval`): the high watermark seen in
    /// fetch responses minus the committed offset (minus the low watermark when nothing is committed yet), for the
    /// assigned partitions statistics have covered. Fetch-side values are used on purpose: they are right even on
    /// brokers whose ListOffsets answers are not (Tansu).
    public func lag() -> [TopicPartition: Int64] {
        handle.context.state.withLock { state in
            var result: [TopicPartition: Int64] = [:]
            for partition in state.assignment {
                guard let snapshot = state.statistics[partition], snapshot.high >= 0 else { continue }
                let base = snapshot.committed >= 0 ? snapshot.committed : snapshot.low
                guard base >= 0 else { continue }
                result[partition] = max(0, snapshot.high - base)
            }
            return result
        }
    }

    /// The low and high watermarks librdkafka last saw in fetch responses for `partition`
    /// (`rd_kafka_get_watermark_offsets`), without a request; `nil` before the first fetch.
    public func cachedWatermarks(for partition: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(handle.rk, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    /// Asks the partition leader for the low and high watermarks (`rd_kafka_query_watermark_offsets`, a
    /// ListOffsets request). Note: Tansu 0.6 answers this wrongly; prefer `cachedWatermarks` there.
    public func queryWatermarks(for partition: TopicPartition, timeout: Duration) async throws(KafkaError) -> (
        low: Int64, high: Int64
    ) {
        let handle = self.handle
        let ms = RDKafkaConfiguration.milliseconds(timeout)
        let (code, low, high) = await DedicatedThread.run { () -> (Int32, Int64, Int64) in
            var low: Int64 = -1
            var high: Int64 = -1
            let err = rd_kafka_query_watermark_offsets(handle.rk, partition.topic, partition.partition, &low, &high, ms)
            return (err.rawValue, low, high)
        }
        if code != 0 {
            throw KafkaError(rd_kafka_resp_err_t(rawValue: code))
        }
        return (low, high)
    }

    /// Cluster metadata (brokers, topics and their partition counts) asked through this consumer's
    /// own connection, so a caller that needs it on every rebalance does not open a client each time.
    public func clusterMetadata(timeout: Duration) async throws(KafkaError) -> KafkaClusterMetadata {
        let handle = self.handle
        let ms = RDKafkaConfiguration.milliseconds(timeout)
        return try await DedicatedThread.run { KafkaClusterMetadata.read(from: handle.rk, timeoutMs: ms) }.get()
    }
}
