import EnricherJSON
import Foundation
import Pipeline
import Testing

/// Shared inputs for the Pipeline tests.
enum Fixtures {
    static let inputTopic = "faceid.verification.completed"
    static let fetchedAt = UTCTimestamp(rfc3339: "2026-11-24T10:00:01.200Z") ?? UTCTimestamp(millisecondsSinceEpoch: 0)
    static let emittedAt = UTCTimestamp(rfc3339: "2026-11-24T10:00:01.250Z") ?? UTCTimestamp(millisecondsSinceEpoch: 0)

    /// A record on the input topic.
    static func record(
        partition: Int32 = 0,
        offset: Int64,
        key: String? = nil,
        value: [UInt8]?,
        headers: [RecordHeader] = []
    ) -> InputRecord {
        InputRecord(
            topic: inputTopic,
            partition: partition,
            offset: offset,
            key: key.map { Array($0.utf8) },
            value: value,
            headers: headers,
            timestampMillis: 1_764_000_000_000
        )
    }

    /// The value of an input event for `bizToken`.
    static func eventValue(eventId: String, bizToken: String, extra: String = "") -> [UInt8] {
        Array(#"{"eventId":"\#(eventId)","bizToken":"\#(bizToken)"\#(extra)}"#.utf8)
    }

    /// A golden file from `Resources/`, as bytes.
    static func golden(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources"))
        return Array(try Data(contentsOf: url))
    }

    /// A golden file parsed, for exact comparison (member order and number text included).
    static func goldenJSON(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: try golden(name))
    }

    /// The header named `key` as text.
    static func header(_ record: OutgoingRecord, _ key: String) -> String? {
        record.headers.first { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
