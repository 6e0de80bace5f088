import CRDKafka

extension KafkaConsumer {
    /// Records `offsets` (for each partition: the next offset to read, i.e. last done + 1) as done, in librdkafka
    /// (`rd_kafka_offsets_store`) and for the revoke-time commit. Nothing is committed until `commitStoredOffsets`
    /// or a revoke. Throws for partitions not assigned to this member (e.g. just revoked).
    public func storeOffsets(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let entries = offsets.map { ($0.key, Optional($0.value)) }
        let context = handle.context
        try RDKafkaPartitionList.with(entries) { (list) throws(KafkaError) -> Void in
            let err = rd_kafka_offsets_store(handle.rk, list)
            // Copied out once: this runs for every acknowledged event.
            let results = RDKafkaPartitionList.entries(list)
            let failed = RDKafkaPartitionList.firstError(in: results)
            // Remember what librdkafka accepted, for still-assigned partitions only.
            let accepted = results.filter { $0.error == RD_KAFKA_RESP_ERR_NO_ERROR }
            context.state.withLock { state in
                for entry in accepted where state.assignment.contains(entry.partition) {
                    state.stored[entry.partition] = max(entry.offset, state.stored[entry.partition] ?? -1)
                }
            }
            if let failed { throw failed }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        }
    }

    /// Commits exactly `offsets` (next offset to read per partition), synchronously, on a dedicated thread.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let handle = self.handle
        let entries = offsets.map { ($0.key, Optional($0.value)) }
        let error = await DedicatedThread.run { () -> KafkaError? in
            let list = RDKafkaPartitionList.make(entries)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_commit(handle.rk, list, 0)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { return KafkaError(err) }
            return RDKafkaPartitionList.firstError(list)
        }
        if let error { throw error }
        recordCommitted(offsets)
    }

    /// Commits every offset stored with `storeOffsets` and not yet committed, synchronously, on a dedicated
    /// thread. Having nothing to commit is success.
    public func commitStoredOffsets() async throws(KafkaError) {
        let handle = self.handle
        let snapshot = handle.context.state.withLock { $0.stored }
        let error = await DedicatedThread.run { () -> KafkaError? in
            let err = rd_kafka_commit(handle.rk, nil, 0)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET { return nil }
            return KafkaError(err)
        }
        if let error { throw error }
        recordCommitted(snapshot)
    }

    /// The group's committed offsets for `partitions` (`rd_kafka_committed`); partitions without a committed
    /// offset are absent from the result.
    public func committedOffsets(
        for partitions: [TopicPartition],
        timeout: Duration
    ) async throws(KafkaError) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let handle = self.handle
        let ms = RDKafkaConfiguration.milliseconds(timeout)
        let result = await DedicatedThread.run { () -> Result<[TopicPartition: Int64], KafkaError> in
            let list = RDKafkaPartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(handle.rk, list, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { return .failure(KafkaError(err)) }
            if let error = RDKafkaPartitionList.firstError(list) { return .failure(error) }
            var offsets: [TopicPartition: Int64] = [:]
            for entry in RDKafkaPartitionList.entries(list) where entry.offset >= 0 {
                offsets[entry.partition] = entry.offset
            }
            return .success(offsets)
        }
        return try result.get()
    }

    /// Remembers committed offsets so a revoke never commits an older stored offset over them.
    private func recordCommitted(_ offsets: [TopicPartition: Int64]) {
        handle.context.state.withLock { state in
            for (partition, offset) in offsets where state.assignment.contains(partition) {
                state.committed[partition] = max(offset, state.committed[partition] ?? -1)
                if let stored = state.stored[partition], stored <= offset {
                    state.stored.removeValue(forKey: partition)
                }
            }
        }
    }
}
