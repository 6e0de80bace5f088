import KafkaClient

/// Decides, once a second, what a member holding no partition should say about it: how long it has held none (the
/// `faceid_enricher_unassigned_seconds` gauge), whether that is past the bound and worth a warning, and what
/// `/readyz` reports. A plain state machine over observations, so every case is tested without a broker.
///
/// Two cases look alike from the outside and are not: a *standby*, which the group placed with no partition
/// because other members hold all of them (more replicas than partitions — normal during a rolling update or when
/// scaled past the partition count), and a *stalled* member, whose rebalance never finished (the coordinator did
/// not complete the join; see Tests/RIG-NOTES.md for Tansu 0.6's stale group leader). A standby
/// stays ready; a stalled member is not ready once the bound has passed. If every member of a group is in either
/// state, nothing is being processed: the `FaceIDEnricherGroupWithoutPartitions` alert catches that across pods,
/// which no single member can see.
struct UnassignedWatch: Sendable {
    /// What the watch knows of this member's configuration.
    struct Configuration: Sendable {
        var group: String
        var topic: String
        /// How long a subscribed member may hold no partition before it says so.
        var bound: Duration
    }

    /// Something worth one log line.
    enum Event: Sendable, Equatable {
        /// Past the bound with no partition while the topic has some (logged as a warning, once per episode and
        /// again if the episode turns from standby to stalled or back).
        case unassigned(ServiceHealth.Unassigned)
        /// Partitions arrived after a warned episode of `seconds`.
        case assignedAgain(seconds: Int)
    }

    /// The result of one observation.
    struct Observation: Sendable, Equatable {
        /// Partitions held now (`faceid_enricher_assigned_partitions`).
        var assignedPartitions: Int
        /// Seconds since the member last held a partition, or since it subscribed; 0 while it holds one
        /// (`faceid_enricher_unassigned_seconds`).
        var unassignedSeconds: Int
        /// What `/readyz` reports: set only past the bound, while the input topic has partitions.
        var unassigned: ServiceHealth.Unassigned?
        /// A line to log, if any.
        var event: Event?
    }

    let configuration: Configuration
    /// When the current episode without partitions began; `nil` while the member holds partitions.
    private(set) var unassignedSince: ContinuousClock.Instant?
    /// The kind of episode already warned about (`true`: standby), so each is logged once.
    private var warnedAsStandby: Bool?

    /// A watch for a member that subscribed at `subscribedAt` (it holds nothing yet).
    init(configuration: Configuration, subscribedAt: ContinuousClock.Instant) {
        self.configuration = configuration
        self.unassignedSince = subscribedAt
    }

    /// Whether, at `now`, the member has held no partition for longer than the bound — when the caller should know
    /// the input topic's partition count for ``observe(_:inputPartitions:now:)``.
    func isPastBound(at now: ContinuousClock.Instant) -> Bool {
        guard let unassignedSince else { return false }
        return now - unassignedSince > configuration.bound
    }

    /// Takes one look at the member's group status; `inputPartitions` is the input topic's partition count when
    /// known (`nil`: unknown, e.g. metadata failed — then no warning, since "the topic has partitions" is unproven).
    mutating func observe(
        _ status: KafkaGroupStatus,
        inputPartitions: Int?,
        now: ContinuousClock.Instant
    ) -> Observation {
        if status.assignedPartitions > 0 {
            defer {
                unassignedSince = nil
                warnedAsStandby = nil
            }
            var event: Event?
            if warnedAsStandby != nil, let unassignedSince {
                event = .assignedAgain(seconds: Self.wholeSeconds(now - unassignedSince))
            }
            return Observation(assignedPartitions: status.assignedPartitions, unassignedSeconds: 0, event: event)
        }
        let since = unassignedSince ?? now
        unassignedSince = since
        let seconds = Self.wholeSeconds(now - since)
        guard now - since > configuration.bound, let inputPartitions, inputPartitions > 0 else {
            return Observation(assignedPartitions: 0, unassignedSeconds: seconds)
        }
        let unassigned = ServiceHealth.Unassigned(
            group: configuration.group,
            topic: configuration.topic,
            inputPartitions: inputPartitions,
            seconds: seconds,
            isStandby: status.hasSettledAssignment,
            joinState: status.joinState
        )
        var event: Event?
        if warnedAsStandby != status.hasSettledAssignment {
            warnedAsStandby = status.hasSettledAssignment
            event = .unassigned(unassigned)
        }
        return Observation(assignedPartitions: 0, unassignedSeconds: seconds, unassigned: unassigned, event: event)
    }

    /// The bound for a member with this session timeout: two session timeouts (a member that died without leaving
    /// holds its partitions for one; the rebalance that follows may wait for another) plus half a session timeout
    /// for the join itself (Tansu holds a JoinGroup about that long; the mock cluster a little less; Kafka's
    /// `group.initial.rebalance.delay.ms` is 3 s). 112.5 s with librdkafka's 45 s default, 15 s with the tests' 6 s.
    static func bound(sessionTimeout: Duration) -> Duration {
        sessionTimeout * 2 + sessionTimeout / 2
    }

    private static func wholeSeconds(_ duration: Duration) -> Int {
        Int(max(0, duration.components.seconds))
    }
}
