public import Logging

/// A Kafka group consumer whose caller decides exactly which offsets are committed.
///
/// - Messages and rebalance events arrive, in order, on `events` (a single-consumer `AsyncSequence`).
/// - Offsets are never stored or committed behind the caller's back (`enable.auto.offset.store=false`,
///   `enable.auto.commit=false`). The caller stores "done" offsets with `storeOffsets` and commits them with
///   `commitStoredOffsets`, or commits explicit offsets with `commit`. The one commit the layer makes itself is in
///   the revoke branch of the rebalance callback: it commits, synchronously, the offsets the caller stored for the
///   partitions being revoked, before unassigning them, so the next owner continues exactly after them.
/// - Works with eager assignors and with `cooperative-sticky` (incremental assign/unassign).
///
/// Design: a dedicated OS thread owned by the consumer loops on `rd_kafka_consumer_poll` (100 ms timeout); the
/// rebalance, statistics and error callbacks run inside that poll. Messages are copied out of librdkafka's memory
/// into an in-memory buffer read by `events`, one FIFO per partition. `pause` holds a partition's messages there (at
/// once, with no request to the brokers); the buffer is bounded by flow control: once a partition's share of
/// `maxBufferedMessages` is waiting, its fetching is paused in librdkafka (which later resumes from the next
/// undelivered offset) until half of it has been read. Rebalance events are never held back, so they flow even
/// when every partition is paused. Blocking calls (commits, offset and watermark queries) run on dedicated threads
/// bridged with continuations.
public final class KafkaConsumer: Sendable {
    let handle: ConsumerHandle
    let logger: Logger

    /// Creates the consumer and starts its poll thread (it joins a group only after `subscribe`). Throws when a
    /// property is rejected (with librdkafka's own message naming it) or the handle cannot be created.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws(KafkaError) {
        let handle = try ConsumerHandle(configuration: configuration, logger: logger)
        try handle.startPolling()
        self.handle = handle
        self.logger = logger
    }

    deinit {
        // Without `close`, the poll thread closes the consumer; the handle is destroyed (off-pool) when its last
        // user is done.
        handle.requestStop()
    }

    /// Messages, assignments, revocations and consumer errors, in order. Iterate from one task only.
    public var events: KafkaConsumerEvents {
        KafkaConsumerEvents(handle: handle)
    }

    /// The partitions currently assigned to this member (sorted).
    public var assignment: [TopicPartition] {
        handle.context.state.withLock { Array($0.assignment) }.sorted()
    }

    /// Where this member stands in its group: partitions held, whether the last rebalance finished for it, and
    /// librdkafka's group and join state from the latest statistics (see ``KafkaGroupStatus``).
    public var groupStatus: KafkaGroupStatus {
        handle.context.state.withLock { state in
            KafkaGroupStatus(
                assignedPartitions: state.assignment.count,
                hasSettledAssignment: state.hasSettledAssignment,
                rebalanceCallbacks: state.rebalanceCallbacks,
                groupState: state.groupStatistics?.state,
                joinState: state.groupStatistics?.join_state,
                rebalanceReason: state.groupStatistics?.rebalance_reason
            )
        }
    }

    /// Leaves the group cleanly: the final revoke commits the caller-stored offsets of the assignment, then
    /// librdkafka closes the consumer and `events` ends once drained. Idempotent; later calls return once closed.
    public func close() async {
        await handle.closeAndWait()
        logger.debug("Kafka consumer closed")
    }
}
