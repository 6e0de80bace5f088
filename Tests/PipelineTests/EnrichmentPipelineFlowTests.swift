import EnricherJSON
import Pipeline
import Synchronization
import Testing
import TestSupport

/// A switch a fetch script reads, flipped by the test.
final class Switch: Sendable {
    private let value = Mutex(false)
    func turnOn() { value.withLock { $0 = true } }
    var isOn: Bool { value.withLock { $0 } }
}

@Suite("The engine orders, limits, commits, halts, rebalances and drains as the contract says")
struct EnrichmentPipelineFlowTests {
    @Test("a retried event does not hold up other keys, and the commit stays below it until it is done")
    func retriedEventDoesNotBlockOtherKeys() async {
        let recovered = Switch()
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            if call.bizToken == "SLOW-0", !recovered.isOn { throw .resourceUnavailable }
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher)
        await harness.run {
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "SLOW-0")
            harness.send(offset: 1, key: "b", eventId: "e1", bizToken: "PASS-1")
            harness.send(offset: 2, key: "c", eventId: "e2", bizToken: "PASS-2")
            #expect(await harness.publisher.waitForRecords(2))
            #expect(Set(harness.outputEventIds) == ["e1", "e2"])
            #expect(await Poll.until { harness.fetcher.callCount(for: "SLOW-0") >= 3 })
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 0))
            #expect(harness.partitions.storeHistory.allSatisfy { $0[PipelineHarness.partition0] == 0 })
            recovered.turnOn()
            #expect(await harness.publisher.waitForRecords(3))
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 3))
        }
        #expect(harness.outputEventIds.last == "e0")
    }

    @Test("events with the same key are published in offset order even when answers arrive out of order")
    func sameKeyInOrder() async {
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            // Earlier tokens answer more slowly, so without ordering later ones would overtake.
            let index = Int(call.bizToken.split(separator: "-").last ?? "") ?? 0
            try? await Task.sleep(for: .milliseconds(10 - index))
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher)
        await harness.run {
            for i in 0..<10 {
                harness.send(
                    offset: Int64(i),
                    key: i % 2 == 0 ? "even" : "odd",
                    eventId: "e\(i)",
                    bizToken: "PASS-\(i)"
                )
            }
            #expect(await harness.publisher.waitForRecords(10))
        }
        let ids = harness.outputEventIds
        #expect(ids.filter { ["e0", "e2", "e4", "e6", "e8"].contains($0) } == ["e0", "e2", "e4", "e6", "e8"])
        #expect(ids.filter { ["e1", "e3", "e5", "e7", "e9"].contains($0) } == ["e1", "e3", "e5", "e7", "e9"])
        #expect(harness.fetcher.recordedCalls.count == 10)
    }

    @Test("reaching max-in-flight pauses the input partitions and going below resumes them")
    func inFlightLimitPausesAndResumes() async {
        let gate = AsyncGate()
        let fetcher = FakeVerificationFetcher { _ throws(FetchFailure) in
            await gate.wait()
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher) { $0.maxInFlight = 3 }
        await harness.run {
            harness.feed.yield(.assigned([PipelineHarness.partition0, PipelineHarness.partition1]))
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "PASS-0")
            harness.send(offset: 1, key: "b", eventId: "e1", bizToken: "PASS-1")
            #expect(await Poll.until { gate.waitCount == 2 })
            #expect(harness.partitions.pausedPartitions.isEmpty)
            harness.send(offset: 2, key: "c", eventId: "e2", bizToken: "PASS-2")
            #expect(await Poll.until { harness.partitions.pausedPartitions.count == 2 })
            #expect(harness.gauge(MetricNames.inFlightEvents) == 3)
            // A partition assigned while paused starts paused.
            let partition2 = PartitionID(topic: PipelineHarness.inputTopic, partition: 2)
            harness.feed.yield(.assigned([partition2]))
            #expect(await Poll.until { harness.partitions.pausedPartitions.contains(partition2) })
            gate.open()
            #expect(await harness.publisher.waitForRecords(3))
            #expect(await Poll.until { harness.partitions.pausedPartitions.isEmpty })
            #expect(harness.partitions.pauseResumeCalls.resumes >= 1)
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 3))
        }
        #expect(harness.gauge(MetricNames.inFlightEvents) == 0)
    }

    @Test("a halting error holds the event, commits nothing past it, reports halted, and clears by itself once fixed")
    func haltingErrorHoldsAndRecovers() async {
        let fetcher = FakeVerificationFetcher { _ throws(FetchFailure) in throw .authFailure }
        let harness = PipelineHarness(fetcher: fetcher)
        await harness.run {
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "PASS-0")
            #expect(await Poll.until { harness.pipeline.isHalted })
            #expect(
                harness.pipeline.health == PipelineHealth(isHalted: true, haltingCode: "AuthFailure.SecretIdNotFound")
            )
            #expect(harness.gauge(MetricNames.halted) == 1)
            #expect(await Poll.until { harness.fetcher.callCount(for: "PASS-0") >= 3 })
            #expect(harness.publisher.records.isEmpty)
            #expect(harness.partitions.committedOffsets[PipelineHarness.partition0] ?? 0 == 0)

            harness.fetcher.setScript { _ throws(FetchFailure) in FakeVerificationFetcher.passed() }
            #expect(await harness.publisher.waitForRecords(1))
            #expect(await Poll.until { !harness.pipeline.isHalted })
            #expect(harness.pipeline.health == PipelineHealth(isHalted: false, haltingCode: nil))
            #expect(harness.gauge(MetricNames.halted) == 0)
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 1))
        }
        #expect(harness.deadLetters.isEmpty)
        #expect(harness.outputs.first?["data"]?["status"] == "passed")
        #expect(
            harness.healthChanges.values == [
                PipelineHealth(isHalted: true, haltingCode: "AuthFailure.SecretIdNotFound"),
                PipelineHealth(isHalted: false, haltingCode: nil),
            ]
        )
        #expect(harness.counter(MetricNames.retries, [("reason", "halting")]) >= 2)
    }

    @Test("a halting error is never given up, however long it lasts")
    func haltingNeverGivesUp() async {
        let fetcher = FakeVerificationFetcher { _ throws(FetchFailure) in throw .authFailure }
        let harness = PipelineHarness(fetcher: fetcher) { $0.retry.maxElapsed = .milliseconds(5) }
        await harness.run {
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "PASS-0")
            #expect(await Poll.until { harness.fetcher.callCount(for: "PASS-0") >= 6 })
            #expect(harness.publisher.records.isEmpty)
            #expect(harness.pipeline.isHalted)
        }
        #expect(harness.publisher.records.isEmpty)
    }

    @Test("revoking a partition drops its in-flight and queued work and leaves other partitions running")
    func revokeDropsWork() async {
        let gate = AsyncGate()
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            if call.bizToken.hasPrefix("HOLD") { await gate.wait() }
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher)
        await harness.run {
            harness.feed.yield(.assigned([PipelineHarness.partition0, PipelineHarness.partition1]))
            harness.send(partition: 1, offset: 0, key: "a", eventId: "p1-0", bizToken: "HOLD-0")
            harness.send(partition: 1, offset: 1, key: "a", eventId: "p1-1", bizToken: "PASS-queued")
            #expect(await Poll.until { gate.waitCount == 1 })
            #expect(harness.pipeline.inFlightCount == 2)
            harness.feed.yield(.revoked([PipelineHarness.partition1]))
            #expect(await Poll.until { harness.pipeline.inFlightCount == 0 })
            gate.open()
            harness.send(partition: 0, offset: 0, key: "a", eventId: "p0-0", bizToken: "PASS-0")
            #expect(await harness.publisher.waitForRecords(1))
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 1))
        }
        #expect(harness.outputEventIds == ["p0-0"])
        #expect(harness.fetcher.callCount(for: "PASS-queued") == 0)
        #expect((harness.partitions.committedOffsets[PipelineHarness.partition1] ?? 0) == 0)
        #expect(harness.counter(MetricNames.rebalances) == 2)
    }

    @Test("an event that joined a revoked partition's call asks again itself instead of being dropped")
    func joinedCallOfRevokedPartition() async {
        // Half a request per second: the second call waits two seconds for its turn, long enough
        // to revoke its partition while another event has joined it.
        let harness = PipelineHarness { $0.rateLimit.groupBudget = 0.5 }
        await harness.run {
            harness.feed.yield(.assigned([PipelineHarness.partition0, PipelineHarness.partition1]))
            harness.send(partition: 0, offset: 0, key: "a", eventId: "first", bizToken: "PASS-first")
            #expect(await harness.publisher.waitForRecords(1))
            harness.send(partition: 1, offset: 0, key: "b", eventId: "revoked", bizToken: "PASS-shared")
            #expect(await Poll.until { harness.pipeline.fetchesInFlightCount == 1 })
            harness.send(partition: 0, offset: 1, key: "c", eventId: "kept", bizToken: "PASS-shared")
            #expect(await Poll.until { harness.pipeline.joiningFetchCount == 1 })
            #expect(harness.fetcher.callCount(for: "PASS-shared") == 0)
            harness.feed.yield(.revoked([PipelineHarness.partition1]))
            #expect(await harness.publisher.waitForRecords(2))
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 2))
        }
        #expect(harness.outputEventIds == ["first", "kept"])
        #expect(harness.fetcher.callCount(for: "PASS-shared") == 1)
    }

    @Test("the rate share follows the assignment: budget × assigned / total partitions")
    func rateShareOnRebalance() async {
        let harness = PipelineHarness(partitionCount: 4) { $0.rateLimit.groupBudget = 20 }
        await harness.run {
            harness.feed.yield(.assigned([PipelineHarness.partition0]))
            #expect(await Poll.until { harness.pipeline.currentRate == 5 })
            harness.feed.yield(.assigned([PipelineHarness.partition1]))
            #expect(await Poll.until { harness.pipeline.currentRate == 10 })
            harness.feed.yield(.revoked([PipelineHarness.partition0]))
            #expect(await Poll.until { harness.pipeline.currentRate == 5 })
        }
        #expect(harness.gauge(MetricNames.rateLimitShare) == 5)
    }

    @Test("a failed commit is counted and the progress is committed with the next batch")
    func commitFailureRetried() async {
        let harness = PipelineHarness()
        harness.partitions.failNextCommits(1)
        await harness.run {
            harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "PASS-0")
            #expect(await harness.waitForCommit(PipelineHarness.partition0, 1))
        }
        #expect(harness.counter(MetricNames.commitFailures) == 1)
        #expect(harness.pipeline.statistics.commitFailures == 1)
    }

    @Test("shutdown lets an in-flight fetch finish and publish, abandons waiting work, commits, and returns")
    func shutdownDrains() async {
        let gate = AsyncGate()
        let fetcher = FakeVerificationFetcher { call throws(FetchFailure) in
            if call.bizToken.hasPrefix("HOLD") { await gate.wait() }
            if call.bizToken.hasPrefix("PENDX") { return FakeVerificationFetcher.pending() }
            return FakeVerificationFetcher.passed()
        }
        let harness = PipelineHarness(fetcher: fetcher) {
            $0.retry.pendingInitialDelay = .seconds(600)
            $0.retry.pendingMaximumDelay = .seconds(600)
            $0.retry.pendingMaxElapsed = .seconds(3600)
        }
        async let running: Void = harness.pipeline.run(input: harness.input)
        harness.send(offset: 0, key: "a", eventId: "e0", bizToken: "HOLD-0")
        harness.send(offset: 1, key: "b", eventId: "e1", bizToken: "PENDX-1")
        #expect(await Poll.until { gate.waitCount == 1 && harness.fetcher.callCount(for: "PENDX-1") == 1 })
        harness.pipeline.shutdown()
        harness.send(offset: 2, key: "c", eventId: "e2", bizToken: "PASS-2")
        gate.open()
        await running
        #expect(harness.outputEventIds == ["e0"])
        #expect(harness.partitions.committedOffsets[PipelineHarness.partition0] == 1)
        #expect(harness.fetcher.callCount(for: "PASS-2") == 0)
        #expect(harness.fetcher.callCount(for: "PENDX-1") == 1)
        harness.feed.finish()
    }
}
