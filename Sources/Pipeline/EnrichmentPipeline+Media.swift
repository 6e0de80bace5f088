import EnricherJSON
import Logging

extension EnrichmentPipeline {
    /// What is published for an event once its media is dealt with.
    enum Publication: Sendable {
        /// A result event: the outcome, where its media was archived (`nil`: archiving off or no
        /// media), the API calls made and when the last answer arrived.
        case publish(VerificationOutcome, media: ArchivedMedia?, attempts: Int, fetchedAt: UTCTimestamp)
        case deadLetter(FetchFailure, attempts: Int)
        case abandoned
    }

    /// The step between resolving an event and publishing it: archives the result's media, so
    /// that the event is published (and its offset committed) only once the evidence is stored.
    ///
    /// - A media failure (MD5 mismatch, truncated body, 404, …) is retried with the transient
    ///   backoff for up to `retry.maxElapsed` from the first failure (the wait for an archive slot
    ///   and the first download are not retrying), then dead-lettered as `retries_exhausted` with
    ///   the media error.
    /// - Expired URLs (past `mediaExpiresAt`, or answering 403) are refreshed by fetching the
    ///   result again — a BizToken may be asked for three days — on a rate turn of its own,
    ///   through the same resolution (retries, halts, joining) as the first fetch.
    /// - A store that is unreachable or refuses access holds the event like bad credentials:
    ///   readiness fails and the archive is retried with the halting backoff until it works.
    func archivingMedia(of resolution: Resolution, _ event: InputEvent, _ item: WorkItem) async -> Publication {
        switch resolution {
        case .abandoned:
            return .abandoned
        case .deadLetter(let failure, let attempts):
            return .deadLetter(failure, attempts: attempts)
        case .publish(let outcome, let attempts, let fetchedAt):
            guard let mediaArchiver, case .result(let response) = outcome, MediaArchiveRequest.hasMedia(response)
            else {
                return .publish(outcome, media: nil, attempts: attempts, fetchedAt: fetchedAt)
            }
            return await archive(response, attempts: attempts, fetchedAt: fetchedAt, with: mediaArchiver, event, item)
        }
    }

    private func archive(
        _ firstResponse: JSONValue,
        attempts firstAttempts: Int,
        fetchedAt firstFetchedAt: UTCTimestamp,
        with archiver: any MediaArchiver,
        _ event: InputEvent,
        _ item: WorkItem
    ) async -> Publication {
        let policy = configuration.retry
        var (response, attempts, fetchedAt) = (firstResponse, firstAttempts, firstFetchedAt)
        var failures = 0
        var halts = 0
        var start = clock.now
        var needsFreshURLs = false
        while !drainSignal.isFired, !Task.isCancelled {
            if needsFreshURLs || isPastDownloadDeadline(response, fetchedAt: fetchedAt) {
                // A new call on a rate turn of its own: the first fetch's turn is spent.
                var refetch = item
                refetch.turn = nil
                switch await resolve(event, refetch) {
                case .abandoned:
                    return .abandoned
                case .deadLetter(let failure, let more):
                    return .deadLetter(failure, attempts: attempts + more)
                case .publish(let outcome, let more, let answeredAt):
                    attempts += more
                    fetchedAt = answeredAt
                    // The API may answer for good now (a token past its three days): publish that.
                    guard case .result(let fresh) = outcome, MediaArchiveRequest.hasMedia(fresh) else {
                        return .publish(outcome, media: nil, attempts: attempts, fetchedAt: fetchedAt)
                    }
                    response = fresh
                }
                needsFreshURLs = false
                countRetry("media_refresh")
            }
            let request = MediaArchiveRequest(
                bizToken: event.bizToken,
                region: event.region,
                response: response,
                mediaExpiresAt: OutputEventBuilder.hasMediaURLs(response)
                    ? fetchedAt.advanced(by: OutputEventBuilder.mediaURLLifetime) : nil
            )
            let delay: Duration
            do throws(MediaArchiveFailure) {
                let media = try await archiver.archive(request)
                if halts > 0 { clearHalted(item, because: "Media store error that stopped progress cleared") }
                return .publish(.result(response), media: media, attempts: attempts, fetchedAt: fetchedAt)
            } catch {
                needsFreshURLs = error.needsFreshURLs
                if error.kind == .halting {
                    halts += 1
                    setHalted(
                        item,
                        error.fetchFailure,
                        because: "Media store error stops progress; holding the event and retrying with long backoff"
                    )
                    countRetry("halting")
                    delay = policy.haltingDelay(afterHalts: halts, random: random())
                } else {
                    if halts > 0 {
                        halts = 0
                        start = clock.now
                        clearHalted(item, because: "Media store error that stopped progress cleared")
                    }
                    if failures == 0 { start = clock.now }
                    failures += 1
                    guard
                        let transientDelay = policy.transientDelay(
                            afterFailures: failures,
                            elapsed: start.duration(to: clock.now),
                            random: random()
                        )
                    else {
                        return .deadLetter(error.fetchFailure, attempts: attempts)
                    }
                    logger.debug(
                        "Media archive failed, retrying",
                        metadata: logMetadata(item, extra: failureMetadata(error.fetchFailure))
                    )
                    countRetry("media")
                    delay = transientDelay
                }
            }
            let clock = self.clock
            guard await unlessDraining({ try await clock.sleep(for: delay) }) else { return .abandoned }
        }
        return .abandoned
    }

    /// Whether the result's media URLs are too close to (or past) their expiry to start a download.
    func isPastDownloadDeadline(_ response: JSONValue, fetchedAt: UTCTimestamp) -> Bool {
        guard OutputEventBuilder.hasMediaURLs(response) else { return false }
        let deadline = fetchedAt.advanced(
            by: OutputEventBuilder.mediaURLLifetime - MediaArchiveRequest.downloadDeadlineMargin
        )
        return wallClock.now() >= deadline
    }
}
