/// Builds dead-letter events: the original key, value and headers byte for byte, plus the
/// `x-dlq-*` headers saying why and where from — enough for `replay` to put it back unchanged.
public struct DeadLetterRecordBuilder: Sendable {
    /// The longest `x-dlq-error` value, in characters; the header is a one-line summary.
    public static let maximumErrorLength = 512

    /// The dead-letter topic.
    public var topic: String

    /// A builder publishing to `topic`.
    public init(topic: String) {
        self.topic = topic
    }

    /// The dead-letter record for `record`.
    /// - Parameters:
    ///   - error: what was wrong, or the last error code and message; reduced to one line.
    ///   - attempts: API calls made for the event.
    ///   - failedAt: when the pipeline gave up.
    public func build(
        record: InputRecord,
        reason: DeadLetterReason,
        error: String,
        attempts: Int,
        failedAt: UTCTimestamp
    ) -> OutgoingRecord {
        var headers = record.headers
        headers.append(RecordHeader(key: "x-dlq-reason", text: reason.rawValue))
        headers.append(RecordHeader(key: "x-dlq-error", text: Self.oneLine(error)))
        headers.append(RecordHeader(key: "x-dlq-source-topic", text: record.topic))
        headers.append(RecordHeader(key: "x-dlq-source-partition", text: String(record.partition)))
        headers.append(RecordHeader(key: "x-dlq-source-offset", text: String(record.offset)))
        headers.append(RecordHeader(key: "x-dlq-attempts", text: String(attempts)))
        headers.append(RecordHeader(key: "x-dlq-failed-at", text: failedAt.rfc3339))
        return OutgoingRecord(topic: topic, key: record.key, value: record.value ?? [], headers: headers)
    }

    /// `text` with control characters (line breaks included) turned into spaces and cut to
    /// ``maximumErrorLength`` characters.
    public static func oneLine(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < maximumErrorLength else { return out + "…" }
            out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
            count += 1
        }
        return out
    }
}
