import Synchronization

/// What `/healthz` and `/readyz` report, updated by the running service.
///
/// Liveness means the consume loop runs. Readiness additionally means the group has placed this instance (it
/// received an assignment, possibly empty), it is not stopped by an error that needs an operator (bad credentials,
/// arrears), it is not draining, and it is not *stalled*: holding no partition, past the bound, because its
/// rebalance never finished. A standby — placed by the group with no partition while other members hold them all —
/// stays ready: an idle replica beyond the partition count is normal, and a rolling update (`maxUnavailable: 0`)
/// that waited for it to become ready would never finish. Kept apart from the pipeline so the HTTP server needs no
/// knowledge of Kafka or Tencent types.
public final class ServiceHealth: Sendable {
    /// A member that has held no partition for longer than the bound while its input topic has partitions.
    public struct Unassigned: Sendable, Equatable {
        /// The consumer group.
        public var group: String
        /// The input topic.
        public var topic: String
        /// The input topic's partition count.
        public var inputPartitions: Int
        /// How long the member has held no partition.
        public var seconds: Int
        /// The group finished placing this member and gave it nothing (a standby); `false` when the member's
        /// rebalance never finished (stalled).
        public var isStandby: Bool
        /// librdkafka's join state from its latest statistics (`wait-join`, `wait-sync`, `steady`, …), if known.
        public var joinState: String?

        /// Creates the description of an episode without partitions.
        public init(
            group: String,
            topic: String,
            inputPartitions: Int,
            seconds: Int,
            isStandby: Bool,
            joinState: String?
        ) {
            self.group = group
            self.topic = topic
            self.inputPartitions = inputPartitions
            self.seconds = seconds
            self.isStandby = isStandby
            self.joinState = joinState
        }
    }

    /// A snapshot of the state.
    public struct State: Sendable, Equatable {
        public var isLoopRunning = false
        /// The group has placed this instance at least once (an assignment, possibly empty).
        public var hasJoinedGroup = false
        /// The Tencent error code that stopped progress, if any.
        public var haltingCode: String?
        public var isDraining = false
        /// Set while the instance has held no partition for longer than the bound (see ``Unassigned``).
        public var unassigned: Unassigned?

        /// Ready to take a share of the group's work.
        public var isReady: Bool {
            isLoopRunning && hasJoinedGroup && haltingCode == nil && !isDraining && !isStalled
        }

        /// Past the bound without partitions because the group never finished a rebalance for this instance.
        public var isStalled: Bool { unassigned.map { !$0.isStandby } ?? false }
    }

    private let state = Mutex(State())

    public init() {}

    /// The current state.
    public var current: State { state.withLock { $0 } }

    /// Applies `change` to the state atomically.
    public func update(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
    }
}
