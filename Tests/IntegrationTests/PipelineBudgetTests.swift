import Enricher
import KafkaClient
import Logging
import Pipeline
import Prometheus
import Simulator
import Synchronization
import TestSupport
import Testing

/// One instance's own Prometheus registry, scraped in-process.
struct InstanceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    var factory: PrometheusMetricsFactory { OperationsMetrics.makeFactory(registry: registry) }

    func scrape() -> PrometheusScrape {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return PrometheusScrape(parsing: String(decoding: buffer, as: UTF8.self))
    }

    func value(_ name: String) -> Double? { scrape().value(name) }
}

extension PipelineEndToEndTests {
    /// The group budget end to end: members share it by demand through the coordination topic, and fall
    /// back to the partition share when they cannot — never above the budget.
    @Suite("Pipeline end to end: group budget")
    struct PipelineBudgetTests {
        static let budget = 20.0

        /// Instance options at the group budget, with a registry and a log recorder to watch them by.
        static func observedOptions(_ label: String) -> (EnricherInstanceOptions, InstanceMetrics, LogRecorder) {
            let logs = LogRecorder()
            let metrics = InstanceMetrics()
            var options = EnricherInstanceOptions()
            options.rateLimit = budget
            options.metricsFactory = metrics.factory
            options.logger = logs.logger(label: label)
            return (options, metrics, logs)
        }

        /// Grants seen while polling two instances' metrics, pairwise at each poll.
        final class GrantLog: Sendable {
            private let polls = Mutex<[(Double, Double)]>([])
            func append(_ pair: (Double, Double)) { polls.withLock { $0.append(pair) } }
            var values: [(Double, Double)] { polls.withLock { $0 } }
        }

        @Test(
            "a skewed backlog drains at the full budget: the member with the work is granted what the idle member does not need",
            arguments: KafkaTestBackend.enabled
        )
        func skewedBacklogUsesTheWholeBudget(backend: KafkaTestBackend) async throws {
            let simulator = SimulatorConfiguration(rateLimit: Int(Self.budget), latency: .milliseconds(30), jitter: .milliseconds(20))
            try await withEndToEnd(backend: backend, inputPartitions: 4, simulator: simulator) { e2e in
                // With the range assignor one member holds partitions 0 and 1, the other 2 and 3: all the
                // work is the first member's.
                let events = (0..<240).map { index in TestInputEvent.scripted("PASS", onPartition: Int32(index % 2), of: 4) }
                let ids = events.map(\.eventId)
                let metrics = [InstanceMetrics(), InstanceMetrics()]
                let grants = GrantLog()
                let snapshot = try await e2e.withFleet(instances: 0) { fleet in
                    for instance in metrics {
                        var options = EnricherInstanceOptions()
                        options.rateLimit = Self.budget
                        options.metricsFactory = instance.factory
                        fleet.start(options)
                    }
                    #expect(await fleet.waitUntilReady(timeout: .seconds(40)), "both members joined")
                    try await e2e.producer.sendConcurrently(events)
                    return try await e2e.withReader { reader in
                        let watch = Task {
                            // An unstructured poll only so it can run beside the reader's wait; bounded by it.
                            while !Task.isCancelled {
                                let a = metrics[0].value(MetricNames.rateLimitShare) ?? 0
                                let b = metrics[1].value(MetricNames.rateLimitShare) ?? 0
                                grants.append((a, b))
                                try? await Task.sleep(for: .milliseconds(200))
                            }
                        }
                        let snapshot = await reader.waitForOutputs(ids, timeout: .seconds(120))
                        watch.cancel()
                        _ = await watch.value
                        return snapshot
                    }
                }
                let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")
                let counters = e2e.simulator.counters
                #expect(counters.rateLimited == 0, "RequestLimitExceeded answers: \(counters.rateLimited)")
                #expect(counters.peakRequestsPerSecond <= Int(Self.budget), "busiest wall-clock second: \(counters.peakRequestsPerSecond)")
                // The partition share would cap each member at 10/s; sharing by demand gives the busy one
                // nearly everything while the idle one holds nothing.
                let lopsided = grants.values.filter { max($0.0, $0.1) >= 0.9 * Self.budget && min($0.0, $0.1) <= 0.1 * Self.budget }
                #expect(!lopsided.isEmpty, "grants seen: \(grants.values.suffix(40))")
            }
        }

        @Test(
            "a coordination topic that cannot be used makes every member take its partition share, say so, and stay within the budget",
            arguments: KafkaTestBackend.enabled
        )
        func unusableTopicFallsBackToThePartitionShare(backend: KafkaTestBackend) async throws {
            let simulator = SimulatorConfiguration(rateLimit: Int(Self.budget), latency: .milliseconds(30), jitter: .milliseconds(20))
            try await withEndToEnd(backend: backend, inputPartitions: 4, simulator: simulator) { e2e in
                let group = KafkaTestCluster.uniqueName("budget-fallback")
                // A topic of the right name with two partitions: members must not trust it.
                try await e2e.cluster.createTopic(EnricherConfiguration.defaultCoordinationTopic(group: group), partitions: 2)
                let events = (0..<120).map { _ in TestInputEvent.scripted("PASS") }
                let ids = events.map(\.eventId)
                let (options, metrics, logs) = Self.observedOptions("budget-fallback")
                let snapshot = try await e2e.withFleet(instances: 2, group: group, options: options) { fleet in
                    #expect(await fleet.waitUntilReady(timeout: .seconds(40)))
                    try await e2e.producer.sendConcurrently(events)
                    return try await e2e.withReader { reader in await reader.waitForOutputs(ids, timeout: .seconds(120)) }
                }
                #expect(DeliveryAudit(eventIds: ids, snapshot: snapshot).isComplete)
                let counters = e2e.simulator.counters
                #expect(counters.rateLimited == 0)
                #expect(counters.peakRequestsPerSecond <= Int(Self.budget), "busiest wall-clock second: \(counters.peakRequestsPerSecond)")
                #expect(metrics.value(MetricNames.rateCoordinationFallback) == 1)
                #expect(logs.recorded.contains { $0.contains("Rate coordination unavailable") && $0.contains("must have exactly 1") })
            }
        }

        @Test(
            "a coordination topic that goes away mid-run: members fall back without going over, then coordinate again",
            .enabled(if: KafkaTestBackend.isMockEnabled, "the mock cluster takes the topic's leader away")
        )
        func lostTopicFallsBackAndRecovers() async throws {
            let simulator = SimulatorConfiguration(rateLimit: Int(Self.budget), latency: .milliseconds(30), jitter: .milliseconds(20))
            try await withEndToEnd(backend: .mock, inputPartitions: 4, simulator: simulator) { e2e in
                let group = KafkaTestCluster.uniqueName("budget-lost")
                let topic = EnricherConfiguration.defaultCoordinationTopic(group: group)
                let events = (0..<300).map { _ in TestInputEvent.scripted("PASS") }
                let ids = events.map(\.eventId)
                let (options, metrics, logs) = Self.observedOptions("budget-lost")
                let snapshot = try await e2e.withFleet(instances: 1, group: group, options: options) { fleet in
                    #expect(await fleet.waitUntilReady(timeout: .seconds(40)))
                    #expect(await Poll.until(timeout: .seconds(30)) { metrics.value(MetricNames.rateCoordinationFallback) == 0 })
                    try await e2e.producer.sendConcurrently(events)
                    return try await e2e.withReader { reader in
                        _ = await reader.waitUntil(timeout: .seconds(60)) { $0.outputEventIds.count >= 40 }
                        // The topic's partition loses its leader: nothing can be written or read there.
                        try e2e.cluster.mock?.setPartitionLeader(topic, partition: 0, broker: -1)
                        #expect(await Poll.until(timeout: .seconds(30)) { metrics.value(MetricNames.rateCoordinationFallback) == 1 })
                        let during = reader.snapshot.outputEventIds.count
                        _ = await reader.waitUntil(timeout: .seconds(60)) { $0.outputEventIds.count >= during + 40 }
                        #expect(reader.snapshot.outputEventIds.count >= during + 40, "enrichment goes on while coordination is down")
                        try e2e.cluster.mock?.setPartitionLeader(topic, partition: 0, broker: 1)
                        #expect(await Poll.until(timeout: .seconds(60)) { metrics.value(MetricNames.rateCoordinationFallback) == 0 })
                        return await reader.waitForOutputs(ids, timeout: .seconds(120))
                    }
                }
                #expect(DeliveryAudit(eventIds: ids, snapshot: snapshot).isComplete)
                let counters = e2e.simulator.counters
                #expect(counters.rateLimited == 0)
                #expect(counters.peakRequestsPerSecond <= Int(Self.budget), "busiest wall-clock second: \(counters.peakRequestsPerSecond)")
                #expect(logs.recorded.contains { $0.contains("Rate coordination unavailable") })
                #expect(logs.recorded.filter { $0.contains("Rate coordination started") }.count >= 2)
            }
        }

        @Test("coordination records that are malformed, of an unknown version or from the future are ignored with a warning", arguments: KafkaTestBackend.enabled)
        func untrustedRecordsAreIgnored(backend: KafkaTestBackend) async throws {
            let simulator = SimulatorConfiguration(rateLimit: Int(Self.budget))
            try await withEndToEnd(backend: backend, inputPartitions: 2, simulator: simulator) { e2e in
                let group = KafkaTestCluster.uniqueName("budget-bad")
                let topic = EnricherConfiguration.defaultCoordinationTopic(group: group)
                let (options, metrics, logs) = Self.observedOptions("budget-bad")
                let events = (0..<40).map { _ in TestInputEvent.scripted("PASS") }
                let ids = events.map(\.eventId)
                let snapshot = try await e2e.withFleet(instances: 1, group: group, options: options) { fleet in
                    #expect(await fleet.waitUntilReady(timeout: .seconds(40)))
                    #expect(await Poll.until(timeout: .seconds(30)) { metrics.value(MetricNames.rateCoordinationFallback) == 0 })
                    let intruder = try KafkaProducer(configuration: e2e.cluster.producerConfiguration(), logger: e2e.cluster.logger)
                    let now = WallClock.system.now().millisecondsSinceEpoch * 1_000_000
                    let soon = BudgetSchedule(groupBudget: Self.budget).epoch(atWall: now) + 1000
                    let future = BudgetRecord(
                        group: group, topic: e2e.topics.input, member: "from-the-future", epoch: soon,
                        demand: 1000, grant: 0, claims: [0, 1], partitions: 2, sentAtMillis: 0
                    )
                    let bad: [[UInt8]] = [
                        Array("not json".utf8),
                        Array(#"{"v":2,"group":"x"}"#.utf8),
                        future.encoded,
                        Array(#"{"v":1,"group":"\#(group)","topic":"\#(e2e.topics.input)","member":"m","epoch":"soon","demand":1,"grant":0,"claims":[],"partitions":2,"sentAt":1}"#.utf8),
                    ]
                    for value in bad { _ = try await intruder.send(topic: topic, key: nil, value: value) }
                    await intruder.shutdown(timeout: .seconds(5))
                    try await e2e.producer.sendConcurrently(events)
                    return try await e2e.withReader { reader in await reader.waitForOutputs(ids, timeout: .seconds(90)) }
                }
                #expect(DeliveryAudit(eventIds: ids, snapshot: snapshot).isComplete)
                let scrape = metrics.scrape()
                for reason in ["malformed", "unknown_version", "future"] {
                    #expect(scrape.value(MetricNames.rateCoordinationRecordsIgnored, ["reason": reason]) ?? 0 >= 1, "\(reason)")
                }
                #expect(scrape.value(MetricNames.rateCoordinationRecordsIgnored, ["reason": "malformed"]) == 2)
                #expect(logs.recorded.contains { $0.hasPrefix("warning Coordination record ignored") })
                #expect(metrics.value(MetricNames.rateCoordinationFallback) == 0, "bad records do not stop coordination")
                #expect(e2e.simulator.counters.rateLimited == 0)
            }
        }

        @Test(
            "a broker slow to acknowledge coordination writes does not cost a member its place in the next epochs' views",
            .enabled(if: KafkaTestBackend.isMockEnabled, "the mock cluster delays a broker's answers")
        )
        func lateAcknowledgementsSkipNoEpoch() async throws {
            try await withEndToEnd(backend: .mock, inputPartitions: 2, simulator: SimulatorConfiguration()) { e2e in
                let group = KafkaTestCluster.uniqueName("budget-slow-ack")
                let topic = EnricherConfiguration.defaultCoordinationTopic(group: group)
                let mock = try #require(e2e.cluster.mock)
                try mock.createTopic(topic, partitions: 1)
                try mock.setPartitionLeader(topic, partition: 0, broker: 1)
                let (options, metrics, _) = Self.observedOptions("budget-slow-ack")
                let members = try await e2e.withFleet(instances: 1, group: group, options: options) { fleet in
                    #expect(await fleet.waitUntilReady(timeout: .seconds(40)))
                    #expect(
                        await Poll.until(timeout: .seconds(30)) {
                            metrics.value(MetricNames.rateCoordinationFallback) == 0
                                && metrics.value(MetricNames.rateGroupMembers) == 1
                        }
                    )
                    // An idle member's only produce requests are its coordination writes, one per half-second
                    // epoch: the next six are acknowledged 700 ms late, past the next epoch's start and within
                    // the write's 1.5 s timeout. Awaited in turn, each late one cost the next epoch its record.
                    try mock.delayResponses(broker: 1, apiKey: .produce, count: 6, by: .milliseconds(700))
                    // Before the fix the gauge read 0 from about the second late write to the end of the window.
                    var members: [Double] = []
                    for _ in 0..<12 {
                        try await Task.sleep(for: .milliseconds(250))
                        members.append(metrics.value(MetricNames.rateGroupMembers) ?? -1)
                    }
                    return members
                }
                #expect(members.allSatisfy { $0 == 1 }, "group members, every 250 ms: \(members)")
                #expect(metrics.value(MetricNames.rateCoordinationFallback) == 0)
            }
        }
    }
}
