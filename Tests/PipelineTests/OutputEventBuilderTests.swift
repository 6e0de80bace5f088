import EnricherJSON
import Pipeline
import Testing
import TestSupport

@Suite("Output events match the contract's CloudEvents shape byte for byte")
struct OutputEventBuilderTests {
    let builder = OutputEventBuilder(topic: "faceid.verification.result", md5: MD5.hex)

    func event(_ id: String, _ token: String, region: String = "ap-singapore", metadata: JSONValue? = nil) -> InputEvent
    {
        InputEvent(eventId: id, bizToken: token, region: region, metadata: metadata)
    }

    func build(
        _ event: InputEvent,
        partition: Int32 = 0,
        offset: Int64,
        outcome: VerificationOutcome,
        attempts: Int = 1,
        key: String? = "k"
    ) -> OutgoingRecord {
        builder.build(
            event: event,
            record: Fixtures.record(partition: partition, offset: offset, key: key, value: []),
            outcome: outcome,
            attempts: attempts,
            fetchedAt: Fixtures.fetchedAt,
            time: Fixtures.emittedAt
        )
    }

    @Test("passed: the contract's example, result verbatim (unknown fields and number text kept)")
    func passed() throws {
        let golden = try Fixtures.goldenJSON("output-passed")
        let response = try #require(golden["data"]?["result"])
        let record = build(
            event(
                "8d0c5b0e-6a4f-4c8e-9b2a-0f7f1c1e2d3a",
                "EE13636D-1985-42CA-BD61-73F4C8B687E6",
                metadata: ["applicantId": "A-1029", "channel": "web"]
            ),
            partition: 3,
            offset: 1841,
            outcome: .result(response),
            key: "EE13636D-1985-42CA-BD61-73F4C8B687E6"
        )
        #expect(record.value == golden.serializedBytes)
        #expect(record.topic == "faceid.verification.result")
        #expect(record.key == Array("EE13636D-1985-42CA-BD61-73F4C8B687E6".utf8))
        #expect(record.headers == [RecordHeader(key: "content-type", text: "application/cloudevents+json")])
        #expect(String(decoding: record.value, as: UTF8.self).contains(#""x":1.10"#))
    }

    @Test("failed: a non-zero ErrorCode, empty media URLs give no expiry")
    func failed() throws {
        let golden = try Fixtures.goldenJSON("output-failed")
        let response = try #require(golden["data"]?["result"])
        let record = build(
            event("evt-failed-1", "FAIL1001-abc", region: "ap-jakarta"),
            offset: 7,
            outcome: .result(response),
            attempts: 2
        )
        #expect(record.value == golden.serializedBytes)
    }

    @Test("incomplete: the last pending Response is published with status incomplete")
    func incomplete() throws {
        let golden = try Fixtures.goldenJSON("output-incomplete")
        let response = try #require(golden["data"]?["result"])
        let record = build(
            event("evt-pending-1", "PENDX-abc"),
            offset: 8,
            outcome: .incomplete(lastResponse: response),
            attempts: 5
        )
        #expect(record.value == golden.serializedBytes)
    }

    @Test("expired and invalid_token: result null, error from Response.Error")
    func apiErrors() throws {
        let expired = build(
            event("evt-expired-1", "EXPD-abc"),
            offset: 9,
            outcome: .apiError(
                status: .expired,
                failure: FetchFailure(
                    kind: .final,
                    code: "InvalidParameterValue.BizTokenExpired",
                    message: "BizToken已过期",
                    requestId: "req-expired"
                )
            )
        )
        #expect(expired.value == (try Fixtures.goldenJSON("output-expired")).serializedBytes)

        let illegal = build(
            event("evt-illegal-1", "ILLG-abc", metadata: [:]),
            offset: 10,
            outcome: .apiError(
                status: .invalidToken,
                failure: FetchFailure(
                    kind: .final,
                    code: "InvalidParameterValue.BizTokenIllegal",
                    message: "BizToken不合法"
                )
            )
        )
        #expect(illegal.value == (try Fixtures.goldenJSON("output-invalid_token")).serializedBytes)
    }

    @Test("Intl inline media becomes bytes and md5 of the decoded content")
    func intlMediaIsSummarised() throws {
        let response: JSONValue = [
            "ErrorCode": 0, "ErrorMsg": "Succeed", "VerificationDetailList": [],
            "BestFrameBase64": "aGVsbG8=", "VideoBase64": "aGVsbG8gd29y\nbGQ=", "OCRResult": [], "Extra": "",
            "RequestId": "req-intl",
        ]
        let record = build(event("evt-intl-1", "PASS-intl"), partition: 1, offset: 2, outcome: .result(response))
        #expect(record.value == (try Fixtures.goldenJSON("output-intl-media")).serializedBytes)
    }

    @Test("keep-media publishes the inline media untouched")
    func keepMedia() {
        let keeping = OutputEventBuilder(topic: "out", keepsMediaBase64: true, md5: MD5.hex)
        let response: JSONValue = ["ErrorCode": 0, "BestFrameBase64": "aGVsbG8="]
        #expect(keeping.publishedResponse(response) == response)
        #expect(builder.publishedResponse(response)["BestFrameBase64"]?["bytes"] == 5)
    }

    @Test("status follows ErrorCode and the final error code")
    func statusMapping() {
        #expect(VerificationOutcome.result(["ErrorCode": 0]).status == .passed)
        #expect(VerificationOutcome.result(["ErrorCode": .number("0.0")]).status == .passed)
        #expect(VerificationOutcome.result(["ErrorCode": -1]).status == .failed)
        #expect(VerificationOutcome.result(["ErrorCode": 2004]).status == .failed)
        #expect(VerificationOutcome.isPending(["ErrorCode": nil]))
        #expect(VerificationOutcome.isPending(["RequestId": "r"]))
        #expect(!VerificationOutcome.isPending(["ErrorCode": 0]))
        #expect(VerificationStatus(finalErrorCode: "InvalidParameterValue.BizTokenExpired") == .expired)
        #expect(VerificationStatus(finalErrorCode: "InvalidParameterValue.BizTokenIllegal") == .invalidToken)
        #expect(VerificationStatus(finalErrorCode: "InvalidParameter") == .invalidToken)
        #expect(VerificationStatus(finalErrorCode: "InvalidParameterValue") == .invalidToken)
        #expect(VerificationStatus(finalErrorCode: "InvalidParameterValue.Other") == .invalidToken)
        #expect(VerificationStatus(finalErrorCode: "FailedOperation.Unknown") == nil)
        #expect(
            VerificationStatus.allCases.map(\.rawValue) == [
                "passed", "failed", "incomplete", "expired", "invalid_token",
            ]
        )
    }

    @Test("the pure-Swift MD5 used by these tests matches known digests")
    func md5KnownAnswers() {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(
            MD5.hex(Array("The quick brown fox jumps over the lazy dog".utf8)) == "9e107d9d372bb6826bd81d3542a419d6"
        )
        #expect(MD5.hex(Array(repeating: 0x61, count: 1000)) == "cabe45dcc9ae5b66ba86600cca6b8ba8")
    }
}
