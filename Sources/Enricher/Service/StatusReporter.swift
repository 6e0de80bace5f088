import KafkaClient
import Logging
import Metrics

/// Once a second: mirrors readiness into the `ready` gauge (the pipeline's health observer
/// keeps `/readyz` itself current), logs a halt once per code, publishes per-partition consumer lag from
/// librdkafka's statistics (high watermark − committed offset) as
/// `faceid_enricher_consumer_lag{topic,partition}`, and reports a member that holds no partition
/// (``UnassignedWatch``): `faceid_enricher_assigned_partitions`, `faceid_enricher_unassigned_seconds`,
/// a warning naming the group past the bound, and the reason `/readyz` gives. Partitions no longer
/// assigned lose their lag gauge, so a dashboard summing over instances counts each partition once.
struct StatusReporter: Sendable {
    static let lagMetric = "faceid_enricher_consumer_lag"
    static let readyMetric = "faceid_enricher_ready"
    static let assignedPartitionsMetric = "faceid_enricher_assigned_partitions"
    static let unassignedSecondsMetric = "faceid_enricher_unassigned_seconds"
    /// How often, while past the bound, the input topic's partition count is asked again.
    static let partitionCountRefresh: Duration = .seconds(10)

    let consumer: KafkaConsumer
    let health: ServiceHealth
    let metricsFactory: any MetricsFactory
    let logger: Logger
    /// The group, input topic and bound for the member-without-partitions report.
    let membership: UnassignedWatch.Configuration

    func run() async {
        let clock = ContinuousClock()
        var lagGauges: [TopicPartition: Gauge] = [:]
        let ready = Gauge(label: Self.readyMetric, dimensions: [], factory: metricsFactory)
        let assigned = Gauge(label: Self.assignedPartitionsMetric, dimensions: [], factory: metricsFactory)
        let unassignedSeconds = Gauge(label: Self.unassignedSecondsMetric, dimensions: [], factory: metricsFactory)
        // The service subscribed just before this loop started.
        var watch = UnassignedWatch(configuration: membership, subscribedAt: clock.now)
        var inputPartitions: (count: Int?, at: ContinuousClock.Instant)?
        var reportedHalt: String?
        while !Task.isCancelled {
            // Membership first, so the readiness mirrored below already reflects it.
            let status = consumer.groupStatus
            let now = clock.now
            if watch.isPastBound(at: now), inputPartitions.map({ now - $0.at >= Self.partitionCountRefresh }) ?? true {
                inputPartitions = (await inputPartitionCount(), now)
            }
            let observation = watch.observe(status, inputPartitions: inputPartitions?.count, now: now)
            assigned.record(observation.assignedPartitions)
            unassignedSeconds.record(observation.unassignedSeconds)
            health.update { state in
                // A standby (placed with nothing) has joined too; the input sequence marks a non-empty
                // assignment at once.
                if status.hasSettledAssignment { state.hasJoinedGroup = true }
                state.unassigned = observation.unassigned
            }
            if let event = observation.event { log(event) }

            // The pipeline's health observer keeps `haltingCode` current.
            let state = health.current
            ready.record(state.isReady ? 1 : 0)
            if let code = state.haltingCode, reportedHalt != code {
                reportedHalt = code
                logger.error(
                    "progress stopped by an error that needs an operator; events are held and retried",
                    metadata: ["tencentcloud.error.code": "\(code)"]
                )
            } else if state.haltingCode == nil, let previous = reportedHalt {
                reportedHalt = nil
                logger.notice("progress resumed", metadata: ["tencentcloud.error.code": "\(previous)"])
            }

            let lag = consumer.lag()
            for (partition, value) in lag {
                let gauge =
                    lagGauges[partition]
                    ?? Gauge(
                        label: Self.lagMetric,
                        dimensions: [("topic", partition.topic), ("partition", String(partition.partition))],
                        factory: metricsFactory
                    )
                lagGauges[partition] = gauge
                gauge.record(value)
            }
            for (partition, gauge) in lagGauges where lag[partition] == nil {
                gauge.destroy()
                lagGauges[partition] = nil
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// The input topic's partition count through the consumer's own connection; `nil` when it cannot be read.
    private func inputPartitionCount() async -> Int? {
        do {
            return try await consumer.clusterMetadata(timeout: .seconds(10)).topics[membership.topic] ?? 0
        } catch {
            logger.debug("reading the input topic's partition count failed", metadata: ["kafka.error": "\(error)"])
            return nil
        }
    }

    private func log(_ event: UnassignedWatch.Event) {
        switch event {
        case .unassigned(let unassigned):
            let metadata: Logger.Metadata = [
                "kafka.group": "\(unassigned.group)",
                "kafka.topic": "\(unassigned.topic)",
                "kafka.topic.partitions": "\(unassigned.inputPartitions)",
                "kafka.unassigned_seconds": "\(unassigned.seconds)",
                "kafka.join_state": "\(unassigned.joinState ?? "unknown")",
            ]
            if unassigned.isStandby {
                logger.warning(
                    "no partitions assigned to this member: the group gave them all to other members (standby)",
                    metadata: metadata
                )
            } else {
                logger.warning(
                    "no partitions assigned to this member: the consumer group has not finished a rebalance for it",
                    metadata: metadata
                )
            }
        case .assignedAgain(let seconds):
            logger.notice(
                "partitions assigned again",
                metadata: ["kafka.group": "\(membership.group)", "kafka.unassigned_seconds": "\(seconds)"]
            )
        }
    }
}
