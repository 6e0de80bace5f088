import EnricherJSON
import Foundation
import KafkaClient
import Simulator
import TencentCloud
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// The running service, end to end over Kafka and the FaceID simulator: one output per input, in the
    /// contract's CloudEvents shape, for every status.
    @Suite("Pipeline end to end: outputs")
    struct PipelineOutputTests {
        @Test("every status comes out as a CloudEvent with the contract's fields, key and content-type", arguments: KafkaTestBackend.enabled)
        func everyStatusHasTheContractShape(backend: KafkaTestBackend) async throws {
            try await withEndToEnd(backend: backend, inputPartitions: 3) { e2e in
                let metadata: JSONValue = ["applicantId": "A-1029", "channel": "web", "score": .number("1.10")]
                let events: [(event: TestInputEvent, status: String)] = [
                    (.scripted("PASS", region: "ap-jakarta", metadata: metadata), "passed"),
                    (.scripted("FAIL1001"), "failed"),
                    (.scripted("PEND1"), "passed"),
                    (.scripted("PENDX"), "incomplete"),
                    (.scripted("EXPD"), "expired"),
                    (.scripted("ILLG"), "invalid_token"),
                ]
                let reports = try await e2e.producer.send(events.map(\.event))
                let ids = events.map(\.event.eventId)

                let snapshot = try await e2e.withFleet { _ in
                    try await e2e.withReader { reader in
                        await reader.waitForOutputs(ids, timeout: .seconds(60))
                    }
                }
                let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")
                #expect(snapshot.deadLetters.isEmpty)

                let outputs = snapshot.outputsByEventId
                for ((event, status), report) in zip(events, reports) {
                    let output = try #require(outputs[event.eventId], "no output for \(event.bizToken)")
                    #expect(output.status == status, "\(event.bizToken)")
                    #expect(output.event["specversion"]?.stringValue == "1.0")
                    #expect(output.id == event.eventId)
                    #expect(output.event["source"]?.stringValue == "faceid-enricher")
                    #expect(output.event["type"]?.stringValue == "faceid.verification.result.v1")
                    #expect(output.event["subject"]?.stringValue == event.bizToken)
                    #expect(output.event["time"]?.stringValue?.hasSuffix("Z") == true)
                    #expect(output.event["datacontenttype"]?.stringValue == "application/json")
                    #expect(output.bizToken == event.bizToken)
                    #expect(output.data?["region"]?.stringValue == (event.region ?? "ap-singapore"))
                    #expect(output.key == event.key)
                    #expect(output.contentType == "application/cloudevents+json")
                    #expect(output.sourceTopic == e2e.topics.input)
                    #expect(output.sourcePartition == Int(report.partition))
                    #expect(output.sourceOffset == Int(report.offset))
                    #expect((output.attempts ?? 0) >= 1)
                    #expect(output.data?["fetchedAt"]?.stringValue != nil)
                    if let metadata = event.metadata {
                        #expect(output.data?["metadata"] == metadata, "metadata is passed through verbatim")
                    } else {
                        #expect(output.data?["metadata"] == nil, "metadata is present only when the input had it")
                    }
                    switch status {
                    case "passed", "failed":
                        #expect(output.result?["ErrorCode"]?.intValue == (status == "passed" ? 0 : 1001))
                        #expect(output.error?.isNull == true)
                    case "incomplete":
                        #expect(output.result?["ErrorCode"]?.isNull == true)
                        #expect(output.error?.isNull == true)
                        #expect(output.data?["mediaExpiresAt"]?.isNull == true)
                    case "expired":
                        #expect(output.result?.isNull == true)
                        #expect(output.error?["code"]?.stringValue == "InvalidParameterValue.BizTokenExpired")
                        #expect(output.error?["requestId"]?.stringValue != nil)
                    default:
                        #expect(output.result?.isNull == true)
                        #expect(output.error?["code"]?.stringValue == "InvalidParameterValue.BizTokenIllegal")
                    }
                }
                let pending = try #require(outputs[events[2].event.eventId])
                #expect(pending.attempts == 2, "PEND1 is asked twice: pending, then passed")
            }
        }

        @Test("data.result is the API's Response verbatim: what a direct FaceIDClient call returns", arguments: KafkaTestBackend.enabled)
        func resultIsTheResponseVerbatim(backend: KafkaTestBackend) async throws {
            try await withEndToEnd(backend: backend, inputPartitions: 1) { e2e in
                let passed = TestInputEvent.scripted("PASS")
                let failed = TestInputEvent.scripted("FAIL2006")
                try await e2e.producer.send([passed, failed])
                let snapshot = try await e2e.withFleet { _ in
                    try await e2e.withReader { reader in
                        await reader.waitForOutputs([passed.eventId, failed.eventId])
                    }
                }
                let client = try e2e.makeFaceIDClient()
                let direct = (
                    passed: try await client.getWebVerificationResult(bizToken: passed.bizToken).response,
                    failed: try await client.getWebVerificationResult(bizToken: failed.bizToken).response
                )
                await client.shutdown()

                for (event, answer) in [(passed, direct.passed), (failed, direct.failed)] {
                    let output = try #require(snapshot.outputsByEventId[event.eventId])
                    let result = try #require(output.result)
                    // Same members in the same order; the stable fields equal; only the per-call request id and the
                    // media URLs' signing time may differ between two calls.
                    #expect(result.objectMembers?.map(\.key) == answer.objectMembers?.map(\.key))
                    for field in ["ErrorCode", "ErrorMsg", "VideoBestFrameMd5", "VideoMd5"] {
                        #expect(result[field] == answer[field], "\(field)")
                    }
                    for field in ["VideoBestFrameUrl", "VideoUrl"] {
                        let path = { (value: JSONValue?) in value?.stringValue?.split(separator: "?").first.map(String.init) }
                        #expect(path(result[field]) == path(answer[field]), "\(field)")
                    }
                    #expect(result["VerificationDetailList"]?.arrayValue?.count == answer["VerificationDetailList"]?.arrayValue?.count)
                    #expect(result["RequestId"]?.stringValue?.isEmpty == false)
                    let hasMedia = result["VideoUrl"]?.stringValue != nil
                    #expect((output.data?["mediaExpiresAt"]?.stringValue != nil) == hasMedia)
                }
            }
        }

        @Test("the Intl action: inline media replaced by {bytes, md5} of what the API sent, every other field kept", arguments: KafkaTestBackend.enabled)
        func intlMediaIsSummarized(backend: KafkaTestBackend) async throws {
            try await withEndToEnd(backend: backend, inputPartitions: 1) { e2e in
                let event = TestInputEvent.scripted("PASS")
                try await e2e.producer.send(event)
                var options = EnricherInstanceOptions()
                options.action = .getWebVerificationResultIntl
                let snapshot = try await e2e.withFleet(options: options) { _ in
                    try await e2e.withReader { reader in await reader.waitForOutputs([event.eventId]) }
                }
                let client = try e2e.makeFaceIDClient(action: .getWebVerificationResultIntl)
                let direct = try await client.getWebVerificationResult(bizToken: event.bizToken).response
                await client.shutdown()

                let output = try #require(snapshot.outputsByEventId[event.eventId])
                #expect(output.status == "passed")
                let result = try #require(output.result)
                #expect(result.objectMembers?.map(\.key) == direct.objectMembers?.map(\.key), "every field, in order")
                #expect(result["Extra"] == direct["Extra"])
                #expect(result["OCRResult"]?.arrayValue?.count == direct["OCRResult"]?.arrayValue?.count)
                for field in ["BestFrameBase64", "VideoBase64"] {
                    let text = try #require(direct[field]?.stringValue, "the simulator sends \(field)")
                    let bytes = try #require(Data(base64Encoded: text).map { [UInt8]($0) })
                    #expect(result[field]?["bytes"]?.intValue == bytes.count, "\(field).bytes")
                    #expect(result[field]?["md5"]?.stringValue == Digest.md5Hex(bytes), "\(field).md5")
                    #expect(output.message.value.map { String(decoding: $0, as: UTF8.self).contains(text) } == false, "no inline media in the output")
                }
            }
        }
    }
}
