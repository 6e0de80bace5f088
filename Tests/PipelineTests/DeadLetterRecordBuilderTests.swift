import Pipeline
import Testing

@Suite("Dead-letter events keep the original message and add the x-dlq headers")
struct DeadLetterRecordBuilderTests {
    @Test("key, value and headers are kept byte for byte and the seven headers are appended in order")
    func keepsOriginalAndAddsHeaders() {
        let original = InputRecord(
            topic: "faceid.verification.completed",
            partition: 5,
            offset: 42,
            key: [0x00, 0xFF, 0x10],
            value: [0xDE, 0xAD, 0xBE, 0xEF],
            headers: [RecordHeader(key: "trace", value: [1, 2, 3]), RecordHeader(key: "empty", value: nil)]
        )
        let failedAt = UTCTimestamp(millisecondsSinceEpoch: 1_764_064_801_250)
        let record = DeadLetterRecordBuilder(topic: "faceid.verification.dlq").build(
            record: original,
            reason: .retriesExhausted,
            error: "ResourceUnavailable: busy\nline two",
            attempts: 12,
            failedAt: failedAt
        )
        #expect(record.topic == "faceid.verification.dlq")
        #expect(record.key == [0x00, 0xFF, 0x10])
        #expect(record.value == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Array(record.headers.prefix(2)) == original.headers)
        #expect(
            record.headers.dropFirst(2).map(\.key) == [
                "x-dlq-reason", "x-dlq-error", "x-dlq-source-topic", "x-dlq-source-partition", "x-dlq-source-offset",
                "x-dlq-attempts", "x-dlq-failed-at",
            ]
        )
        #expect(Fixtures.header(record, "x-dlq-reason") == "retries_exhausted")
        #expect(Fixtures.header(record, "x-dlq-error") == "ResourceUnavailable: busy line two")
        #expect(Fixtures.header(record, "x-dlq-source-topic") == "faceid.verification.completed")
        #expect(Fixtures.header(record, "x-dlq-source-partition") == "5")
        #expect(Fixtures.header(record, "x-dlq-source-offset") == "42")
        #expect(Fixtures.header(record, "x-dlq-attempts") == "12")
        #expect(Fixtures.header(record, "x-dlq-failed-at") == "2025-11-25T10:00:01.250Z")
    }

    @Test("a long error is cut to one short line")
    func longErrorIsCut() {
        let line = DeadLetterRecordBuilder.oneLine(String(repeating: "x", count: 2000))
        #expect(line.count == DeadLetterRecordBuilder.maximumErrorLength + 1)
        #expect(line.hasSuffix("…"))
    }
}
