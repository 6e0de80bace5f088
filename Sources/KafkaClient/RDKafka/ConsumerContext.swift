import CRDKafka
import Logging
import Synchronization

/// Callback-side state of a consumer, shared by its poll thread (rebalance, statistics and error callbacks, message
/// hand-off) and the caller's tasks (offset store, pause/resume, lag).
///
/// Pausing never reaches librdkafka directly: a caller's pause holds the partition's messages in `buffer`, and the
/// buffer's per-partition flow control pauses fetching in librdkafka once enough of them wait (see `EventBuffer`).
final class ConsumerContext: RDKafkaCallbackContext, @unchecked Sendable {
    // @unchecked: all mutable state is in `state` (a Mutex); `buffer` is itself Sendable.
    struct State {
        var assignment: Set<TopicPartition> = []
        /// Offsets the caller stored (next offset to read), not yet known to be committed.
        var stored: [TopicPartition: Int64] = [:]
        /// Highest offsets this member committed, so a revoke never commits an older stored offset over them.
        var committed: [TopicPartition: Int64] = [:]
        var statistics: [TopicPartition: ConsumerStatistics.PartitionSnapshot] = [:]
        /// Told, on the poll thread, of partitions about to be revoked or lost, before librdkafka lets them go.
        var revocationObserver: (@Sendable ([TopicPartition]) -> Void)?
        /// The `cgrp` object of the latest statistics.
        var groupStatistics: ConsumerStatistics.Group?
        /// Whether the latest rebalance callback was an assignment (possibly empty); see `KafkaGroupStatus`.
        var hasSettledAssignment = false
        var rebalanceCallbacks = 0
    }

    let buffer: EventBuffer
    let state = Mutex(State())
    let maxBufferedMessages: Int
    /// Where a partition without a committed offset starts when `auto.offset.reset` is `earliest` (the
    /// logical beginning), or `nil` to leave it to librdkafka (`latest`, `error`).
    let startWithoutCommittedOffset: Int64?

    init(logger: Logger, maxBufferedMessages: Int, startWithoutCommittedOffset: Int64?) {
        self.maxBufferedMessages = max(1, maxBufferedMessages)
        self.buffer = EventBuffer(partitionLimit: self.maxBufferedMessages)
        self.startWithoutCommittedOffset = startWithoutCommittedOffset
        super.init(logger: logger)
    }

    /// The logical beginning when `auto.offset.reset` (its last value in `properties`) is `earliest`.
    ///
    /// Only `earliest`: started explicitly at the logical end, a fresh Tansu partition reported a wrong end
    /// (RIG.md: its ListOffsets answers are unreliable) and the consumer read what came before; librdkafka's
    /// own reset to `latest` does not, so `latest` stays librdkafka's.
    static func startOffset(autoOffsetReset properties: [(key: String, value: String)]) -> Int64? {
        switch properties.last(where: { $0.key == "auto.offset.reset" })?.value.lowercased() {
        case "earliest", "smallest", "beginning": crdkafka_offset_beginning()
        default: nil
        }
    }

    /// Poll thread: hands a message to the caller (flow control is the buffer's).
    func deliver(_ message: KafkaMessage, rk: OpaquePointer) {
        buffer.append(message: message, rk: rk)
    }

    /// Splits `maxBufferedMessages` over the assigned partitions, so the whole buffer stays within it, but
    /// never below `minimumPartitionLimit` per partition (or the bound itself, when smaller): with hundreds of
    /// partitions an even split would pause and refetch a partition every few messages.
    private func updatePartitionLimit(assigned: Int) {
        let count = max(1, assigned)
        let share = (maxBufferedMessages + count - 1) / count
        buffer.setPartitionLimit(max(share, min(Self.minimumPartitionLimit, maxBufferedMessages)))
    }

    /// The smallest per-partition share of the buffer.
    static let minimumPartitionLimit = 16

    /// `rd_kafka_pause_partitions` / `rd_kafka_resume_partitions`; per-partition errors are returned.
    @discardableResult
    static func setPaused(_ paused: Bool, _ partitions: [TopicPartition], rk: OpaquePointer) -> KafkaError? {
        guard !partitions.isEmpty else { return nil }
        let list = RDKafkaPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = paused ? rd_kafka_pause_partitions(rk, list) : rd_kafka_resume_partitions(rk, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return KafkaError(err)
        }
        return RDKafkaPartitionList.firstError(list)
    }

    // MARK: Rebalance

    /// The rebalance callback's work, on the poll thread (inside `rd_kafka_consumer_poll` or `_close`).
    func rebalance(rk: OpaquePointer, err: rd_kafka_resp_err_t, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let list = RDKafkaPartitionList.entries(partitions).map(\.partition)
        let isCooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        // An empty assignment produces no event, but it is the group's answer all the same: a member placed with
        // nothing (a standby) is settled; one still waiting for the group is not.
        state.withLock { state in
            state.rebalanceCallbacks += 1
            state.hasSettledAssignment = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
        }
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            assign(list, partitions: partitions, isCooperative: isCooperative, rk: rk)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            revoke(list, partitions: partitions, isCooperative: isCooperative, rk: rk)
        default:
            logger.debug("Rebalance error", metadata: ["kafka.error": "\(KafkaError(err))"])
            buffer.append(control: .error(KafkaError(err)))
            let (lost, observer) = state.withLock { state in
                defer { state.assignment = []; state.stored = [:] }
                return (Array(state.assignment), state.revocationObserver)
            }
            if !lost.isEmpty { observer?(lost.sorted()) }
            if !lost.isEmpty {
                Self.setPaused(false, buffer.remove(lost), rk: rk)
                buffer.append(control: .partitionsRevoked(lost.sorted()))
            }
            updatePartitionLimit(assigned: 0)
            _ = rd_kafka_assign(rk, nil)
        }
    }

    /// Assign: tell the caller, assign (from committed offsets), and share the buffer among the assignment.
    private func assign(
        _ list: [TopicPartition],
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        isCooperative: Bool,
        rk: OpaquePointer
    ) {
        logger.debug("Partitions assigned", metadata: ["kafka.partitions": "\(list)"])
        if !list.isEmpty {
            buffer.append(control: .partitionsAssigned(list))
        }
        let assigned = state.withLock { state in
            state.assignment.formUnion(list)
            return state.assignment.count
        }
        updatePartitionLimit(assigned: assigned)
        startUncommittedAtResetOffset(partitions, rk: rk)
        if isCooperative {
            if let error = rd_kafka_incremental_assign(rk, partitions) {
                buffer.append(control: .error(KafkaError(consuming: error)))
            }
        } else {
            let err = rd_kafka_assign(rk, partitions)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                buffer.append(control: .error(KafkaError(err)))
            }
        }
    }

    /// Gives partitions that have no committed offset their `earliest` start explicitly, before assigning.
    ///
    /// Why: librdkafka resolves "no committed offset" by resetting with an error, and a reset with an error waits
    /// 100 ms before asking for the offset, so a fresh group (or a new partition) fetched nothing for the first
    /// 100 ms after every assignment. Started at the logical offset directly, it asks at once. This costs one
    /// committed-offsets request (a round trip) per assignment; partitions with a committed offset are left to
    /// librdkafka unchanged, and if the request fails or times out everything is.
    private func startUncommittedAtResetOffset(
        _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        rk: OpaquePointer
    ) {
        guard let start = startWithoutCommittedOffset, partitions.pointee.cnt > 0, let elements = partitions.pointee.elems,
            let committed = rd_kafka_topic_partition_list_copy(partitions)
        else { return }
        defer { rd_kafka_topic_partition_list_destroy(committed) }
        guard rd_kafka_committed(rk, committed, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR, let answers = committed.pointee.elems,
            committed.pointee.cnt == partitions.pointee.cnt
        else { return }
        for index in 0..<Int(partitions.pointee.cnt)
        where answers[index].err == RD_KAFKA_RESP_ERR_NO_ERROR && answers[index].offset < 0
            && elements[index].offset == crdkafka_offset_invalid()
            && answers[index].partition == elements[index].partition
        {
            elements[index].offset = start
        }
    }

    /// Revoke: (1) drop their waiting messages and holds and tell the caller, (2) commit synchronously the offsets
    /// the caller stored for the revoked partitions — the one commit this layer ever makes on its own, and only of
    /// caller-stored offsets — (3) resume their fetching where flow control paused it (so a later reassignment
    /// starts unpaused) and unassign.
    private func revoke(
        _ list: [TopicPartition],
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        isCooperative: Bool,
        rk: OpaquePointer
    ) {
        logger.debug("Partitions revoked", metadata: ["kafka.partitions": "\(list)"])
        // Dropped first, so no message of a revoked partition can be handed out after the revoke event.
        let paused = buffer.remove(list)
        if !list.isEmpty {
            // Before the group can hand them to another member: whoever watches must stop using them now.
            state.withLock { $0.revocationObserver }?(list)
            buffer.append(control: .partitionsRevoked(list))
        }
        let revoked = Set(list)
        let (toCommit, assigned) = state.withLock { state -> ([(TopicPartition, Int64?)], Int) in
            var toCommit: [(TopicPartition, Int64?)] = []
            for partition in list {
                if let offset = state.stored.removeValue(forKey: partition),
                    offset > (state.committed[partition] ?? -1)
                {
                    toCommit.append((partition, offset))
                }
                state.committed.removeValue(forKey: partition)
            }
            state.assignment.subtract(revoked)
            return (toCommit, state.assignment.count)
        }
        updatePartitionLimit(assigned: assigned)
        // When the assignment was lost (session timed out, fenced), the group has moved on and a commit would be
        // rejected; the next owner reprocesses from the last commit instead (at least once).
        let isLost = rd_kafka_assignment_lost(rk) != 0
        if isLost {
            logger.debug("Assignment lost, stored offsets not committed", metadata: ["kafka.partitions": "\(list)"])
        }
        if !toCommit.isEmpty, !isLost {
            let list = RDKafkaPartitionList.make(toCommit)
            let err = rd_kafka_commit(rk, list, 0)
            rd_kafka_topic_partition_list_destroy(list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let error = KafkaError(err)
                logger.debug("Commit on revoke failed", metadata: ["kafka.error": "\(error)"])
                buffer.append(control: .error(error))
            }
        }
        Self.setPaused(false, paused, rk: rk)
        if isCooperative {
            if let error = rd_kafka_incremental_unassign(rk, partitions) {
                buffer.append(control: .error(KafkaError(consuming: error)))
            }
        } else {
            _ = rd_kafka_assign(rk, nil)
        }
    }

    // MARK: Statistics and errors

    /// The statistics callback's work: keep the per-partition snapshot `lag()` reads and the group object
    /// `groupStatus` reports.
    func statisticsArrived(_ json: UnsafeBufferPointer<UInt8>) {
        guard let decoded = ConsumerStatistics.decode(from: json) else {
            logger.trace("Unreadable librdkafka statistics")
            return
        }
        state.withLock { state in
            state.statistics = decoded.partitions
            state.groupStatistics = decoded.group
        }
    }

    /// The error callback's work: fatal errors become `.error` events; the rest are logged (librdkafka retries).
    func errorArrived(_ code: Int32, reason: String, rk: OpaquePointer) {
        if code == RD_KAFKA_RESP_ERR__FATAL.rawValue {
            let error = KafkaError.fatal(on: rk)
            logger.debug("Fatal consumer error", metadata: ["kafka.error": "\(error)"])
            buffer.append(control: .error(error))
        } else {
            let error = KafkaError(rd_kafka_resp_err_t(rawValue: code), message: reason)
            logger.debug("Consumer error", metadata: ["kafka.error": "\(error)"])
        }
    }
}

// MARK: C callbacks (poll thread)

/// `rebalance_cb`.
func consumerRebalanceCallback(
    _ rk: OpaquePointer?,
    _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let partitions, let context = ConsumerContext.from(rk) else { return }
    context.rebalance(rk: rk, err: err, partitions: partitions)
}

/// `stats_cb`: returns 0 so librdkafka frees the JSON.
func consumerStatisticsCallback(
    _ rk: OpaquePointer?,
    _ json: UnsafeMutablePointer<CChar>?,
    _ length: Int,
    _ opaque: UnsafeMutableRawPointer?
) -> Int32 {
    guard let json, let context = ConsumerContext.from(rk) else { return 0 }
    json.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        context.statisticsArrived(UnsafeBufferPointer(start: bytes, count: length))
    }
    return 0
}

/// `error_cb`.
func consumerErrorCallback(
    _ rk: OpaquePointer?,
    _ err: Int32,
    _ reason: UnsafePointer<CChar>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let context = ConsumerContext.from(rk) else { return }
    context.errorArrived(err, reason: reason.map { String(cString: $0) } ?? "", rk: rk)
}
