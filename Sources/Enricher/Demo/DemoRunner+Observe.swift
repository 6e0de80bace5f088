import EnricherJSON
import KafkaClient
import Simulator

/// One event the demo read back from the output or dead-letter topic.
public struct DemoObservedEvent: Sendable {
    public var eventId: String
    public var status: String
    public var bizToken: String
    public var applicantId: String?
    public var attempts: Int
    public var errorCode: String?
    public var partition: Int32
    public var offset: Int64
    /// For dead letters: `x-dlq-reason` and `x-dlq-error`.
    public var deadLetterReason: String?
    public var deadLetterError: String?
    /// The objects `data.media` names, with the MD5 Tencent reported for each.
    public var media: [DemoMediaObject] = []
}

/// One archived object an output names, as the demo checks it.
public struct DemoMediaObject: Sendable, Hashable {
    /// `data.media.*.uri`.
    public var uri: String
    /// `data.media.*.md5`.
    public var md5: String
    /// `data.media.*.bytes`.
    public var bytes: Int
    /// The MD5 the result reported (`VideoBestFrameMd5`, `VideoMd5`, or the Intl placeholder's).
    public var reportedMD5: String?
}

extension DemoRunner {
    /// Reads the output and DLQ topics as a downstream consumer would, until every input is
    /// accounted for or the deadline passes, printing progress once a second.
    func observe(
        scenario: DemoScenario,
        topics: (input: String, output: String, dlq: String),
        bootstrap: String,
        simulator: FaceIDSimulator,
        deadline: ContinuousClock.Instant
    ) async throws -> Report {
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: bootstrap,
                groupID: "faceid-enricher-demo-reader",
                clientID: "demo-reader",
                autoOffsetReset: .earliest,
                sessionTimeout: .seconds(6),
                heartbeatInterval: .milliseconds(500),
                maxPollInterval: .seconds(7)
            ),
            logger: logger
        )
        try consumer.subscribe(topics: [topics.output, topics.dlq])
        var report = Report()
        report.expectedEvents = scenario.events.filter { $0.eventId != nil }.count
        report.expectedDeadLetters = scenario.events.count - report.expectedEvents
        var seen = Set<String>()
        let started = ContinuousClock.now
        var lastProgress = started
        var firstCall: (at: ContinuousClock.Instant, calls: Int)?
        var iterator = IdleTimeoutEvents(base: consumer.events, idleTimeout: .seconds(1)).makeAsyncIterator()
        while !report.isComplete, ContinuousClock.now < deadline, let event = await iterator.next() {
            if case .event(.message(let message)) = event {
                if message.topic == topics.output, let observed = Self.parseOutput(message), seen.insert(observed.eventId).inserted {
                    report.outputs.append(observed)
                } else if message.topic == topics.dlq {
                    report.deadLetters.append(Self.parseDeadLetter(message))
                }
            }
            let now = ContinuousClock.now
            if now - lastProgress >= .seconds(1) || report.isComplete {
                lastProgress = now
                let counters = simulator.counters
                if firstCall == nil, counters.totalRequests > 0 { firstCall = (now, counters.totalRequests) }
                let seconds = Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18
                progress(
                    "  [\(String(format1: seconds))s] results \(report.outputs.count)/\(report.expectedEvents), "
                        + "dead letters \(report.deadLetters.count)/\(report.expectedDeadLetters), API calls \(counters.totalRequests)"
                )
            }
        }
        // The achieved rate is measured from the first progress tick that saw calls, counting
        // only the calls after it, so the group join does not dilute it.
        report.measuredWindow = ContinuousClock.now - (firstCall?.at ?? started)
        report.callsInWindow = simulator.counters.totalRequests - (firstCall?.calls ?? 0)
        await consumer.close()
        if !report.isComplete {
            throw Failure(description: "the demo timed out with \(report.outputs.count)/\(report.expectedEvents) results and \(report.deadLetters.count)/\(report.expectedDeadLetters) dead letters")
        }
        return report
    }

    static func parseOutput(_ message: KafkaMessage) -> DemoObservedEvent? {
        guard let value = message.value, let event = try? JSONValue(parsing: value), let data = event["data"] else { return nil }
        return DemoObservedEvent(
            eventId: data["eventId"]?.stringValue ?? "?",
            status: data["status"]?.stringValue ?? "?",
            bizToken: data["bizToken"]?.stringValue ?? "?",
            applicantId: data["metadata"]?["applicantId"]?.stringValue,
            attempts: data["attempts"]?.intValue ?? 0,
            errorCode: data["error"]?["code"]?.stringValue ?? data["result"]?["ErrorCode"]?.intValue.map(String.init),
            partition: data["source"]?["partition"]?.intValue.map(Int32.init) ?? -1,
            offset: data["source"]?["offset"]?.intValue.map(Int64.init) ?? -1,
            deadLetterReason: nil,
            deadLetterError: nil,
            media: [("bestFrame", "VideoBestFrameMd5", "BestFrameBase64"), ("video", "VideoMd5", "VideoBase64")].compactMap {
                kind, md5Member, inlineMember in
                guard let entry = data["media"]?[kind], let uri = entry["uri"]?.stringValue else { return nil }
                let result = data["result"]
                return DemoMediaObject(
                    uri: uri,
                    md5: entry["md5"]?.stringValue ?? "",
                    bytes: entry["bytes"]?.intValue ?? -1,
                    reportedMD5: result?[md5Member]?.stringValue ?? result?[inlineMember]?["md5"]?.stringValue
                )
            }
        )
    }

    static func parseDeadLetter(_ message: KafkaMessage) -> DemoObservedEvent {
        let header = message.header
        return DemoObservedEvent(
            eventId: "-",
            status: "dlq",
            bizToken: "-",
            applicantId: nil,
            attempts: header("x-dlq-attempts").flatMap(Int.init) ?? 0,
            errorCode: nil,
            partition: header("x-dlq-source-partition").flatMap(Int32.init) ?? -1,
            offset: header("x-dlq-source-offset").flatMap(Int64.init) ?? -1,
            deadLetterReason: header("x-dlq-reason"),
            deadLetterError: header("x-dlq-error")
        )
    }
}

extension String {
    /// A number with one decimal, without Foundation's formatter.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
