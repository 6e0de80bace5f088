import KafkaClient
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// Malformed input, end to end: each kind lands in the dead-letter topic with the original key, value and
    /// headers byte for byte plus the `x-dlq-*` headers, and the good events around it are enriched.
    @Suite("Pipeline end to end: dead letters")
    struct PipelineDeadLetterTests {
        /// One malformed record: its raw value and the text `x-dlq-error` must contain.
        struct Malformed: Sendable {
            var name: String
            var value: [UInt8]
            var errorContains: String
        }

        static let malformedKinds: [Malformed] = {
            let bigMetadata = String(repeating: "m", count: 17 * 1024)
            let padding = String(repeating: "p", count: 70 * 1024)
            return [
                Malformed(name: "bad JSON", value: Array(#"{"eventId": "x", "bizToken": "#.utf8), errorContains: "not valid JSON"),
                Malformed(name: "not an object", value: Array(#"["eventId", "bizToken"]"#.utf8), errorContains: "not a JSON object"),
                Malformed(name: "missing eventId", value: Array(#"{"bizToken":"PASS-1"}"#.utf8), errorContains: "missing eventId"),
                Malformed(name: "bad bizToken", value: Array(#"{"eventId":"m-4","bizToken":"no spaces allowed"}"#.utf8), errorContains: "bizToken"),
                Malformed(name: "unknown region", value: Array(#"{"eventId":"m-5","bizToken":"PASS-5","region":"mars-1"}"#.utf8), errorContains: "unknown region"),
                Malformed(name: "bad occurredAt", value: Array(#"{"eventId":"m-6","bizToken":"PASS-6","occurredAt":"yesterday"}"#.utf8), errorContains: "occurredAt"),
                Malformed(
                    name: "metadata too big",
                    value: Array(#"{"eventId":"m-7","bizToken":"PASS-7","metadata":{"blob":"\#(bigMetadata)"}}"#.utf8),
                    errorContains: "metadata is"
                ),
                Malformed(
                    name: "value over 64 KiB",
                    value: Array(#"{"eventId":"m-8","bizToken":"PASS-8","pad":"\#(padding)"}"#.utf8),
                    errorContains: "65536"
                ),
                Malformed(name: "empty value", value: [], errorContains: "empty value"),
            ]
        }()

        @Test("every malformed kind is dead-lettered byte for byte with its x-dlq headers; good events around it are enriched", arguments: KafkaTestBackend.enabled)
        func malformedInputGoesToTheDeadLetterTopic(backend: KafkaTestBackend) async throws {
            try await withEndToEnd(backend: backend, inputPartitions: 1) { e2e in
                var good: [TestInputEvent] = []
                var sent: [(malformed: Malformed, key: [UInt8], headers: [KafkaHeader], report: KafkaDeliveryReport)] = []
                for (index, malformed) in Self.malformedKinds.enumerated() {
                    let before = TestInputEvent.scripted("PASS")
                    try await e2e.producer.send(before)
                    good.append(before)
                    let key = Array("bad-key-\(index)".utf8)
                    let headers = [
                        KafkaHeader(key: "traceparent", string: "00-\(index)-01"),
                        KafkaHeader(key: "binary", value: [0, 1, 2, 255]),
                    ]
                    let report = try await e2e.producer.sendRaw(key: key, value: malformed.value, headers: headers)
                    sent.append((malformed, key, headers, report))
                }
                let after = TestInputEvent.scripted("FAIL1001")
                try await e2e.producer.send(after)
                good.append(after)

                let ids = good.map(\.eventId)
                let snapshot = try await e2e.withFleet { _ in
                    try await e2e.withReader { reader in
                        await reader.waitForOutputs(ids, deadLetters: sent.count)
                    }
                }
                let audit = DeliveryAudit(eventIds: ids, malformedValues: sent.map(\.malformed.value), snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")
                #expect(snapshot.deadLetters.count == sent.count, "one dead letter per malformed record")

                for entry in sent {
                    let letter = try #require(
                        snapshot.deadLetters.first { $0.sourceOffset == Int(entry.report.offset) },
                        "no dead letter for \(entry.malformed.name)"
                    )
                    #expect((letter.message.value ?? []) == entry.malformed.value, "\(entry.malformed.name): value byte for byte")
                    #expect(letter.message.key == entry.key, "\(entry.malformed.name): key")
                    #expect(letter.originalHeaders == entry.headers, "\(entry.malformed.name): original headers kept")
                    #expect(letter.reason == "malformed", "\(entry.malformed.name)")
                    #expect(letter.error?.contains(entry.malformed.errorContains) == true, "\(entry.malformed.name): \(letter.error ?? "no x-dlq-error")")
                    #expect(letter.error?.contains("\n") == false)
                    #expect(letter.sourceTopic == e2e.topics.input)
                    #expect(letter.sourcePartition == Int(entry.report.partition))
                    #expect(letter.attempts == 0, "\(entry.malformed.name): no API call for a malformed event")
                    #expect(letter.failedAt?.hasSuffix("Z") == true)
                }
                #expect(snapshot.outputs.allSatisfy { output in output.status == "passed" || output.status == "failed" })
            }
        }
    }
}
