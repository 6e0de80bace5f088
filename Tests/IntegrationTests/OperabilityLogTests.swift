import Enricher
import EnricherJSON
import KafkaClient
import MediaArchive
import Simulator
import TestSupport
import Testing

/// What the service writes to its logs, read back from a whole run at trace level: JSON lines with
/// the documented members, and never a secret key, signature, session token or media URL.
@Suite("Operability: logs", .serialized)
struct OperabilityLogTests {
    /// Media downloads the simulator answered with a fault.
    static func failedDownloads(_ simulator: FaceIDSimulator) -> Int {
        simulator.counters.mediaDownloads.filter { $0.key != "served" }.values.reduce(0, +)
    }

    @Test(
        "a full run at trace level (media URLs, Intl inline media, media archived to S3 with download faults, malformed input, retries, a halt on a wrong key) logs JSON lines without secrets or media",
        arguments: KafkaTestBackend.enabled
    )
    func logsOfAFullRunHoldNoSecrets(backend: KafkaTestBackend) async throws {
        let capture = LogCapture()
        let logger = capture.logger(label: "faceid-enricher", level: .trace)
        let mediaBucket = KafkaTestCluster.uniqueName("opsint-logs-media").lowercased().replacingOccurrences(of: "_", with: "-")
        let (outputs, mediaSecret) = try await backend.withCluster { cluster in
            let topics = OperabilityTopics("opsint-logs")
            try await topics.create(on: cluster, partitions: 2)
            let simulatorConfiguration = SimulatorConfiguration(
                secrets: OperabilityAccount.simulatorSecrets,
                rateLimit: 0,
                faults: [.http500: 0.25, .resourceUnavailable: 0.25],
                seed: 42
            )
            return try await withSimulator(simulatorConfiguration) { simulator in
                try await RecordCollector.collecting([topics.output, topics.dlq], on: cluster) { collector in
                    let events = ["PASS-log-1", "PASS-log-2", "PASS-log-3", "FAIL1001-log", "PEND1-log"].enumerated()
                        .map {
                            OperabilityInput.event($0.element, eventId: "log-event-\($0.offset)")
                        }
                    // The classic action (media URLs in results), then the Intl action (inline
                    // media) in a group of its own, over the same events.
                    let handled: @Sendable () -> Int = {
                        collector.messages(of: topics.output).count + collector.messages(of: topics.dlq).count
                    }
                    try await withEnricher(cluster: cluster, simulator: simulator, topics: topics, logger: logger) {
                        _ in
                        _ = try await produce(events, malformed: ["log-malformed"], to: topics.input, on: cluster)
                        let done = await Poll.until(timeout: .seconds(30)) { handled() >= events.count + 1 }
                        #expect(done, "not every event was enriched or dead-lettered")
                    }
                    try await withEnricher(
                        cluster: cluster,
                        simulator: simulator,
                        topics: topics,
                        group: KafkaTestCluster.uniqueName("opsint-logs-intl"),
                        action: .getWebVerificationResultIntl,
                        logger: logger
                    ) { _ in
                        let done = await Poll.until(timeout: .seconds(30)) { handled() >= 2 * (events.count + 1) }
                        #expect(done, "not every event was enriched or dead-lettered by the Intl run")
                    }
                    #expect(simulator.counters.faultsInjected.values.reduce(0, +) > 0, "no retries happened")
                    #expect(simulator.counters.requestsByAction["GetWebVerificationResultIntl", default: 0] > 0)

                    // The media archive into a real S3 store, with downloads failing, corrupt or expired (and
                    // refreshed): no media URL, presigned query string or S3 secret may reach a line.
                    let mediaSecret = try await withMotoServer(buckets: [mediaBucket]) { moto in
                        try await withEnricher(
                            cluster: cluster,
                            simulator: simulator,
                            topics: topics,
                            group: KafkaTestCluster.uniqueName("opsint-logs-media"),
                            mediaArchive: MediaArchiveConfiguration(
                                store: try moto.store(bucket: mediaBucket),
                                allowsPlainHTTPMediaURLs: true
                            ),
                            logger: logger
                        ) { _ in
                            // Each fault in turn on every download until one was answered with it, then none:
                            // every failure path runs once whatever the timing, and the rest is archived.
                            for fault in [SimulatorFault.mediaCorrupt, .mediaMissing, .mediaExpired] {
                                let failedBefore = Self.failedDownloads(simulator)
                                simulator.setFaultProbability(1, for: fault)
                                let failed = await Poll.until(timeout: .seconds(20)) {
                                    Self.failedDownloads(simulator) > failedBefore
                                }
                                simulator.setFaultProbability(0, for: fault)
                                #expect(failed, "no download was answered with \(fault)")
                            }
                            let done = await Poll.until(timeout: .seconds(60)) { handled() >= 3 * (events.count + 1) }
                            #expect(done, "not every event was enriched or dead-lettered by the archiving run")
                        }
                        #expect(!(try await moto.objects(bucket: mediaBucket)).isEmpty, "nothing was archived")
                        return moto.writer.secretAccessKey
                    }
                    let downloads = simulator.counters.mediaDownloads
                    #expect(downloads["served", default: 0] > 0 && downloads.count > 1, "no media download failed: \(downloads)")

                    // A second instance whose secret key is wrong: every call fails authentication,
                    // the service halts, and says so.
                    try await withEnricher(
                        cluster: cluster,
                        simulator: simulator,
                        topics: topics,
                        group: KafkaTestCluster.uniqueName("opsint-logs-wrong-key"),
                        secretKey: OperabilityAccount.wrongKey,
                        logger: logger
                    ) { enricher in
                        let halted = await Poll.until(timeout: .seconds(30)) {
                            enricher.health.current.haltingCode != nil
                        }
                        #expect(halted, "a wrong secret key did not halt the service")
                        let ready = try await enricher.get("/readyz")
                        #expect(ready.status == 503)
                        #expect(ready.body.contains("AuthFailure"))
                        // The status reporter logs the halt once a second at most; give it one pass.
                        _ = await Poll.until(timeout: .seconds(5)) {
                            capture.lines.contains { $0.contains("progress stopped") }
                        }
                    }
                    return (collector.messages(of: topics.output), mediaSecret)
                }
            }
        }

        let lines = capture.lines
        Attachment.record(lines.joined(separator: "\n"), named: "service-log.jsonl")
        let results = outputs.compactMap { $0.json?["data"]?["result"] }
        let mediaURLs = Self.urls(in: results)
        #expect(mediaURLs.count >= 4, "the results carried no media URLs to look for")
        #expect(results.contains { $0["VideoBase64"]?["md5"] != nil }, "no Intl result with inline media")
        #expect(lines.count > 20)

        // What must never appear, named so a failure says what leaked without printing it.
        let forbidden: [(what: String, text: String)] =
            [
                ("the secret key", OperabilityAccount.secretKey), ("the wrong secret key", OperabilityAccount.wrongKey),
                ("the session token", OperabilityAccount.sessionToken), ("an Authorization header", "TC3-HMAC-SHA256"),
                ("a signature", "Signature="),
                ("a presigned query string", "q-signature="), ("a presigned query string", "q-sign-time="),
                ("the S3 secret key", mediaSecret), ("an S3 signature", "AWS4-HMAC-SHA256"),
            ]
            + mediaURLs.map { ("a media URL", $0) }
        for line in lines {
            let message = (try? JSONValue(parsing: line))?["message"]?.stringValue ?? "?"
            for item in forbidden {
                #expect(!line.contains(item.text), "the log line \"\(message)\" holds \(item.what)")
            }
            #expect(!line.contains(/[0-9a-fA-F]{64}/), "the log line \"\(message)\" holds a 64-hex value (a signature?)")
            #expect(
                !line.contains(/[A-Za-z0-9+\/]{200,}/),
                "the log line \"\(message)\" holds a long base64 run (inline media?)"
            )
        }

        #expect(lines.contains { $0.contains("Media object archived") }, "the archiving run logged no archive")
        #expect(lines.contains { $0.contains("Media archive failed, retrying") }, "the media faults logged no retry")

        // Every line is one JSON object with timestamp, level and message; the data is metadata.
        let parsed = lines.compactMap { try? JSONValue(parsing: $0) }
        #expect(
            parsed.count == lines.count,
            "lines that are not JSON: \(lines.filter { (try? JSONValue(parsing: $0)) == nil }.prefix(3))"
        )
        for object in parsed {
            #expect(object["timestamp"]?.stringValue?.contains(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) == true)
            #expect(object["level"]?.stringValue != nil)
            #expect(object["message"]?.stringValue?.isEmpty == false)
        }
        #expect(
            parsed.contains { $0["level"]?.stringValue == "trace" || $0["level"]?.stringValue == "debug" },
            "captured at trace level"
        )
        #expect(
            parsed.contains { o in
                ["kafka.topic", "kafka.partition", "kafka.offset", "event.id"].allSatisfy { o[$0] != nil }
            },
            "no line names an event by topic, partition, offset and event id"
        )
        #expect(
            parsed.contains { $0["tencentcloud.error.code"]?.stringValue?.hasPrefix("AuthFailure") == true },
            "the halt's code is not logged"
        )
        #expect(
            parsed.contains {
                $0["level"]?.stringValue == "error" && $0["message"]?.stringValue?.contains("progress stopped") == true
            }
        )
    }

    @Test("the log format is text on a terminal and JSON otherwise; --log-format and LOG_FORMAT choose")
    func logFormatResolution() throws {
        let none = RunOptions()
        #expect(
            try EnricherConfiguration.resolve(none, environment: [:], standardErrorIsTerminal: true).logFormat == .text
        )
        #expect(
            try EnricherConfiguration.resolve(none, environment: [:], standardErrorIsTerminal: false).logFormat == .json
        )
        #expect(
            try EnricherConfiguration.resolve(none, environment: ["LOG_FORMAT": "json"], standardErrorIsTerminal: true)
                .logFormat == .json
        )
        var flag = RunOptions()
        flag.logFormat = "text"
        #expect(
            try EnricherConfiguration.resolve(flag, environment: ["LOG_FORMAT": "json"], standardErrorIsTerminal: false)
                .logFormat == .text
        )
        flag.logFormat = "xml"
        #expect(throws: ConfigurationError.self) {
            try EnricherConfiguration.resolve(flag, environment: [:], standardErrorIsTerminal: false)
        }
    }

    @Test("a JSON log line carries timestamp, level, message, logger and the metadata as members")
    func jsonLineShape() throws {
        let capture = LogCapture()
        let logger = capture.logger(label: "faceid-enricher")
        logger.warning(
            "event dead-lettered",
            metadata: [
                "kafka.topic": "in", "kafka.partition": "3", "kafka.offset": "1841", "event.id": "e-1",
                "tencentcloud.error.code": "InternalError",
            ]
        )
        let line = try #require(capture.lines.first)
        let object = try JSONValue(parsing: line)
        #expect(object.objectMembers?.prefix(4).map(\.key) == ["timestamp", "level", "message", "logger"])
        #expect(object["level"]?.stringValue == "warning")
        #expect(object["message"]?.stringValue == "event dead-lettered")
        #expect(object["kafka.offset"]?.stringValue == "1841")
        #expect(object["tencentcloud.error.code"]?.stringValue == "InternalError")
        #expect(!line.contains("\n"))
    }

    /// Every string value starting with `http` inside `values` (media URLs of results).
    static func urls(in values: [JSONValue]) -> [String] {
        var found: Set<String> = []
        func walk(_ value: JSONValue) {
            if let text = value.stringValue, text.hasPrefix("http") { found.insert(text) }
            for member in value.objectMembers ?? [] { walk(member.value) }
            for element in value.arrayValue ?? [] { walk(element) }
        }
        values.forEach(walk)
        return found.sorted()
    }
}
