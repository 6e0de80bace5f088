import EnricherJSON
import Simulator

/// The sample events `faceid-enricher demo` produces: every outcome the simulator can script,
/// plus a few malformed inputs, in a fixed, reproducible mix.
///
/// The mix is chosen so one run shows everything an operator should recognise — passed and
/// failed verifications, a person still pending who finishes, one who never does
/// (`incomplete`), expired and illegal tokens, malformed events in the DLQ, and (from the
/// simulator's injected faults) retried `ResourceUnavailable` answers.
public struct DemoScenario: Sendable {
    /// One input message.
    public struct Event: Sendable {
        public var key: [UInt8]?
        public var value: [UInt8]
        /// The eventId, or `nil` for malformed inputs that have none.
        public var eventId: String?
        /// The `status` the output should have, or `"dlq"` for a malformed input.
        public var expectedOutcome: String
    }

    public var events: [Event]

    /// `count` well-formed events in a fixed mix, plus `malformedCount` malformed ones.
    public init(count: Int = 200, malformedCount: Int = 6, seed: UInt64 = 2026) {
        var generator = SeededRandom(seed: seed)
        var events: [Event] = []
        let regions = ["ap-singapore", "ap-jakarta"]
        let channels = ["web", "app", "kiosk"]
        for i in 0..<count {
            let (prefix, outcome) = Self.outcome(for: i)
            let token = "\(prefix)-\(Self.uuid(&generator))"
            let eventId = Self.uuid(&generator).lowercased()
            let event: JSONValue = .object([
                (key: "eventId", value: .string(eventId)),
                (key: "bizToken", value: .string(token)),
                (key: "region", value: .string(regions[i % regions.count])),
                (key: "occurredAt", value: .string("2026-11-24T10:00:00Z")),
                (
                    key: "metadata",
                    value: .object([
                        (key: "applicantId", value: .string("A-\(1000 + i)")),
                        (key: "channel", value: .string(channels[i % channels.count])),
                    ])
                ),
            ])
            events.append(Event(key: Array(token.utf8), value: event.serializedBytes, eventId: eventId, expectedOutcome: outcome))
        }
        let malformed: [String] = [
            "{\"eventId\": \"broken",
            "{\"bizToken\": \"PASS-NO-EVENT-ID\"}",
            "{\"eventId\": \"e-bad-token\", \"bizToken\": \"has spaces and /slashes\"}",
            "{\"eventId\": \"e-bad-region\", \"bizToken\": \"PASS-REGION\", \"region\": \"us-east-1\"}",
            "[1, 2, 3]",
            "not json at all",
        ]
        for i in 0..<malformedCount {
            let text = malformed[i % malformed.count]
            events.append(Event(key: Array("malformed-\(i)".utf8), value: Array(text.utf8), eventId: nil, expectedOutcome: "dlq"))
        }
        // Interleave the malformed ones among the good events, deterministically.
        for i in stride(from: events.count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            events.swapAt(i, j)
        }
        self.events = events
    }

    /// The BizToken prefix and expected status for the i-th good event.
    static func outcome(for i: Int) -> (prefix: String, status: String) {
        switch i % 20 {
        case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9: return ("PASS", "passed")
        case 10: return ("FAIL1001", "failed")
        case 11: return ("FAIL2004", "failed")
        case 12: return ("FAIL3005", "failed")
        case 13, 14: return ("PEND1", "passed")
        case 15: return ("PEND2", "passed")
        case 16: return ("EXPD", "expired")
        case 17: return ("ILLG", "invalid_token")
        case 18: return (i % 40 == 18 ? "PENDX" : "PASS", i % 40 == 18 ? "incomplete" : "passed")
        default: return ("PASS", "passed")
        }
    }

    static func uuid(_ generator: inout SeededRandom) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for (n, length) in [8, 4, 4, 4, 12].enumerated() {
            if n > 0 { out += "-" }
            for _ in 0..<length { out.append(hex[Int(generator.next() % 16)]) }
        }
        return out
    }
}
