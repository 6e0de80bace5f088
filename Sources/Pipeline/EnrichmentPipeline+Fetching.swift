import EnricherJSON
import Logging

extension EnrichmentPipeline {
    /// Asks the API until the event has an outcome: a verdict, `incomplete` after the pending
    /// budget, a final error, or a dead letter after the transient budget. Halting errors hold
    /// the event (and readiness) and are retried with long backoff until they clear.
    func resolve(_ event: InputEvent, _ item: WorkItem) async -> Resolution {
        let policy = configuration.retry
        var attempts = 0
        var failures = 0
        var polls = 0
        var halts = 0
        // The retry and pending budgets run from the first answer, not from here: the wait for the
        // first rate turn (a backlog queued behind the group's budget) and the first call are not
        // retrying, and counting them could dead-letter an event after a single attempt.
        var start = clock.now
        // The first call uses the turn taken at intake; retries and polls take a new one.
        var turn = item.turn
        while !drainSignal.isFired, !Task.isCancelled {
            // `interrupted` means no call was made: this pipeline is draining (the loop ends), or
            // the call this one joined belonged to a revoked partition's event (ask again).
            guard case .answered(let answer) = await fetchOnce(event, turn: turn) else { continue }
            turn = nil
            attempts += 1
            if attempts == 1 { start = clock.now }
            let fetchedAt = wallClock.now()
            if halts > 0, !isHalting(answer) {
                halts = 0
                start = clock.now
                clearHalted(item)
            }
            let delay: Duration
            switch answer {
            case .success(let response):
                rateLimiter.recordSuccess()
                guard VerificationOutcome.isPending(response) else {
                    return .publish(.result(response), attempts: attempts, fetchedAt: fetchedAt)
                }
                polls += 1
                guard let pendingDelay = policy.pendingDelay(afterPolls: polls, elapsed: start.duration(to: clock.now))
                else {
                    return .publish(.incomplete(lastResponse: response), attempts: attempts, fetchedAt: fetchedAt)
                }
                countRetry("pending")
                delay = pendingDelay
            case .failure(let failure):
                switch failure.kind {
                case .final:
                    if let status = VerificationStatus(finalErrorCode: failure.code) {
                        return .publish(
                            .apiError(status: status, failure: failure),
                            attempts: attempts,
                            fetchedAt: fetchedAt
                        )
                    }
                    return .deadLetter(failure, attempts: attempts)
                case .halting:
                    halts += 1
                    setHalted(item, failure)
                    countRetry("halting")
                    delay = policy.haltingDelay(afterHalts: halts, random: random())
                case .retryable, .rateLimited:
                    if failure.kind == .rateLimited { rateLimiter.recordRateLimited() }
                    failures += 1
                    guard
                        let transientDelay = policy.transientDelay(
                            afterFailures: failures,
                            elapsed: start.duration(to: clock.now),
                            random: random()
                        )
                    else {
                        return .deadLetter(failure, attempts: attempts)
                    }
                    logger.debug(
                        "API call failed, retrying",
                        metadata: logMetadata(item, extra: failureMetadata(failure))
                    )
                    countRetry(failure.kind == .rateLimited ? "rate_limited" : "retryable")
                    delay = transientDelay
                }
            }
            let clock = self.clock
            guard await unlessDraining({ try await clock.sleep(for: delay) }) else { return .abandoned }
        }
        return .abandoned
    }

    /// One API call for `event`, joined with a call already in flight for the same token and
    /// region, and paced by the rate limiter: on `turn` when given, else on a new turn. A joined
    /// call makes none and gives its turn up at once: the call it joins may be waiting behind it.
    func fetchOnce(_ event: InputEvent, turn: RateLimiter<C>.Turn?) async -> FetchAttempt {
        let limiter = rateLimiter
        let (attempt, joined) = await singleFlight.run(
            event.region + "/" + event.bizToken,
            onJoin: { if let turn { limiter.forfeit(turn) } }
        ) { () async -> FetchAttempt in
            let limiter = self.rateLimiter
            guard await self.unlessSlotGraceEnds({ try await limiter.wait(for: turn ?? limiter.reserve()) }) else {
                return .interrupted
            }
            let started = self.clock.now
            let answer: Result<JSONValue, FetchFailure>
            do throws(FetchFailure) {
                answer = .success(try await self.fetcher.fetch(bizToken: event.bizToken, region: event.region))
            } catch {
                answer = .failure(error)
            }
            self.metrics.apiDuration.record(duration: started.duration(to: self.clock.now))
            switch answer {
            case .success(let response):
                self.metrics.apiCall(VerificationOutcome.isPending(response) ? "pending" : "ok")
            case .failure(let failure):
                self.metrics.apiCall(failure.code)
            }
            self.state.withLock { $0.statistics.apiCalls += 1 }
            return .answered(answer)
        }
        if joined { state.withLock { $0.statistics.joinedFetches += 1 } }
        return attempt
    }

    func isHalting(_ answer: Result<JSONValue, FetchFailure>) -> Bool {
        if case .failure(let failure) = answer, failure.kind == .halting { return true }
        return false
    }

    func failureMetadata(_ failure: FetchFailure) -> Logger.Metadata {
        var metadata: Logger.Metadata = [LogKeys.errorCode: "\(failure.code)"]
        if let requestId = failure.requestId { metadata[LogKeys.requestID] = "\(requestId)" }
        return metadata
    }

    /// Under the lock: sets the halted gauge and tells the health observer when readiness
    /// changed. Under the lock so that neither can disagree with ``health`` or land out of order.
    func reportHealth(_ s: inout State) {
        let health = s.health
        metrics.halted.record(health.isHalted ? 1 : 0)
        guard health != s.reportedHealth else { return }
        s.reportedHealth = health
        healthObserver(health)
    }

    /// Marks the event held by a halting error: readiness fails until every held event clears.
    /// The first halt of an event, or a change of code, is logged as an error; repeats of the
    /// same code at debug, so a long outage does not flood the log (readiness and the
    /// `faceid_enricher_halted` gauge keep saying it).
    func setHalted(
        _ item: WorkItem,
        _ failure: FetchFailure,
        because message: Logger.Message = "API error stops progress; holding the event and retrying with long backoff"
    ) {
        // The gauge is set under the lock so that it never disagrees with `health`.
        let previousCode = state.withLock { s -> String? in
            let previous = s.halted[item.reference]
            s.halted[item.reference] = failure.code
            s.lastHaltingCode = failure.code
            reportHealth(&s)
            return previous
        }
        let level: Logger.Level = previousCode == failure.code ? .debug : .error
        logger.log(level: level, message, metadata: logMetadata(item, extra: failureMetadata(failure)))
    }

    /// The halting error of this event cleared.
    func clearHalted(_ item: WorkItem, because message: Logger.Message = "API error that stopped progress cleared") {
        state.withLock { s in
            s.halted.removeValue(forKey: item.reference)
            reportHealth(&s)
        }
        logger.info(message, metadata: logMetadata(item))
    }
}
