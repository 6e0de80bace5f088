import Logging

extension EnrichmentPipeline {
    /// The intake loop: runs in `run`'s own task, so records, assignments and revocations are
    /// handled strictly in the order the Kafka layer delivered them.
    func intake(_ controls: AsyncStream<Control>, workers: inout DiscardingTaskGroup) async {
        for await control in controls {
            switch control {
            case .input(.record(let record)):
                accept(record, workers: &workers)
            case .input(.assigned(let assigned)):
                await assign(assigned)
            case .input(.revoked(let revoked)):
                await revoke(revoked)
            case .inputFinished, .shutdown:
                return
            }
            // After acting on it (a pause at the limit is in place), so the reader stays within its window.
            if case .input = control { intakeWindow.taken() }
        }
    }

    /// Registers a record (its offset is now outstanding) and starts it at once, with its rate
    /// turn, unless an earlier record with the same key is still running; pauses the input at
    /// `maxInFlight`.
    func accept(_ record: InputRecord, workers: inout DiscardingTaskGroup) {
        let partition = record.partitionID
        let validation = validator.validate(record.value)
        let (start, toPause, inFlight, newlyHeld) = state.withLock {
            s -> ((item: WorkItem, token: KeyedSequencer<WorkItem>.LaneToken)?, [PartitionID], Int, [Int32]?) in
            // A record of a partition no assignment named (a test feeding records directly) makes
            // it held, like an assignment would.
            let newlyHeld = s.assigned.insert(partition).inserted ? s.assigned.map(\.partition) : nil
            let lease = s.lease(for: partition)
            s.tracker.received(partition, offset: record.offset)
            s.inFlight += 1
            let item = WorkItem(record: record, validation: validation, lease: lease, turn: nil)
            var start: (item: WorkItem, token: KeyedSequencer<WorkItem>.LaneToken)?
            if case .start(let token) = s.sequencer.enqueue(item, partition: partition, key: record.key) {
                start = (item, token)
                s.activeLanes += 1
            }
            var toPause: [PartitionID] = []
            if !s.isPaused, s.inFlight >= configuration.maxInFlight {
                s.isPaused = true
                toPause = s.assigned.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
                // Under the lock, like every pause and resume: a worker's resume decided right after
                // this pause must not reach the consumer first, or the input stays paused for good.
                partitions.pause(toPause)
            }
            // Gauges are set under the lock so that concurrent updates cannot land out of order.
            metrics.inFlight.record(s.inFlight)
            return (start, toPause, s.inFlight, newlyHeld)
        }
        if let newlyHeld { groupBudget.partitionsChanged(held: newlyHeld, partitionCount: nil) }
        if !toPause.isEmpty {
            logger.debug("Input paused at the in-flight limit", metadata: ["pipeline.in_flight": "\(inFlight)"])
        }
        if var start {
            // The turn is taken here, in the order records arrive, not when the task first runs:
            // tasks start in no particular order, and a later offset calling first leaves a hole
            // that a drain turns into duplicates.
            if case .success = validation { start.item.turn = rateLimiter.reserve() }
            workers.addTask { await self.runLane(start.item, token: start.token) }
        }
    }

    /// Partitions were assigned: track them (paused if the input is paused) and take the new share.
    func assign(_ assigned: [PartitionID]) async {
        metrics.rebalances.increment()
        state.withLock { s in
            for partition in assigned {
                s.assigned.insert(partition)
                _ = s.lease(for: partition)
            }
            if s.isPaused, !assigned.isEmpty { partitions.pause(assigned) }
        }
        logger.info("Partitions assigned", metadata: ["kafka.partitions": "\(assigned.map(\.description))"])
        await updateRateShare()
    }

    /// Partitions were revoked: cancel their running work, commit their acknowledged prefix,
    /// drop their queued work, and take the new share.
    func revoke(_ revoked: [PartitionID]) async {
        metrics.rebalances.increment()
        let leases = state.withLock { s -> [Signal] in
            var leases: [Signal] = []
            for partition in revoked {
                s.assigned.remove(partition)
                if let lease = s.leases.removeValue(forKey: partition) { leases.append(lease) }
            }
            return leases
        }
        for lease in leases { lease.fire() }
        await commitProgress()
        state.withLock { s in
            for partition in revoked {
                s.inFlight -= s.sequencer.removeAll(in: partition).count
                s.tracker.remove(partition)
                s.committedOffsets[partition] = nil
                s.storedOffsets[partition] = nil
                s.halted = s.halted.filter { $0.key.partition != partition }
            }
            metrics.inFlight.record(s.inFlight)
            reportHealth(&s)
            _ = resumeIfBelowLimit(&s)
        }
        logger.info("Partitions revoked", metadata: ["kafka.partitions": "\(revoked.map(\.description))"])
        await updateRateShare()
    }

    /// Under the lock: when paused and below the limit, unpause, resume the input (still under the
    /// lock, so it cannot overtake a later pause) and return what was resumed.
    func resumeIfBelowLimit(_ s: inout State) -> [PartitionID] {
        guard s.isPaused, s.inFlight < configuration.maxInFlight else { return [] }
        s.isPaused = false
        let toResume = s.assigned.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        if !toResume.isEmpty { partitions.resume(toResume) }
        return toResume
    }

    /// Tells the group budget which partitions this instance now holds (and the input topic's size,
    /// read first, so no record of a new partition is accepted before the budget knows both).
    func updateRateShare() async {
        let total = await partitions.inputPartitionCount()
        let held = state.withLock { $0.assigned.map(\.partition) }
        groupBudget.partitionsChanged(held: held, partitionCount: total > 0 ? total : nil)
        refreshBudgetGauges()
        logger.debug(
            "Rate share updated",
            metadata: ["pipeline.rate_per_second": "\(rateLimiter.currentRate)"]
        )
    }

    /// Stops intake: no new fetches, waits cut short; workers still fetching or publishing may
    /// finish until the drain timeout, after which the rest are cancelled.
    func startDrain(workers: inout DiscardingTaskGroup) {
        let isIdle = state.withLock { s -> Bool in
            s.isDraining = true
            return s.activeLanes == 0
        }
        logger.info("Enrichment pipeline draining")
        drainSignal.fire()
        if isIdle { idleSignal.fire() }
        // Calls already waiting for a slot keep waiting while the slots the group granted this member
        // last (announced `lead` epochs ahead) last: using them costs the group nothing, and wasting
        // them would leave that much of the budget unspent at every shutdown.
        let grace = groupBudget.schedule.epochDuration * Int(BudgetSchedule.lead + 1)
        workers.addTask {
            let clock = self.clock
            _ = await self.race({ (try? await clock.sleep(for: grace)) != nil }, against: [self.idleSignal])
            self.slotGraceSignal.fire()
        }
        let timeout = configuration.drainTimeout
        workers.addTask {
            let clock = self.clock
            let timedOut = await self.race(
                { (try? await clock.sleep(for: timeout)) != nil },
                against: [self.idleSignal]
            )
            if timedOut != nil {
                self.logger.warning("Drain timeout reached, abandoning in-flight events")
                self.abandonSignal.fire()
            }
        }
    }

    /// Runs `operation` until it returns or one of `signals` fires (the operation is then
    /// cancelled and waited for). `nil` means a signal came first.
    func race(_ operation: @escaping @Sendable () async -> Bool, against signals: [Signal]) async -> Bool? {
        if signals.contains(where: \.isFired) { return nil }
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await operation() }
            for signal in signals {
                group.addTask {
                    await signal.wait()
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Runs `operation` (a wait for a slot) unless the drain's slot grace ends first; `false` when it
    /// was cut short or threw.
    func unlessSlotGraceEnds(_ operation: @escaping @Sendable () async throws -> Void) async -> Bool {
        await unless(slotGraceSignal, operation)
    }

    /// Runs `operation` unless the drain starts first; `false` when it was cut short or threw.
    func unlessDraining(_ operation: @escaping @Sendable () async throws -> Void) async -> Bool {
        await unless(drainSignal, operation)
    }

    /// Runs `operation` unless `signal` fires first; `false` when it was cut short or threw.
    private func unless(_ signal: Signal, _ operation: @escaping @Sendable () async throws -> Void) async -> Bool {
        let result = await race(
            {
                do {
                    try await operation()
                    return true
                } catch {
                    return false
                }
            },
            against: [signal]
        )
        return result ?? false
    }
}
