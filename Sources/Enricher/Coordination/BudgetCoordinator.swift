import KafkaClient
import Logging
import Metrics
import Pipeline

/// Shares the group's API budget through the coordination topic: writes this member's record at the
/// start of every epoch, reads every member's records into the pipeline's ``GroupBudget``, and keeps
/// the budget's wall-clock timeline in step with the system clock.
///
/// When it cannot coordinate — the topic is missing and cannot be created, it has more than one
/// partition, a write fails, the reader fails or falls behind — it stops writing, says so in the log
/// and in `faceid_enricher_rate_coordination_fallback`, and tries again with backoff. Meanwhile the
/// budget spends only what needs no view (the partition share, once the hold is over): enrichment
/// never stops and never goes over. Without coordination configured, only the timeline and gauges
/// are kept current.
struct BudgetCoordinator: Sendable {
    /// Where and how to coordinate; `nil` topic: coordination is off.
    let topic: String?
    let group: String
    let member: String
    let pipeline: EnrichmentPipeline<ContinuousClock>
    let producer: KafkaProducer?
    let readerConfiguration: KafkaConsumerConfiguration
    let adminConfiguration: KafkaAdminConfiguration
    let metricsFactory: any MetricsFactory
    let logger: Logger

    /// Records kept on the topic: a reader needs only the last few seconds.
    static let topicConfig: [(key: String, value: String)] = [
        ("cleanup.policy", "delete"),
        ("retention.ms", "600000"),
        ("segment.ms", "600000"),
    ]
    /// Reader errors that mean the topic is gone or forbidden: the session ends at once.
    static let topicGoneCodes: Set<KafkaError.Code> = [
        .unknownTopicOrPartition, .unknownTopic, .unknownPartition, .topicAuthorizationFailed,
    ]
    /// Epochs in a row without a view before the member gives up coordinating.
    static let staleEpochsBeforeFallback = 4
    /// How far the system clock may move from the budget's timeline before it is re-anchored.
    static let resynchronizeThreshold = Duration.milliseconds(20)

    private var budget: GroupBudget<ContinuousClock> { pipeline.groupBudget }

    /// Coordinates (or keeps the clock) until cancelled. The budget gauges are refreshed every epoch
    /// whatever the coordination is doing: a grant changes as held partitions settle even while the
    /// topic is being created or a session is failing, and a gauge must not sit at a stale value.
    func run() async {
        let fallback = Gauge(label: MetricNames.rateCoordinationFallback, factory: metricsFactory)
        let warnings = RecordWarnings(logger: logger, metricsFactory: metricsFactory)
        fallback.record(topic == nil ? 0 : 1)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.keepTime { self.pipeline.refreshBudgetGauges() } }
            if let topic {
                group.addTask { await self.coordinateUntilCancelled(on: topic, fallback: fallback, warnings: warnings) }
            }
            await group.waitForAll()
        }
    }

    /// Runs coordination sessions one after another, backing off after each failure.
    private func coordinateUntilCancelled(on topic: String, fallback: Gauge, warnings: RecordWarnings) async {
        var failures = 0
        while !Task.isCancelled {
            let failure = await coordinate(on: topic, fallback: fallback, warnings: warnings)
            guard !Task.isCancelled else { return }
            budget.stopReading()
            fallback.record(1)
            failures += 1
            let backoff = Duration.seconds(min(60, 5 * failures))
            logger.warning(
                "Rate coordination unavailable; taking the partition share of the budget until it returns",
                metadata: ["kafka.topic": "\(topic)", "rate.coordination.error": "\(failure)", "rate.retry_in": "\(backoff)"]
            )
            do {
                try await Task.sleep(for: backoff)
            } catch {
                return
            }
        }
    }

    /// One coordination session, on a reader of its own: returns why it ended.
    private func coordinate(on topic: String, fallback: Gauge, warnings: RecordWarnings) async -> CoordinationFailure {
        let reader: KafkaConsumer
        do {
            reader = try KafkaConsumer(configuration: readerConfiguration, logger: logger)
        } catch {
            return .reader("\(error)")
        }
        let failure = await session(on: topic, reader: reader, fallback: fallback, warnings: warnings)
        await reader.close()
        return failure
    }

    private func session(
        on topic: String,
        reader: KafkaConsumer,
        fallback: Gauge,
        warnings: RecordWarnings
    ) async -> CoordinationFailure {
        if let problem = await ensureTopic(topic, reader: reader) { return problem }

        // The reader starts at this member's first record: all it needs comes after it.
        let first: KafkaDeliveryReport
        do {
            first = try await publish(on: topic)
        } catch {
            return error
        }
        budget.anchorReader(acknowledgedAtWall: budget.timeline.nowWallNanos())
        do {
            try reader.assign([TopicPartition(topic: topic, partition: 0): first.offset])
        } catch {
            return .reader("\(error)")
        }
        fallback.record(0)
        logger.info(
            "Rate coordination started: the group shares the budget by demand",
            metadata: ["kafka.topic": "\(topic)", "rate.member": "\(member)"]
        )
        return await withTaskGroup(of: CoordinationFailure?.self) { group in
            group.addTask { await self.read(reader, warnings: warnings) }
            group.addTask { await self.publishEachEpoch(on: topic) }
            group.addTask { await self.watchTheView() }
            let failure = await group.next() ?? nil
            group.cancelAll()
            return failure ?? .stopped
        }
    }

    /// Makes sure the topic exists with one partition: creates it when missing.
    private func ensureTopic(_ topic: String, reader: KafkaConsumer) async -> CoordinationFailure? {
        do {
            let metadata = try await reader.clusterMetadata(timeout: .seconds(10))
            if let partitions = metadata.topics[topic] {
                return partitions == 1 ? nil : .topic("\(topic) has \(partitions) partitions; it must have exactly 1")
            }
            try await KafkaAdmin.createTopics(
                [(name: topic, partitions: 1)],
                topicConfig: Self.topicConfig,
                configuration: adminConfiguration,
                logger: logger
            )
            logger.info("Rate coordination topic created", metadata: ["kafka.topic": "\(topic)"])
            return nil
        } catch {
            return .topic("cannot find or create \(topic): \(error)")
        }
    }

    /// Writes this member's record for the epoch `lead` ahead and waits for its acknowledgement.
    private func publish(on topic: String) async throws(CoordinationFailure) -> KafkaDeliveryReport {
        guard let producer, let record = pipeline.makeBudgetRecord() else {
            throw .write("the pipeline does not coordinate")
        }
        return try await Self.send(record, with: producer, on: topic, member: member)
    }

    private static func send(
        _ record: BudgetRecord,
        with producer: KafkaProducer,
        on topic: String,
        member: String
    ) async throws(CoordinationFailure) -> KafkaDeliveryReport {
        do {
            return try await producer.send(topic: topic, key: Array(member.utf8), value: record.encoded)
        } catch {
            throw .write("\(error)")
        }
    }

    /// Writes a record at the start of every epoch, each on time whatever became of the one before:
    /// the acknowledgements are awaited beside the loop, not in it. Awaited in turn, one write
    /// acknowledged late (a busy broker) made the loop miss the next epoch's start, so that epoch's
    /// view closed without this member: its grant fell to the partition share and a lone member saw
    /// a group of nobody. Records are made here, at each epoch's start, in epoch order. Returns when
    /// a write fails (the producer gives a record up after 1.5 s, three epochs at any budget of 2/s or
    /// more: a late record would count for nobody anyway).
    private func publishEachEpoch(on topic: String) async -> CoordinationFailure? {
        guard let producer else { return .write("the pipeline does not coordinate") }
        let member = self.member
        do {
            try await withThrowingDiscardingTaskGroup { group in
                // A write that fails cancels the group: the sleep below ends, and so does the loop.
                while !Task.isCancelled {
                    guard await sleepToNextEpoch() else { return }
                    resynchronize()
                    guard let record = pipeline.makeBudgetRecord() else {
                        throw CoordinationFailure.write("the pipeline does not coordinate")
                    }
                    group.addTask { _ = try await Self.send(record, with: producer, on: topic, member: member) }
                }
            }
        } catch let failure as CoordinationFailure {
            return failure
        } catch {
            return .write("\(error)")
        }
        return nil
    }

    /// Checks every epoch that this member knows the view; returns when it has not for too long (the
    /// topic became unreadable, or this member fell behind it).
    private func watchTheView() async -> CoordinationFailure? {
        var stale = 0
        while !Task.isCancelled {
            guard await sleepToNextEpoch(offset: 250_000_000) else { return nil }
            stale = budget.isCurrentViewKnown() ? 0 : stale + 1
            if stale >= Self.staleEpochsBeforeFallback {
                return .reader("no view of the group for \(stale) epochs")
            }
        }
        return nil
    }

    /// Feeds every record to the budget, in log order; returns on a reader error.
    private func read(_ reader: KafkaConsumer, warnings: RecordWarnings) async -> CoordinationFailure? {
        for await event in reader.events {
            switch event {
            case .message(let message):
                if case .rejected(let rejection) = budget.ingest(message.value ?? []) {
                    warnings.warn(rejection, offset: message.offset)
                }
            case .error(let error) where error.isFatal || Self.topicGoneCodes.contains(error.code):
                return .reader("\(error)")
            case .error(let error):
                // librdkafka retries transport trouble itself; a view that stops arriving is caught
                // by the watch.
                logger.debug("Coordination reader error", metadata: ["kafka.error": "\(error)"])
            case .partitionsAssigned, .partitionsRevoked:
                continue
            }
        }
        return Task.isCancelled ? nil : .reader("the reader stopped")
    }

    /// Sleeps until `offset` nanoseconds after the next epoch starts; `false` when cancelled.
    private func sleepToNextEpoch(offset: Int64 = 5_000_000) async -> Bool {
        let schedule = budget.schedule
        let now = budget.timeline.nowWallNanos()
        let next = schedule.start(of: schedule.epoch(atWall: now) + 1) + offset
        do {
            try await ContinuousClock().sleep(until: budget.timeline.instant(atWall: next), tolerance: .milliseconds(1))
            return true
        } catch {
            return false
        }
    }

    /// Every epoch until cancelled: keeps the timeline in step and runs `each`.
    private func keepTime(_ each: () -> Void) async {
        while !Task.isCancelled {
            guard await sleepToNextEpoch() else { return }
            resynchronize()
            each()
        }
    }

    /// Re-anchors the budget's timeline when the system clock has stepped.
    private func resynchronize() {
        let wall = WallClock.system.now().millisecondsSinceEpoch * 1_000_000
        if let step = budget.timeline.resynchronize(wallNanos: wall, threshold: Self.resynchronizeThreshold) {
            logger.notice("The system clock stepped; the budget's timeline follows it", metadata: ["rate.clock_step": "\(step)"])
        }
    }
}

/// Why a coordination session ended.
enum CoordinationFailure: Error, Sendable, CustomStringConvertible {
    case topic(String)
    case write(String)
    case reader(String)
    case stopped

    var description: String {
        switch self {
        case .topic(let why): "topic: \(why)"
        case .write(let why): "write: \(why)"
        case .reader(let why): "read: \(why)"
        case .stopped: "stopped"
        }
    }
}
