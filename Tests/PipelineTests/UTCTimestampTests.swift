import Pipeline
import Testing

@Suite("UTC timestamps are written as RFC 3339 with milliseconds and parsed strictly")
struct UTCTimestampTests {
    @Test("formatting uses milliseconds and Z, including before 1970 and on leap days")
    func formats() {
        #expect(UTCTimestamp(millisecondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp(millisecondsSinceEpoch: 1_764_064_801_250).rfc3339 == "2025-11-25T10:00:01.250Z")
        #expect(UTCTimestamp(millisecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999Z")
        #expect(UTCTimestamp(millisecondsSinceEpoch: 1_709_164_800_000).rfc3339 == "2024-02-29T00:00:00.000Z")
    }

    @Test("parsing honours offsets and fractions and round-trips")
    func parses() {
        #expect(UTCTimestamp(rfc3339: "2026-11-24T10:00:00Z")?.rfc3339 == "2026-11-24T10:00:00.000Z")
        #expect(UTCTimestamp(rfc3339: "2026-11-24T17:00:00.5+07:00")?.rfc3339 == "2026-11-24T10:00:00.500Z")
        #expect(UTCTimestamp(rfc3339: "2026-11-24t10:00:00.123456z")?.rfc3339 == "2026-11-24T10:00:00.123Z")
        #expect(UTCTimestamp(rfc3339: "2026-11-24T00:30:00-01:30")?.rfc3339 == "2026-11-24T02:00:00.000Z")
    }

    @Test(
        "text that is not an RFC 3339 date-time is rejected",
        arguments: [
            "", "2026-11-24", "2026-11-24T10:00:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
            "2026-11-24T24:00:00Z", "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00+0700", "2026-11-24T10:00:00Zjunk",
            "26-11-24T10:00:00Z",
        ]
    )
    func rejects(_ text: String) {
        #expect(UTCTimestamp(rfc3339: text) == nil)
    }

    @Test("advancing by a duration moves by whole milliseconds")
    func advances() {
        let start = UTCTimestamp(millisecondsSinceEpoch: 1000)
        #expect(start.advanced(by: .seconds(600)).millisecondsSinceEpoch == 601_000)
        #expect(start.advanced(by: .microseconds(1500)).millisecondsSinceEpoch == 1001)
    }
}
