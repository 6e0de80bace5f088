import Enricher
import Foundation
import KafkaClient
import Pipeline
import Simulator
import TestSupport
import Testing

/// `/metrics`, `/healthz` and `/readyz` of a real run: the service over a backlog on Kafka and the
/// FaceID simulator, scraped over HTTP from the operations server the executable would start.
@Suite("Operability: metrics and health endpoints", .serialized)
struct OperabilityMetricsTests {
    /// Name → (Prometheus type, label names) of every metric the contract and issue 5 name.
    static let expectedFamilies: [String: (type: String, labels: Set<String>)] = [
        "faceid_enricher_consumer_lag": ("gauge", ["topic", "partition"]),
        MetricNames.events: ("counter", ["status"]),
        MetricNames.deadLetterEvents: ("counter", ["reason"]),
        MetricNames.apiCalls: ("counter", ["code"]),
        MetricNames.retries: ("counter", ["reason"]),
        MetricNames.inFlightEvents: ("gauge", []),
        MetricNames.rateLimitShare: ("gauge", []),
        MetricNames.rateDemand: ("gauge", []),
        MetricNames.rateGroupDemand: ("gauge", []),
        MetricNames.rateGroupMembers: ("gauge", []),
        MetricNames.rateCoordinationFallback: ("gauge", []),
        MetricNames.rateCoordinationRecordsIgnored: ("counter", ["reason"]),
        MetricNames.apiRequestDuration: ("histogram", []),
        MetricNames.endToEndLatency: ("histogram", []),
        MetricNames.rebalances: ("counter", []),
        MetricNames.commitFailures: ("counter", []),
        MetricNames.halted: ("gauge", []),
        "faceid_enricher_ready": ("gauge", []),
        "faceid_enricher_assigned_partitions": ("gauge", []),
        "faceid_enricher_unassigned_seconds": ("gauge", []),
    ]

    @Test(
        "a real run exposes every metric with its type, labels and values; readiness follows joining and halting",
        arguments: KafkaTestBackend.enabled
    )
    func scrapeOfARealRun(backend: KafkaTestBackend) async throws {
        try await backend.withCluster { cluster in
            let topics = OperabilityTopics("opsint-metrics")
            try await topics.create(on: cluster, partitions: 3)
            try await withSimulator(SimulatorConfiguration(secrets: OperabilityAccount.simulatorSecrets, rateLimit: 0))
            { simulator in
                try await RecordCollector.collecting([topics.output, topics.dlq], on: cluster) { collector in
                    try await withEnricher(
                        cluster: cluster,
                        simulator: simulator,
                        topics: topics,
                        beforeService: { enricher in
                            // A pod that has not joined its group yet is alive-or-not but never ready.
                            let ready = try await enricher.get("/readyz")
                            #expect(ready.status == 503)
                            #expect(ready.body.contains("not joined"))
                        }
                    ) { enricher in
                        try await checkJoinedAndHealthy(enricher)
                        var backlog = try await OperabilityBacklog.run(
                            tag: "m",
                            topics: topics,
                            cluster: cluster,
                            simulator: simulator,
                            collector: collector
                        )
                        #expect(backlog.statusCounts == OperabilityBacklog.expectedStatuses)
                        #expect(backlog.reasonCounts == OperabilityBacklog.expectedReasons)
                        try await checkScrape(enricher, backlog: backlog, cluster: cluster, simulator: simulator)
                        try await checkLagAndHalt(
                            enricher,
                            backlog: &backlog,
                            cluster: cluster,
                            simulator: simulator,
                            collector: collector
                        )
                    }
                }
            }
        }
    }

    /// `/healthz` 200 while the loop runs, `/readyz` 200 once the group is joined.
    func checkJoinedAndHealthy(_ enricher: EnricherUnderTest) async throws {
        let joined = await Poll.until(timeout: .seconds(30)) { enricher.health.current.isReady }
        #expect(joined, "the service never joined its group")
        #expect(try await enricher.get("/healthz").status == 200)
        let ready = try await enricher.get("/readyz")
        #expect(ready.status == 200)
        #expect(ready.body == "ready\n")
    }

    /// Every family present with its type and labels, and values that match what the run did.
    func checkScrape(
        _ enricher: EnricherUnderTest,
        backlog: OperabilityBacklog,
        cluster: KafkaTestCluster,
        simulator: FaceIDSimulator
    ) async throws {
        // The status reporter publishes lag and readiness once a second from statistics librdkafka
        // refreshes once a second, after commits every 500 ms: wait for a pass over the finished,
        // fully committed backlog.
        func settled(_ scrape: PrometheusScrape) -> Bool {
            let lag = scrape.samples("faceid_enricher_consumer_lag")
            return lag.count == 3 && lag.allSatisfy { $0.value == 0 } && scrape.value("faceid_enricher_ready") == 1
        }
        var scrape = try await enricher.scrape()
        for _ in 0..<50 where !settled(scrape) {
            try await Task.sleep(for: .milliseconds(200))
            scrape = try await enricher.scrape()
        }
        #expect(
            settled(scrape),
            "lag did not settle at 0 on all three partitions: \(scrape.samples("faceid_enricher_consumer_lag"))"
        )

        for (name, expected) in Self.expectedFamilies {
            #expect(scrape.types[name] == expected.type, "\(name): TYPE \(scrape.types[name] ?? "missing")")
            let sampleName = expected.type == "histogram" ? name + "_bucket" : name
            let labels = scrape.labelNames(sampleName).subtracting(expected.type == "histogram" ? ["le"] : [])
            #expect(labels == expected.labels, "\(name): labels \(labels.sorted())")
            #expect(!scrape.samples(sampleName).isEmpty, "\(name): no sample")
            // Prometheus conventions: counters end in _total, nothing else does; units in names.
            #expect(name.hasSuffix("_total") == (expected.type == "counter"), "\(name)")
            #expect(name.hasPrefix("faceid_enricher_"))
        }
        let ours = Set(scrape.types.keys.filter { $0.hasPrefix("faceid_enricher_") })
        #expect(
            ours == Set(Self.expectedFamilies.keys),
            "unexpected families: \(ours.subtracting(Self.expectedFamilies.keys).sorted())"
        )

        for (status, count) in OperabilityBacklog.expectedStatuses {
            #expect(
                scrape.value(MetricNames.events, ["status": status]) == Double(count),
                "events_total{status=\(status)}"
            )
        }
        for (reason, count) in OperabilityBacklog.expectedReasons {
            #expect(
                scrape.value(MetricNames.deadLetterEvents, ["reason": reason]) == Double(count),
                "dlq_events_total{reason=\(reason)}"
            )
        }

        // API calls by code add up to what the simulator answered.
        let counters = simulator.counters
        #expect(scrape.sum(MetricNames.apiCalls) == Double(counters.totalRequests))
        #expect(scrape.value(MetricNames.apiCalls, ["code": "ok"]) ?? 0 >= 5)
        #expect(scrape.value(MetricNames.apiCalls, ["code": "pending"]) ?? 0 >= 2)
        #expect(scrape.value(MetricNames.apiCalls, ["code": "InvalidParameterValue.BizTokenExpired"]) == 1)
        #expect(scrape.value(MetricNames.apiCalls, ["code": "InvalidParameterValue.BizTokenIllegal"]) == 1)
        #expect(
            scrape.value(MetricNames.apiCalls, ["code": "InternalError"]) == Double(counters.count(of: "InternalError"))
        )
        #expect(scrape.value(MetricNames.retries, ["reason": "retryable"]) ?? 0 >= 1)
        #expect(scrape.value(MetricNames.retries, ["reason": "pending"]) ?? 0 >= 2)

        #expect(scrape.value(MetricNames.inFlightEvents) == 0)
        #expect(scrape.value(MetricNames.rateLimitShare) == 50, "the only member takes the whole group budget")
        #expect(scrape.value(MetricNames.rateCoordinationFallback) == 0, "the member coordinates on its group's topic")
        #expect(scrape.value(MetricNames.rateGroupMembers) == 1, "its view holds itself only")
        for reason in BudgetRecord.Rejection.allReasons {
            #expect(
                scrape.value(MetricNames.rateCoordinationRecordsIgnored, ["reason": reason]) == 0,
                "records_ignored_total{reason=\(reason)} is exposed at 0"
            )
        }
        #expect(scrape.value(MetricNames.halted) == 0)
        #expect(scrape.value("faceid_enricher_ready") == 1)
        #expect(scrape.value(MetricNames.rebalances) ?? 0 >= 1)
        #expect(scrape.value(MetricNames.commitFailures) == 0)
        #expect(scrape.value("faceid_enricher_assigned_partitions") == 3, "the only member holds all 3 partitions")
        #expect(scrape.value("faceid_enricher_unassigned_seconds") == 0)

        // Histograms in seconds (base unit) with buckets fit for their range.
        let apiCount = scrape.value(MetricNames.apiRequestDuration + "_count") ?? 0
        #expect(apiCount == Double(counters.totalRequests))
        let apiSum = scrape.value(MetricNames.apiRequestDuration + "_sum") ?? .infinity
        #expect(apiSum > 0 && apiSum / max(apiCount, 1) < 1, "loopback calls take milliseconds: the sum is in seconds")
        #expect(
            scrape.bucketBounds(MetricNames.apiRequestDuration)
                == OperationsMetrics.apiRequestDurationBuckets.map(\.seconds)
        )
        #expect(scrape.value(MetricNames.apiRequestDuration + "_bucket", ["le": "+Inf"]) == apiCount)
        let endToEndCount = scrape.value(MetricNames.endToEndLatency + "_count") ?? 0
        #expect(endToEndCount == Double(backlog.outputs.count), "one observation per output event")
        let endToEndSum = scrape.value(MetricNames.endToEndLatency + "_sum") ?? .infinity
        #expect(endToEndSum > 0 && endToEndSum / max(endToEndCount, 1) < 60)
        #expect(
            scrape.bucketBounds(MetricNames.endToEndLatency) == OperationsMetrics.endToEndLatencyBuckets.map(\.seconds)
        )

        // Lag is per assigned partition of the input topic; 0 agrees with Kafka: everything produced is committed.
        let committed = try await cluster.committedOffsets(
            group: enricher.topics.group,
            topic: enricher.topics.input,
            partitions: 3
        )
        let high = backlog.highWatermarks(topic: enricher.topics.input)
        for partition in Int32(0)..<3 {
            let lag = scrape.value(
                "faceid_enricher_consumer_lag",
                ["topic": enricher.topics.input, "partition": "\(partition)"]
            )
            #expect(lag == Double((high[partition] ?? 0) - (committed[partition] ?? 0)), "partition \(partition)")
        }

        Attachment.record(scrape.text, named: "metrics.txt")
        try checkDeployAgainst(scrape)
    }

    /// deploy/'s alerts and dashboard use only metrics and labels this scrape has, and the
    /// contract table check_deploy.py holds matches it (`check_deploy.py --metrics-scrape`).
    func checkDeployAgainst(_ scrape: PrometheusScrape) throws {
        guard OperabilitySchemaTests.hasPython(modules: ["yaml"]) else {
            print("skipped check_deploy.py --metrics-scrape: python3 with PyYAML is missing")
            return
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "opsint-metrics-\(UUID().uuidString).txt"
        )
        try scrape.text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = OperabilitySchemaTests.repositoryRoot.appendingPathComponent("Tests/deploy/check_deploy.py").path
        let result = try OperabilitySchemaTests.runProcess(
            "/usr/bin/env",
            ["python3", script, "--metrics-scrape", file.path]
        )
        #expect(result.status == 0, "check_deploy.py --metrics-scrape: \(result.output)")
    }

    /// Halting holds events: lag grows by exactly the held events on the partitions they are on
    /// and equals high watermark − committed offset from the Kafka layer; `/readyz` answers 503
    /// naming the code and the gauges flip; once the cause is fixed everything drains to lag 0.
    func checkLagAndHalt(
        _ enricher: EnricherUnderTest,
        backlog: inout OperabilityBacklog,
        cluster: KafkaTestCluster,
        simulator: FaceIDSimulator,
        collector: RecordCollector
    ) async throws {
        let topics = enricher.topics
        simulator.setFaultProbability(1.0, for: .inArrears)
        let held = (0..<4).map { OperabilityInput.event("PASS-held-\($0)", eventId: "held-\($0)") }
        backlog.deliveries += try await produce(held, to: topics.input, on: cluster)

        let halted = await Poll.until(timeout: .seconds(20)) { enricher.health.current.haltingCode != nil }
        #expect(halted, "in-arrears answers never halted the service")
        let notReady = try await enricher.get("/readyz")
        #expect(notReady.status == 503)
        #expect(notReady.body.contains("ResourceUnavailable.InArrears"))
        #expect(
            try await enricher.get("/healthz").status == 200,
            "a halted instance is alive: restarting it fixes nothing"
        )

        let high = backlog.highWatermarks(topic: topics.input)
        var agreed = false
        var last = ""
        for _ in 0..<60 where !agreed {
            let scrape = try await enricher.scrape()
            let committed = try await cluster.committedOffsets(group: topics.group, topic: topics.input, partitions: 3)
            var fromKafka: [Int32: Double] = [:]
            var scraped: [Int32: Double] = [:]
            for partition in Int32(0)..<3 {
                fromKafka[partition] = Double((high[partition] ?? 0) - (committed[partition] ?? 0))
                scraped[partition] = scrape.value(
                    "faceid_enricher_consumer_lag",
                    ["topic": topics.input, "partition": "\(partition)"]
                )
            }
            last =
                "scraped \(scraped.sorted { $0.key < $1.key }), high − committed \(fromKafka.sorted { $0.key < $1.key })"
            agreed =
                scraped == fromKafka && fromKafka.values.reduce(0, +) == Double(held.count)
                && scrape.value(MetricNames.halted) == 1 && scrape.value("faceid_enricher_ready") == 0
            if !agreed { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(agreed, "lag while halted: \(last)")

        simulator.clearFaults()
        let drained = await collector.waitFor(backlog.outputs.count + held.count, on: topics.output)
        #expect(drained, "held events were not enriched after the cause was fixed")
        var recovered = false
        for _ in 0..<60 where !recovered {
            let scrape = try await enricher.scrape()
            recovered =
                scrape.samples("faceid_enricher_consumer_lag").allSatisfy { $0.value == 0 }
                && scrape.value(MetricNames.halted) == 0 && scrape.value("faceid_enricher_ready") == 1
            if !recovered { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(recovered, "lag, halted and ready did not recover")
        #expect(try await enricher.get("/readyz").status == 200)
    }
}

extension Duration {
    /// The duration in seconds, as Prometheus writes bucket bounds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
