import Logging
import MetricsTestKit
import Pipeline
import Testing
import TestSupport

@Suite("Commits are batched, and shutdown commits what was acknowledged and nothing else")
struct EnrichmentPipelineShutdownTests {
    @Test("with a long commit interval, progress is committed every commitBatchSize completions and at shutdown")
    func batchedAndFinalCommits() async {
        let harness = PipelineHarness {
            $0.commitInterval = .seconds(3600)
            $0.commitBatchSize = 2
        }
        await harness.run {
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "PASS-0")
            #expect(await harness.publisher.waitForRecords(1))
            #expect(harness.partitions.commitCount == 0)
            harness.send(offset: 1, key: "b", eventId: "e1", bizToken: "PASS-1")
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 2))
            harness.send(offset: 2, key: "c", eventId: "e2", bizToken: "PASS-2")
            #expect(await harness.publisher.waitForRecords(3))
            #expect(harness.partitions.committedOffsets[PipelineHarness.partition0] == 2)
        }
        #expect(harness.partitions.committedOffsets[PipelineHarness.partition0] == 3)
    }

    @Test("the drain timeout abandons events still in flight and leaves them uncommitted")
    func drainTimeoutAbandons() async {
        let never = AsyncGate()
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            if call.bizToken.hasPrefix("STUCK") { await never.wait() }
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher) { $0.drainTimeout = .milliseconds(50) }
        await harness.run {
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "PASS-0")
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 1))
            harness.send(offset: 1, key: "b", eventId: "e1", bizToken: "STUCK-1")
            harness.send(offset: 2, key: "c", eventId: "e2", bizToken: "PASS-2")
            #expect(await harness.publisher.waitForRecords(2))
            #expect(await Poll.until { never.waitCount == 1 })
        }
        #expect(harness.outputEventIds == ["e0", "e2"])
        #expect(harness.partitions.committedOffsets[PipelineHarness.partition0] == 1)
    }

    @Test("cancelling the run abandons in-flight work at once and still commits the acknowledged prefix")
    func cancellation() async {
        let never = AsyncGate()
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            if call.bizToken.hasPrefix("STUCK") { await never.wait() }
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher) { $0.commitInterval = .seconds(3600) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await harness.pipeline.run(input: harness.input) }
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "PASS-0")
            harness.send(offset: 1, key: "b", eventId: "e1", bizToken: "STUCK-1")
            #expect(await harness.publisher.waitForRecords(1))
            #expect(await Poll.until { never.waitCount == 1 })
            group.cancelAll()
        }
        #expect(harness.outputEventIds == ["e0"])
        #expect(harness.partitions.committedOffsets[PipelineHarness.partition0] == 1)
        harness.feed.finish()
    }

    @Test(
        "events of a partition are called in offset order, so a drain leaves what it cut short at the end of each partition, never in a hole below a published result"
    )
    func drainLeavesNoHoles() async {
        // Paced at 10 calls/s on a manual clock: one call per slot of the grid, in the order the
        // limiter handed out turns. Three partitions, ten events each, all with distinct keys.
        let clock = ManualClock()
        let fetcher = FakeVerificationFetcher()
        let publisher = FakeRecordPublisher()
        let partitions = FakePartitionControl(partitionCount: 3)
        var configuration = PipelineHarness.fastConfiguration()
        configuration.rateLimit = RateLimiterConfiguration(groupBudget: 10)
        configuration.commitInterval = .seconds(3600)
        let pipeline = EnrichmentPipeline(
            configuration: configuration,
            fetcher: fetcher,
            publisher: publisher,
            partitions: partitions,
            md5: MD5.hex,
            clock: clock,
            // A wall clock on a whole second: no slot of the first epoch has passed, so no two calls
            // are let go at the same instant (their calls' order would be a race).
            wallClock: WallClock { UTCTimestamp(millisecondsSinceEpoch: 1_800_000_000_000) },
            random: { 0.5 },
            metricsFactory: TestMetrics(),
            logger: Logger(label: "pipeline-tests") { _ in SwiftLogNoOpLogHandler() }
        )
        let (input, feed) = AsyncStream<PipelineInput>.makeStream()
        var arrivalOrder: [String] = []
        for offset in 0..<10 {
            for partition in 0..<3 {
                let token = "PASS-\(partition)-\(offset)"
                arrivalOrder.append(token)
                let value = Fixtures.eventValue(eventId: "e-\(partition)-\(offset)", bizToken: token)
                feed.yield(.record(Fixtures.record(partition: Int32(partition), offset: Int64(offset), key: token, value: value)))
            }
        }
        let calledBeforeDrain = 10
        // The grid's slots of this epoch and the next few, as manual-clock instants: those that
        // already passed are spent at once (the API counts the whole second), the rest one by one.
        let schedule = pipeline.groupBudget.schedule
        let timeline = pipeline.groupBudget.timeline
        let start = timeline.nowWallNanos()
        let firstEpoch = schedule.epoch(atWall: start)
        let slotTimes = (firstEpoch..<firstEpoch + 12).flatMap { epoch in
            (0..<schedule.slots(in: epoch)).map { schedule.time(ofSlot: $0, in: epoch) }
        }
        let passed = slotTimes.filter { $0 <= start }.count
        let slots = slotTimes.filter { $0 > start }.map { timeline.instant(atWall: $0) }
        // After the drain starts, calls already waiting spend the slots of the next lead + 1 epochs.
        let grace = schedule.epochDuration * Int(BudgetSchedule.lead + 1)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pipeline.run(input: input) }
            // Every event waits for a slot or has spent a passed one; the limiter's loop and the
            // commit timer sleep on the clock.
            #expect(await Poll.until { fetcher.recordedCalls.count == passed })
            #expect(await Poll.until { pipeline.waitingForSlotCount == 30 - passed && clock.sleeperCount == 2 })
            var remaining = slots.makeIterator()
            while fetcher.recordedCalls.count < calledBeforeDrain, let slot = remaining.next() {
                let before = fetcher.recordedCalls.count
                clock.advance(by: clock.now.duration(to: slot))
                #expect(await Poll.until { fetcher.recordedCalls.count == before + 1 })
                #expect(await Poll.until { clock.sleeperCount == 2 })
            }
            #expect(await publisher.waitForRecords(calledBeforeDrain))
            pipeline.shutdown()
            // The grace timer and the drain timeout join the loop and the commit timer on the clock.
            #expect(await Poll.until { clock.sleeperCount == 4 })
            let graceEnds = clock.now.advanced(by: grace)
            // A slot at the grace's very end may or may not be spent (both fall due at once); the
            // checks below hold either way.
            while let slot = remaining.next(), slot < graceEnds {
                let before = fetcher.recordedCalls.count
                clock.advance(by: clock.now.duration(to: slot))
                #expect(await Poll.until { fetcher.recordedCalls.count == before + 1 })
                #expect(await Poll.until { clock.sleeperCount == 4 })
            }
            clock.advance(by: clock.now.duration(to: graceEnds))
            await group.waitForAll()
        }
        feed.finish()
        let calls = fetcher.recordedCalls.map(\.bizToken)
        #expect(calls.count > calledBeforeDrain, "the calls already waiting spent the granted slots")
        #expect(calls.count < 30, "what was left after the grace was abandoned")
        #expect(calls == Array(arrivalOrder.prefix(calls.count)))
        // Each partition is committed right after its last published offset (its tail was cut, never
        // a hole below a published result), so a restart redoes nothing.
        var expected: [PartitionID: Int64] = [:]
        for token in calls {
            let partition = Int32(token.split(separator: "-")[1]) ?? -1
            expected[PartitionID(topic: Fixtures.inputTopic, partition: partition), default: 0] += 1
        }
        #expect(partitions.committedOffsets == expected)
        #expect(publisher.records.count == calls.count)
    }

    @Test("RequestLimitExceeded answers cut the instance's rate and the events still get their results")
    func rateLimitedCutsRate() async {
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            if call.number == 1 {
                throw FetchFailure(kind: .rateLimited, code: "RequestLimitExceeded", message: "slow down")
            }
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher) {
            $0.rateLimit.groupBudget = 1000
            $0.rateLimit.adjustmentWindow = .seconds(3600)
        }
        await harness.run {
            for i in 0..<4 {
                harness.send(offset: Int64(i), key: "k\(i)", eventId: "e\(i)", bizToken: "PASS-\(i)")
            }
            #expect(await harness.publisher.waitForRecords(4))
        }
        #expect(harness.pipeline.currentRate == 500)
        #expect(harness.gauge(MetricNames.rateLimitShare) == 500)
        #expect(harness.counter(MetricNames.retries, [("reason", "rate_limited")]) == 4)
        #expect(harness.counter(MetricNames.apiCalls, [("code", "RequestLimitExceeded")]) == 4)
    }
}
