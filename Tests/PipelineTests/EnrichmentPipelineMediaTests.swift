import EnricherJSON
import Pipeline
import Synchronization
import Testing
import TestSupport

/// The media step between resolving a result and publishing it, over a scripted archiver.
@Suite("The engine archives each result's media before publishing it")
struct EnrichmentPipelineMediaTests {
    /// Passed results with a request id per call, so a fresh fetch is recognisable.
    static func perCallFetcher() -> FakeVerificationFetcher {
        FakeVerificationFetcher { call throws(FetchFailure) in
            FakeVerificationFetcher.passed(requestId: "req-\(call.number)")
        }
    }

    @Test("the stored media is data.media, published only once the archive returned, after one API call")
    func publishedAfterArchive() async throws {
        let gate = AsyncGate()
        let archiver = FakeMediaArchiver { request, _ in
            await gate.wait()
            return FakeMediaArchiver.stored(request)
        }
        let harness = PipelineHarness(fetcher: Self.perCallFetcher(), mediaArchiver: archiver)
        try await harness.run {
            harness.send(offset: 0, key: "PASS-1", eventId: "e0", bizToken: "PASS-1")
            #expect(await Poll.until { gate.waitCount == 1 })
            try await Task.sleep(for: .milliseconds(50))
            #expect(harness.outputs.isEmpty, "published before its media was stored")
            #expect(
                (harness.partitions.committedOffsets[PipelineHarness.partition0] ?? 0) == 0,
                "nothing committed past the held event"
            )
            gate.open()
            #expect(await harness.publisher.waitForRecords(1))
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 1))
        }
        let data = try #require(harness.outputs.first?["data"])
        let request = try #require(archiver.recordedRequests.first)
        #expect(data["media"] == FakeMediaArchiver.stored(request).json)
        #expect(data["media"]?["video"]?["uri"]?.stringValue == "file:///archive/PASS-1/req-1/video.mp4")
        #expect(data["attempts"] == 1)
        #expect(request.bizToken == "PASS-1")
        #expect(request.response["RequestId"]?.stringValue == "req-1")
        #expect(request.mediaExpiresAt?.rfc3339 == "2026-11-24T10:10:01.200Z", "fetchedAt + 10 minutes")
        #expect(harness.fetcher.callCount(for: "PASS-1") == 1)
    }

    @Test("results without media (pending to the end, verdicts before the camera, API errors) are not archived")
    func noMediaNoArchive() async throws {
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            if call.bizToken.hasPrefix("PENDX") { return FakeVerificationFetcher.pending() }
            if call.bizToken.hasPrefix("EXPD") {
                throw FetchFailure(
                    kind: .final,
                    code: "InvalidParameterValue.BizTokenExpired",
                    message: "expired",
                    requestId: "r"
                )
            }
            return [
                "ErrorCode": 2004, "ErrorMsg": "Failed", "VideoBestFrameUrl": "", "VideoUrl": nil, "RequestId": "r-f",
            ]
        }
        let archiver = FakeMediaArchiver()
        let harness = PipelineHarness(fetcher: fetcher, mediaArchiver: archiver)
        await harness.run {
            for (offset, token) in ["PENDX-1", "EXPD-2", "FAIL2004-3"].enumerated() {
                harness.send(offset: Int64(offset), key: token, eventId: "e\(offset)", bizToken: token)
            }
            #expect(await harness.publisher.waitForRecords(3))
        }
        #expect(archiver.recordedRequests.isEmpty)
        #expect(harness.outputs.allSatisfy { $0["data"]?["media"] == .null })
    }

    @Test("a media failure is retried with backoff on the same URLs, without another API call")
    func retriedOnTheSameURLs() async throws {
        let archiver = FakeMediaArchiver { request, number throws(MediaArchiveFailure) in
            guard number > 2 else { throw FakeMediaArchiver.md5Mismatch }
            return FakeMediaArchiver.stored(request)
        }
        let harness = PipelineHarness(fetcher: Self.perCallFetcher(), mediaArchiver: archiver)
        await harness.run {
            harness.send(offset: 0, key: "PASS-1", eventId: "e0", bizToken: "PASS-1")
            #expect(await harness.publisher.waitForRecords(1))
        }
        #expect(archiver.recordedRequests.count == 3)
        #expect(harness.fetcher.callCount(for: "PASS-1") == 1)
        #expect(harness.counter(MetricNames.retries, [("reason", "media")]) == 2)
        #expect(harness.outputs.first?["data"]?["media"]?["bestFrame"]?["uri"] != nil)
        #expect(harness.deadLetters.isEmpty)
    }

    @Test("expired URLs (or a 403) are refreshed by fetching the result again, and the fresh result is published")
    func expiredURLsAreRefreshed() async throws {
        let archiver = FakeMediaArchiver { request, number throws(MediaArchiveFailure) in
            guard number > 1 else { throw FakeMediaArchiver.urlExpired }
            return FakeMediaArchiver.stored(request)
        }
        let harness = PipelineHarness(fetcher: Self.perCallFetcher(), mediaArchiver: archiver)
        await harness.run {
            harness.send(offset: 0, key: "PASS-1", eventId: "e0", bizToken: "PASS-1")
            #expect(await harness.publisher.waitForRecords(1))
        }
        #expect(harness.fetcher.callCount(for: "PASS-1") == 2)
        #expect(archiver.recordedRequests.map { $0.response["RequestId"]?.stringValue } == ["req-1", "req-2"])
        let data = try #require(harness.outputs.first?["data"])
        #expect(data["result"]?["RequestId"]?.stringValue == "req-2", "the fresh result is the one published")
        #expect(data["attempts"] == 2)
        #expect(data["media"]?["video"]?["uri"]?.stringValue == "file:///archive/PASS-1/req-2/video.mp4")
        #expect(harness.counter(MetricNames.retries, [("reason", "media_refresh")]) == 1)
        #expect(harness.counter(MetricNames.apiCalls, [("code", "ok")]) == 2)
    }

    @Test("a download is not started past mediaExpiresAt: the result is fetched again first")
    func pastTheDeadlineFetchesAgain() async throws {
        let now = Mutex(Fixtures.fetchedAt)
        let wallClock = WallClock { now.withLock { $0 } }
        let archiver = FakeMediaArchiver { request, number throws(MediaArchiveFailure) in
            guard number > 1 else {
                // The backlog case: by the time the archive is retried the URLs are 11 minutes old.
                now.withLock { $0 = $0.advanced(by: .seconds(660)) }
                throw FakeMediaArchiver.md5Mismatch
            }
            return FakeMediaArchiver.stored(request)
        }
        let harness = PipelineHarness(fetcher: Self.perCallFetcher(), mediaArchiver: archiver, wallClock: wallClock)
        await harness.run {
            harness.send(offset: 0, key: "PASS-1", eventId: "e0", bizToken: "PASS-1")
            #expect(await harness.publisher.waitForRecords(1))
        }
        let requests = archiver.recordedRequests
        #expect(requests.count == 2)
        #expect(requests.last?.response["RequestId"]?.stringValue == "req-2")
        #expect(requests.last?.mediaExpiresAt == Fixtures.fetchedAt.advanced(by: .seconds(660 + 600)))
        #expect(harness.fetcher.callCount(for: "PASS-1") == 2)
    }

    @Test("media that keeps failing goes to the DLQ as retries_exhausted with the media error")
    func exhaustedToTheDeadLetterTopic() async throws {
        let archiver = FakeMediaArchiver { _, _ throws(MediaArchiveFailure) in throw FakeMediaArchiver.md5Mismatch }
        let harness = PipelineHarness(fetcher: Self.perCallFetcher(), mediaArchiver: archiver) { configuration in
            configuration.retry.maxElapsed = .milliseconds(150)
        }
        await harness.run {
            harness.send(offset: 0, key: "PASS-1", eventId: "e0", bizToken: "PASS-1")
            #expect(await harness.publisher.waitForRecords(1))
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 1))
        }
        #expect(harness.outputs.isEmpty)
        let letter = try #require(harness.deadLetters.first)
        #expect(Fixtures.header(letter, "x-dlq-reason") == "retries_exhausted")
        #expect(Fixtures.header(letter, "x-dlq-error")?.hasPrefix("Media.MD5Mismatch: video:") == true)
        #expect(Fixtures.header(letter, "x-dlq-attempts") == "1")
        #expect(archiver.recordedRequests.count > 1)
        #expect(harness.counter(MetricNames.deadLetterEvents, [("reason", "retries_exhausted")]) == 1)
    }

    @Test("the media retry budget runs from the first failure: a first download slower than the budget is retried")
    func mediaRetryBudgetStartsAtTheFirstFailure() async throws {
        let archiver = FakeMediaArchiver { request, number throws(MediaArchiveFailure) in
            if number == 1 {
                try? await Task.sleep(for: .milliseconds(300))
                throw FakeMediaArchiver.md5Mismatch
            }
            return FakeMediaArchiver.stored(request)
        }
        let harness = PipelineHarness(fetcher: Self.perCallFetcher(), mediaArchiver: archiver) { configuration in
            configuration.retry.maxElapsed = .milliseconds(200)
        }
        await harness.run {
            harness.send(offset: 0, key: "PASS-1", eventId: "e0", bizToken: "PASS-1")
            #expect(await harness.publisher.waitForRecords(1))
        }
        #expect(harness.deadLetters.isEmpty)
        let data = try #require(harness.outputs.first?["data"])
        #expect(data["media"] == FakeMediaArchiver.stored(try #require(archiver.recordedRequests.last)).json)
        #expect(archiver.recordedRequests.count == 2)
    }

    @Test("a store refusing access holds the event and readiness until it works again; nothing is committed meanwhile")
    func storeErrorsHold() async throws {
        let archiver = FakeMediaArchiver { _, _ throws(MediaArchiveFailure) in throw FakeMediaArchiver.accessDenied }
        let harness = PipelineHarness(fetcher: Self.perCallFetcher(), mediaArchiver: archiver) { configuration in
            // The hold must outlast the transient budget: store errors are never given up on.
            configuration.retry.maxElapsed = .milliseconds(20)
        }
        await harness.run {
            harness.send(offset: 0, key: "PASS-1", eventId: "e0", bizToken: "PASS-1")
            #expect(await Poll.until { harness.pipeline.health.haltingCode == "Store.AccessDenied" })
            #expect(await Poll.until { archiver.recordedRequests.count >= 5 })
            #expect(harness.publisher.records.isEmpty, "nothing is published or dead-lettered while held")
            #expect(
                (harness.partitions.committedOffsets[PipelineHarness.partition0] ?? 0) == 0,
                "nothing committed past the held event"
            )
            archiver.setScript { request, _ in FakeMediaArchiver.stored(request) }
            #expect(await harness.publisher.waitForRecords(1))
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 1))
        }
        #expect(harness.deadLetters.isEmpty)
        #expect(harness.outputs.first?["data"]?["media"]?["video"] != nil)
        #expect(!harness.pipeline.isHalted)
        #expect(harness.healthChanges.values.contains { $0.haltingCode == "Store.AccessDenied" })
        #expect(harness.healthChanges.values.last?.isHalted == false)
        #expect(harness.counter(MetricNames.retries, [("reason", "halting")]) >= 4)
    }
}
