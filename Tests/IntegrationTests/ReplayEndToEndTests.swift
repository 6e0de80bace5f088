import Enricher
import KafkaClient
import Simulator
import TestSupport
import Testing

/// `faceid-enricher replay` end to end: events dead-lettered as `retries_exhausted` while the API
/// failed are re-published to the input topic once it is healthy again, and the running service
/// enriches them; `--reason` picks what is replayed; a second replay replays nothing new.
@Suite("Replay: DLQ → input → enriched", .serialized)
struct ReplayEndToEndTests {
    /// The setup both tests share: the service running against a simulator that answers
    /// `InternalError` to everything, `events` produced plus one malformed event, and all of them
    /// dead-lettered; then the fault is fixed and `body` replays.
    static func withDeadLetteredEvents<T: Sendable>(
        _ tag: String,
        count: Int,
        backend: KafkaTestBackend,
        _ body: (KafkaTestCluster, OperabilityTopics, [TestInputEvent], RecordCollector) async throws -> T
    ) async throws -> T {
        try await backend.withCluster { cluster in
            let topics = OperabilityTopics("opsint-\(tag)")
            try await topics.create(on: cluster, partitions: 2)
            let simulatorConfiguration = SimulatorConfiguration(
                secrets: OperabilityAccount.simulatorSecrets,
                rateLimit: 0,
                faults: [.internalError: 1.0]
            )
            return try await withSimulator(simulatorConfiguration) { simulator in
                try await RecordCollector.collecting([topics.input, topics.output, topics.dlq], on: cluster) {
                    collector in
                    try await withEnricher(cluster: cluster, simulator: simulator, topics: topics) { _ in
                        let events = (0..<count).map {
                            OperabilityInput.event("PASS-\(tag)-\($0)", eventId: "\(tag)-event-\($0)")
                        }
                        _ = try await produce(events, malformed: ["\(tag)-malformed"], to: topics.input, on: cluster)
                        guard await collector.waitFor(count + 1, on: topics.dlq) else {
                            throw HarnessError(
                                "only \(collector.messages(of: topics.dlq).count) of \(count + 1) events were dead-lettered"
                            )
                        }
                        #expect(
                            collector.messages(of: topics.output).isEmpty,
                            "an event was enriched while the API failed"
                        )
                        let reasons = collector.messages(of: topics.dlq).compactMap { $0.header("x-dlq-reason") }
                            .sorted()
                        #expect(reasons == ["malformed"] + Array(repeating: "retries_exhausted", count: count))
                        simulator.clearFaults()
                        return try await body(cluster, topics, events, collector)
                    }
                }
            }
        }
    }

    @Test(
        "DLQReplayer re-publishes retries_exhausted events, which are then enriched; a second replay replays nothing",
        arguments: KafkaTestBackend.enabled
    )
    func replayerEnrichesDeadLetteredEvents(backend: KafkaTestBackend) async throws {
        try await Self.withDeadLetteredEvents("replay", count: 3, backend: backend) {
            cluster,
            topics,
            events,
            collector in
            let configuration = topics.configuration(on: cluster)
            func replay(_ reason: String?, fromBeginning: Bool = false) async throws -> DLQReplayer.Summary {
                try await DLQReplayer(
                    configuration: configuration,
                    reason: reason,
                    fromBeginning: fromBeginning,
                    idleTimeout: .seconds(1),
                    logger: quietLogger()
                ).run()
            }

            let first = try await replay("retries_exhausted")
            #expect(first == DLQReplayer.Summary(replayed: 3, skipped: 1))

            // The running service enriches the replayed events: one passed output per eventId.
            #expect(await collector.waitFor(3, on: topics.output), "the replayed events were not enriched")
            let outputs = collector.messages(of: topics.output).compactMap(\.json)
            #expect(Set(outputs.compactMap { $0["id"]?.stringValue }) == Set(events.map(\.eventId)))
            #expect(outputs.allSatisfy { $0["data"]?["status"]?.stringValue == "passed" })

            // Replayed records are the originals: same key, value and headers, no x-dlq-* headers.
            #expect(await collector.waitFor(events.count + 1 + 3, on: topics.input))
            let replayed = collector.messages(of: topics.input).suffix(3)
            for record in replayed {
                let original = try #require(events.first { $0.value == record.value })
                #expect(record.key == original.keyBytes)
                #expect(record.headers.map(\.key) == ["traceparent"])
            }

            // Progress is tracked in the replay's own group: nothing new to replay.
            #expect(try await replay("retries_exhausted") == DLQReplayer.Summary(replayed: 0, skipped: 0))

            // --reason filters: from the beginning, only the malformed event is taken, and the
            // service dead-letters it again (replaying bad input does not fix it).
            #expect(try await replay("malformed", fromBeginning: true) == DLQReplayer.Summary(replayed: 1, skipped: 3))
            #expect(await collector.waitFor(5, on: topics.dlq))
            #expect(collector.messages(of: topics.dlq).last?.header("x-dlq-reason") == "malformed")
            #expect(collector.messages(of: topics.output).count == 3)
        }
    }

    @Test(
        "faceid-enricher replay --reason retries_exhausted shows progress on a terminal, prints the count, and replays nothing new the second time",
        .enabled("needs the faceid-enricher executable and python3 (for a pseudo-terminal)") {
            ReplayCommand.isAvailable
        },
        arguments: KafkaTestBackend.enabled
    )
    func replayCommand(backend: KafkaTestBackend) async throws {
        try await Self.withDeadLetteredEvents("replaycli", count: 2, backend: backend) {
            cluster,
            topics,
            events,
            collector in
            let arguments = [
                "replay", "--brokers", cluster.bootstrapServers, "--group", topics.group, "--input-topic", topics.input,
                "--output-topic", topics.output, "--dlq-topic", topics.dlq, "--reason", "retries_exhausted",
            ]
            let onTerminal = try await ReplayCommand.run(arguments, onTerminal: true)
            #expect(onTerminal.status == 0, "\(onTerminal.output) \(onTerminal.errors)")
            #expect(
                onTerminal.output.contains("\r\u{1B}[Kreplaying from \(topics.dlq): 3 read, 2 replayed, 1 skipped"),
                "\(onTerminal.output)"
            )
            #expect(
                onTerminal.output.contains(
                    "replayed 2 events from \(topics.dlq) to \(topics.input) (reason retries_exhausted; 1 of other reasons skipped)"
                ),
                "\(onTerminal.output)"
            )

            #expect(await collector.waitFor(2, on: topics.output), "the replayed events were not enriched")
            let ids = Set(collector.messages(of: topics.output).compactMap { $0.json?["id"]?.stringValue })
            #expect(ids == Set(events.map(\.eventId)))

            let again = try await ReplayCommand.run(arguments, onTerminal: false)
            #expect(again.status == 0, "\(again.errors)")
            #expect(
                again.output
                    == "replayed 0 events from \(topics.dlq) to \(topics.input) (reason retries_exhausted; 0 of other reasons skipped)\n",
                "off a terminal only the count line is printed"
            )
        }
    }
}
