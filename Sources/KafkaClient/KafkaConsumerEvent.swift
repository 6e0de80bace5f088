/// What a `KafkaConsumer` tells its caller, in the order it happened on the consumer's poll thread.
public enum KafkaConsumerEvent: Sendable {
    /// A record from an assigned partition.
    case message(KafkaMessage)
    /// Partitions were added to this member's assignment (all of them with eager assignors, the increment with
    /// `cooperative-sticky`, where a rebalance that changes nothing for this member produces no event).
    /// Delivery starts from the committed offsets (else `autoOffsetReset`).
    case partitionsAssigned([TopicPartition])
    /// Partitions were taken away. By the time this is seen, the layer has already committed the offsets the
    /// caller stored for them with `storeOffsets` and unassigned them; offsets stored for them from now on are
    /// rejected; their messages not yet read were dropped (the next owner consumes them from the committed offset).
    case partitionsRevoked([TopicPartition])
    /// A consumer-level error: a fatal error (the consumer must be recreated), a consume error reported by
    /// librdkafka for a partition or topic, or a failed rebalance step. Transient connection errors are only logged.
    case error(KafkaError)
}
