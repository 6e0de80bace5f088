/// Where this consumer stands in its group, for an operator: how many partitions it holds, whether the group's
/// last rebalance finished for it, and librdkafka's own view of the group protocol from its statistics.
///
/// An empty assignment means different things: a member the group *placed* with no partitions (more members than
/// partitions: a standby) is healthy; a member whose rebalance never finishes (the coordinator does not complete
/// the join) is not. ``hasSettledAssignment`` tells them apart without waiting for statistics; ``joinState`` and
/// ``groupState`` say where librdkafka is stuck when it is.
public struct KafkaGroupStatus: Sendable, Equatable {
    /// Partitions assigned to this member right now.
    public var assignedPartitions: Int
    /// Whether the latest rebalance callback was an assignment (possibly empty): the group finished placing this
    /// member. `false` before the first assignment, after a revocation until the next one, and after a failed
    /// rebalance step.
    public var hasSettledAssignment: Bool
    /// How many rebalance callbacks (assignments, revocations, failures) this member has seen.
    public var rebalanceCallbacks: Int
    /// librdkafka's group state from the latest statistics (`cgrp.state`, e.g. `up`, `wait-coord`); `nil` before
    /// the first statistics or when they are disabled.
    public var groupState: String?
    /// librdkafka's join state from the latest statistics (`cgrp.join_state`: `init`, `wait-join`, `wait-sync`,
    /// `wait-assign-call`, `steady`, …); `nil` before the first statistics or when they are disabled.
    public var joinState: String?
    /// Why librdkafka last started a rebalance (`cgrp.rebalance_reason`), when statistics say.
    public var rebalanceReason: String?

    /// A status with every field given.
    public init(
        assignedPartitions: Int,
        hasSettledAssignment: Bool,
        rebalanceCallbacks: Int = 0,
        groupState: String? = nil,
        joinState: String? = nil,
        rebalanceReason: String? = nil
    ) {
        self.assignedPartitions = assignedPartitions
        self.hasSettledAssignment = hasSettledAssignment
        self.rebalanceCallbacks = rebalanceCallbacks
        self.groupState = groupState
        self.joinState = joinState
        self.rebalanceReason = rebalanceReason
    }
}
