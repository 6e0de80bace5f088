extension KafkaError {
    /// A librdkafka error code (`rd_kafka_resp_err_t`) as an open set: the constants below are the ones this
    /// project reasons about; any other value librdkafka reports is carried through unchanged.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The numeric `rd_kafka_resp_err_t` value.
        public var rawValue: Int32

        /// Wraps a numeric librdkafka error code.
        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        /// The number, as librdkafka prints it.
        public var description: String { String(rawValue) }

        // MARK: Client-side (negative) codes.

        /// `_DESTROY`: the handle is being destroyed.
        public static let destroy = Code(rawValue: -197)
        /// `_FAIL`: generic local failure.
        public static let fail = Code(rawValue: -196)
        /// `_TRANSPORT`: broker transport failure (connection lost).
        public static let transport = Code(rawValue: -195)
        /// `_RESOLVE`: host name resolution failed.
        public static let resolve = Code(rawValue: -193)
        /// `_MSG_TIMED_OUT`: a produced message was not acknowledged within `message.timeout.ms`.
        public static let messageTimedOut = Code(rawValue: -192)
        /// `_PARTITION_EOF`: reached the end of a partition (only with `enable.partition.eof`).
        public static let partitionEOF = Code(rawValue: -191)
        /// `_UNKNOWN_PARTITION`: the partition is not known to the cluster.
        public static let unknownPartition = Code(rawValue: -190)
        /// `_UNKNOWN_TOPIC`: the topic is not known to the cluster.
        public static let unknownTopic = Code(rawValue: -188)
        /// `_ALL_BROKERS_DOWN`: no broker is reachable.
        public static let allBrokersDown = Code(rawValue: -187)
        /// `_INVALID_ARG`: an invalid argument or configuration property (see the message for which).
        public static let invalidArgument = Code(rawValue: -186)
        /// `_TIMED_OUT`: a local operation timed out.
        public static let timedOut = Code(rawValue: -185)
        /// `_QUEUE_FULL`: the producer queue is full (the producer waits instead of surfacing this).
        public static let queueFull = Code(rawValue: -184)
        /// `_WAIT_COORD`: waiting for the group coordinator.
        public static let waitingForCoordinator = Code(rawValue: -180)
        /// `_STATE`: the operation is not valid in the handle's current state (e.g. after close).
        public static let state = Code(rawValue: -172)
        /// `_NO_OFFSET`: there was no offset to commit.
        public static let noOffset = Code(rawValue: -168)
        /// `_PURGE_QUEUE`: the message was purged from the queue before it was sent (shutdown).
        public static let purgeQueue = Code(rawValue: -152)
        /// `_PURGE_INFLIGHT`: the message was purged while in flight (shutdown).
        public static let purgeInflight = Code(rawValue: -151)
        /// `_FATAL`: a fatal error was raised; the real cause is in the error's code when this module reports it.
        public static let fatal = Code(rawValue: -150)
        /// `_ASSIGNMENT_LOST`: the consumer lost its assignment (e.g. kicked from the group).
        public static let assignmentLost = Code(rawValue: -142)

        // MARK: Broker (protocol) codes.

        /// `UNKNOWN`: unknown broker error.
        public static let unknown = Code(rawValue: -1)
        /// `NO_ERROR`: success.
        public static let noError = Code(rawValue: 0)
        /// `OFFSET_OUT_OF_RANGE`.
        public static let offsetOutOfRange = Code(rawValue: 1)
        /// `UNKNOWN_TOPIC_OR_PART`.
        public static let unknownTopicOrPartition = Code(rawValue: 3)
        /// `LEADER_NOT_AVAILABLE`.
        public static let leaderNotAvailable = Code(rawValue: 5)
        /// `NOT_LEADER_FOR_PARTITION`.
        public static let notLeaderForPartition = Code(rawValue: 6)
        /// `REQUEST_TIMED_OUT`.
        public static let requestTimedOut = Code(rawValue: 7)
        /// `BROKER_NOT_AVAILABLE`.
        public static let brokerNotAvailable = Code(rawValue: 8)
        /// `MSG_SIZE_TOO_LARGE`: the message exceeds the broker's limit (permanent).
        public static let messageSizeTooLarge = Code(rawValue: 10)
        /// `NETWORK_EXCEPTION`.
        public static let networkException = Code(rawValue: 13)
        /// `COORDINATOR_LOAD_IN_PROGRESS`.
        public static let coordinatorLoadInProgress = Code(rawValue: 14)
        /// `COORDINATOR_NOT_AVAILABLE`.
        public static let coordinatorNotAvailable = Code(rawValue: 15)
        /// `NOT_COORDINATOR`.
        public static let notCoordinator = Code(rawValue: 16)
        /// `NOT_ENOUGH_REPLICAS`.
        public static let notEnoughReplicas = Code(rawValue: 19)
        /// `NOT_ENOUGH_REPLICAS_AFTER_APPEND`.
        public static let notEnoughReplicasAfterAppend = Code(rawValue: 20)
        /// `ILLEGAL_GENERATION`: the member's group generation is stale.
        public static let illegalGeneration = Code(rawValue: 22)
        /// `UNKNOWN_MEMBER_ID`.
        public static let unknownMemberID = Code(rawValue: 25)
        /// `REBALANCE_IN_PROGRESS`.
        public static let rebalanceInProgress = Code(rawValue: 27)
        /// `TOPIC_AUTHORIZATION_FAILED` (permanent).
        public static let topicAuthorizationFailed = Code(rawValue: 29)
        /// `GROUP_AUTHORIZATION_FAILED` (permanent).
        public static let groupAuthorizationFailed = Code(rawValue: 30)
        /// `CLUSTER_AUTHORIZATION_FAILED` (permanent).
        public static let clusterAuthorizationFailed = Code(rawValue: 31)
        /// `TOPIC_ALREADY_EXISTS`: treated as success by `KafkaAdmin.createTopics`.
        public static let topicAlreadyExists = Code(rawValue: 36)
        /// `INVALID_PARTITIONS`.
        public static let invalidPartitions = Code(rawValue: 37)
        /// `INVALID_REPLICATION_FACTOR`.
        public static let invalidReplicationFactor = Code(rawValue: 38)
        /// `POLICY_VIOLATION`.
        public static let policyViolation = Code(rawValue: 44)
        /// `OUT_OF_ORDER_SEQUENCE_NUMBER`: idempotence broken (fatal for the producer).
        public static let outOfOrderSequenceNumber = Code(rawValue: 45)
        /// `KAFKA_STORAGE_ERROR`.
        public static let kafkaStorageError = Code(rawValue: 56)

        /// Codes that mean "try again later" when librdkafka hands us a bare code rather than an error object.
        static let transientCodes: Set<Code> = [
            .transport, .resolve, .messageTimedOut, .allBrokersDown, .timedOut, .queueFull, .waitingForCoordinator,
            .leaderNotAvailable, .notLeaderForPartition, .requestTimedOut, .brokerNotAvailable, .networkException,
            .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator, .notEnoughReplicas,
            .notEnoughReplicasAfterAppend, .rebalanceInProgress, .unknownTopicOrPartition, .kafkaStorageError,
            .unknownPartition, .unknownTopic,
        ]
    }
}
