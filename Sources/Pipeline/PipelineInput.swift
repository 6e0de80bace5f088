/// What the Kafka layer feeds the pipeline, in the order it happened: records, and the group's
/// assignment changes, so that the pipeline can drop work for partitions it no longer owns and
/// recompute its share of the group's rate limit.
public enum PipelineInput: Sendable {
    /// A consumed record.
    case record(InputRecord)
    /// Partitions added to this member's assignment (all of them for an eager rebalance).
    case assigned([PartitionID])
    /// Partitions taken away from this member (all of them for an eager rebalance).
    case revoked([PartitionID])
}
