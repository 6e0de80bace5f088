import EnricherJSON
import Logging

extension EnrichmentPipeline {
    /// One key lane: processes `first`, then each later record with the same key, in order.
    /// A record's work is cancelled when its partition is revoked or the drain times out.
    func runLane(_ first: WorkItem, token: KeyedSequencer<WorkItem>.LaneToken) async {
        var current: WorkItem? = first
        while let item = current {
            let isAcknowledged =
                await race({ await self.process(item) }, against: [item.lease, abandonSignal]) ?? false
            current = await finish(item, token: token, isAcknowledged: isAcknowledged)
        }
        let isLastDuringDrain = state.withLock { s -> Bool in
            s.activeLanes -= 1
            return s.isDraining && s.activeLanes == 0
        }
        if isLastDuringDrain { idleSignal.fire() }
    }

    /// Books a finished record and returns the next one of its lane, if it may run.
    func finish(_ item: WorkItem, token: KeyedSequencer<WorkItem>.LaneToken, isAcknowledged: Bool) async -> WorkItem? {
        let isRevoked = item.lease.isFired
        let (next, toResume, inFlight, commitDue) = state.withLock {
            s -> (WorkItem?, [PartitionID], Int, Bool) in
            s.inFlight -= 1
            let wasHalted = s.halted.removeValue(forKey: item.reference) != nil
            var commitDue = false
            // An acknowledged event counts as done even if its partition was just revoked: while
            // the revoke is still committing, its offset may go out with that commit (fewer duplicates).
            if isAcknowledged {
                let partition = item.record.partitionID
                s.tracker.completed(partition, offset: item.record.offset)
                s.completionsSinceCommit += 1
                commitDue = s.completionsSinceCommit >= configuration.commitBatchSize
                // Stored under the lock, so two finishing events cannot store out of order.
                if !isRevoked, let offset = s.tracker.committableOffset(for: partition),
                    offset > (s.storedOffsets[partition] ?? -1)
                {
                    s.storedOffsets[partition] = offset
                    partitions.storeOffsets([partition: offset])
                }
            }
            let next = isAcknowledged && !isRevoked && !s.isDraining ? s.sequencer.next(after: token) : nil
            // Gauges are set under the lock so that concurrent updates cannot land out of order.
            metrics.inFlight.record(s.inFlight)
            if wasHalted { reportHealth(&s) }
            return (next, resumeIfBelowLimit(&s), s.inFlight, commitDue)
        }
        if !toResume.isEmpty {
            logger.debug("Input resumed below the in-flight limit", metadata: ["pipeline.in_flight": "\(inFlight)"])
        }
        if commitDue { await commitProgress() }
        return next
    }

    /// Handles one record to the end: a published (and acknowledged) result or dead-letter
    /// event returns `true`; work given up on (revoked, draining, cancelled) returns `false`.
    func process(_ item: WorkItem) async -> Bool {
        switch item.validation {
        case .failure(let malformed):
            logger.warning(
                "Input event malformed, sending it to the dead-letter topic",
                metadata: logMetadata(item, extra: ["pipeline.error": "\(malformed)"])
            )
            let record = deadLetterBuilder.build(
                record: item.record,
                reason: .malformed,
                error: malformed.description,
                attempts: 0,
                failedAt: wallClock.now()
            )
            guard await publishUntilAcknowledged(record, item) else { return false }
            countDeadLetter(.malformed)
            return true
        case .success(let event):
            switch await archivingMedia(of: await resolve(event, item), event, item) {
            case .abandoned:
                return false
            case .publish(let outcome, let media, let attempts, let fetchedAt):
                let record = outputBuilder.build(
                    event: event,
                    record: item.record,
                    outcome: outcome,
                    attempts: attempts,
                    fetchedAt: fetchedAt,
                    time: wallClock.now(),
                    media: media
                )
                guard await publishUntilAcknowledged(record, item) else { return false }
                metrics.event(outcome.status)
                state.withLock { $0.statistics.eventsByStatus[outcome.status, default: 0] += 1 }
                recordEndToEndLatency(item.record)
                return true
            case .deadLetter(let failure, let attempts):
                logger.warning(
                    "Retries exhausted, sending the event to the dead-letter topic",
                    metadata: logMetadata(item, extra: failureMetadata(failure))
                )
                let record = deadLetterBuilder.build(
                    record: item.record,
                    reason: .retriesExhausted,
                    error: failure.description,
                    attempts: attempts,
                    failedAt: wallClock.now()
                )
                guard await publishUntilAcknowledged(record, item) else { return false }
                countDeadLetter(.retriesExhausted)
                return true
            }
        }
    }

    /// Publishes until the brokers acknowledge, backing off between failures; gives up only
    /// when the partition is revoked or the work is cancelled (the offset then stays uncommitted).
    func publishUntilAcknowledged(_ record: OutgoingRecord, _ item: WorkItem) async -> Bool {
        var failures = 0
        while !item.lease.isFired, !Task.isCancelled {
            do {
                try await publisher.publish(
                    topic: record.topic,
                    key: record.key,
                    value: record.value,
                    headers: record.headers
                )
                return true
            } catch {
                failures += 1
                logger.warning(
                    "Publish failed, retrying",
                    metadata: logMetadata(item, extra: ["kafka.error.code": "\(error.code)"])
                )
                countRetry("publish")
                let policy = configuration.retry
                let delay =
                    policy.transientDelay(afterFailures: failures, elapsed: .zero, random: random()) ?? policy.cap
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    return false
                }
            }
        }
        return false
    }

    func countDeadLetter(_ reason: DeadLetterReason) {
        metrics.deadLetter(reason)
        state.withLock { $0.statistics.deadLettersByReason[reason, default: 0] += 1 }
    }

    func countRetry(_ reason: String) {
        metrics.retry(reason)
        state.withLock { $0.statistics.retries += 1 }
    }

    func recordEndToEndLatency(_ record: InputRecord) {
        guard let produced = record.timestampMillis else { return }
        let elapsedMillis = wallClock.now().millisecondsSinceEpoch - produced
        if elapsedMillis >= 0 { metrics.endToEnd.recordMilliseconds(elapsedMillis) }
    }

    func logMetadata(_ item: WorkItem, extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            LogKeys.topic: "\(item.record.topic)",
            LogKeys.partition: "\(item.record.partition)",
            LogKeys.offset: "\(item.record.offset)",
        ]
        if case .success(let event) = item.validation { metadata[LogKeys.eventID] = "\(event.eventId)" }
        metadata.merge(extra) { _, new in new }
        return metadata
    }
}
