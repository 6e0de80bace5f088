import CRDKafka
import Logging
import Synchronization

/// Callback-side state of a consumer, shared by its poll thread (rebalance, statistics and error callbacks, message
/// hand-off) and the caller's tasks (offset store, pause/resume, lag).
///
/// Pausing is tracked in two layers: partitions the caller paused, and a flow-control pause of the whole
/// assignment while the event buffer is full. librdkafka's pause/resume calls are issued while holding `state`, so
/// the order librdkafka sees matches the order of our decisions (they only enqueue operations; they do not block).
final class ConsumerContext: RDKafkaCallbackContext, @unchecked Sendable {
    // @unchecked: all mutable state is in `state` (a Mutex); `buffer` is itself Sendable.
    struct State {
        var assignment: Set<TopicPartition> = []
        var callerPaused: Set<TopicPartition> = []
        var isFlowPaused = false
        /// Offsets the caller stored (next offset to read), not yet known to be committed.
        var stored: [TopicPartition: Int64] = [:]
        /// Highest offsets this member committed, so a revoke never commits an older stored offset over them.
        var committed: [TopicPartition: Int64] = [:]
        var statistics: [TopicPartition: ConsumerStatistics.PartitionSnapshot] = [:]
        /// The `cgrp` object of the latest statistics.
        var groupStatistics: ConsumerStatistics.Group?
        /// Whether the latest rebalance callback was an assignment (possibly empty); see `KafkaGroupStatus`.
        var hasSettledAssignment = false
        var rebalanceCallbacks = 0
    }

    let buffer = EventBuffer()
    let state = Mutex(State())
    let maxBufferedMessages: Int

    init(logger: Logger, maxBufferedMessages: Int) {
        self.maxBufferedMessages = max(1, maxBufferedMessages)
        super.init(logger: logger)
    }

    /// Poll thread: hands a message to the caller; pauses the assignment when the backlog reaches the bound.
    func deliver(_ message: KafkaMessage, rk: OpaquePointer) {
        let buffered = buffer.append(.message(message))
        guard buffered >= maxBufferedMessages else { return }
        state.withLock { state in
            guard !state.isFlowPaused else { return }
            state.isFlowPaused = true
            Self.setPaused(true, Array(state.assignment), rk: rk)
        }
        logger.debug("Event buffer full, fetching paused", metadata: ["kafka.buffered": "\(buffered)"])
    }

    /// Iterating task: after a message was taken, resumes fetching once the backlog has halved.
    func messagesConsumed(remaining: Int, rk: OpaquePointer) {
        guard remaining <= maxBufferedMessages / 2 else { return }
        state.withLock { state in
            guard state.isFlowPaused else { return }
            state.isFlowPaused = false
            Self.setPaused(false, Array(state.assignment.subtracting(state.callerPaused)), rk: rk)
        }
    }

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
            buffer.append(.error(KafkaError(err)))
            let lost = state.withLock { state in
                defer { state.assignment = []; state.stored = [:]; state.callerPaused = [] }
                return Array(state.assignment)
            }
            if !lost.isEmpty {
                buffer.append(.partitionsRevoked(lost.sorted()))
            }
            _ = rd_kafka_assign(rk, nil)
        }
    }

    /// Assign: tell the caller, assign (from committed offsets), and keep flow control consistent.
    private func assign(
        _ list: [TopicPartition],
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        isCooperative: Bool,
        rk: OpaquePointer
    ) {
        logger.debug("Partitions assigned", metadata: ["kafka.partitions": "\(list)"])
        if !list.isEmpty {
            buffer.append(.partitionsAssigned(list))
        }
        if isCooperative {
            if let error = rd_kafka_incremental_assign(rk, partitions) {
                buffer.append(.error(KafkaError(consuming: error)))
            }
        } else {
            let err = rd_kafka_assign(rk, partitions)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                buffer.append(.error(KafkaError(err)))
            }
        }
        state.withLock { state in
            state.assignment.formUnion(list)
            if state.isFlowPaused {
                Self.setPaused(true, list, rk: rk)
            }
        }
    }

    /// Revoke: (1) tell the caller, (2) commit synchronously the offsets the caller stored for the revoked
    /// partitions — the one commit this layer ever makes on its own, and only of caller-stored offsets —
    /// (3) clear pauses on them (so a later reassignment starts unpaused) and unassign.
    private func revoke(
        _ list: [TopicPartition],
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        isCooperative: Bool,
        rk: OpaquePointer
    ) {
        logger.debug("Partitions revoked", metadata: ["kafka.partitions": "\(list)"])
        if !list.isEmpty {
            buffer.append(.partitionsRevoked(list))
        }
        let revoked = Set(list)
        let (toCommit, paused) = state.withLock { state -> ([(TopicPartition, Int64?)], [TopicPartition]) in
            var toCommit: [(TopicPartition, Int64?)] = []
            for partition in list {
                if let offset = state.stored.removeValue(forKey: partition),
                    offset > (state.committed[partition] ?? -1)
                {
                    toCommit.append((partition, offset))
                }
                state.committed.removeValue(forKey: partition)
            }
            let paused = state.isFlowPaused ? list : Array(state.callerPaused.intersection(revoked))
            state.assignment.subtract(revoked)
            state.callerPaused.subtract(revoked)
            return (toCommit, paused)
        }
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
                buffer.append(.error(error))
            }
        }
        Self.setPaused(false, paused, rk: rk)
        if isCooperative {
            if let error = rd_kafka_incremental_unassign(rk, partitions) {
                buffer.append(.error(KafkaError(consuming: error)))
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
            buffer.append(.error(error))
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
