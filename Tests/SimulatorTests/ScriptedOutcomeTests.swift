import EnricherJSON
import Foundation
import Simulator
import TencentCloud
import TestSupport
import Testing

@Suite("Scripted outcomes by BizToken prefix")
struct ScriptedOutcomeTests {
    @Test("PASS- answers ErrorCode 0 with a verification detail, media URLs and real MD5s")
    func passAnswersSuccessWithDetailsAndMedia() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(bizToken: "PASS-abc").response(from: simulator)
            #expect(response["ErrorCode"] == 0)
            #expect(response["ErrorMsg"] == "Succeed")
            let details = try #require(response["VerificationDetailList"]?.arrayValue)
            #expect(details.count == 1)
            #expect(details.first?["ErrorCode"] == 0)
            #expect(details.first?["LivenessErrorCode"] == 0)
            #expect(details.first?["CompareErrorCode"] == 0)
            #expect((details.first?["Similarity"]?.doubleValue ?? 0) >= 70)
            #expect(details.first?["Seq"]?.stringValue?.isEmpty == false)
            #expect(details.first?["ReqTimestamp"]?.intValue != nil)
            // The media is served by the simulator itself, at the address the call reached.
            let base = "http://127.0.0.1:\(simulator.port ?? 0)/faceid-media/"
            #expect(response["VideoBestFrameUrl"]?.stringValue?.hasPrefix(base) == true)
            #expect(response["VideoUrl"]?.stringValue?.hasPrefix(base) == true)
            #expect(response["VideoBestFrameMd5"]?.stringValue?.count == 32)
            #expect(response["VideoMd5"]?.stringValue?.count == 32)
            #expect(response["RequestId"]?.stringValue.flatMap(UUID.init(uuidString:)) != nil)
            let keys = response.objectMembers?.map(\.key)
            #expect(
                keys == [
                    "ErrorCode", "ErrorMsg", "VideoBestFrameUrl", "VideoBestFrameMd5", "VerificationDetailList", "VideoUrl",
                    "VideoMd5", "RequestId",
                ]
            )
        }
    }

    @Test("A token without a known prefix passes")
    func unprefixedTokenPasses() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(bizToken: "EE13636D-1985-42CA-BD61-73F4C8B687E6").response(from: simulator)
            #expect(response["ErrorCode"] == 0)
        }
    }

    @Test(
        "FAIL<code>- answers that ErrorCode with its message",
        arguments: [
            ("FAIL1004-x", 1004, "Face detection failed"),
            ("FAIL-x", 1001, "Failed to call the liveness engine"),
            ("FAIL2016-x", 2016, "The similarity did not reach the passing standard"),
            ("FAIL4321-x", 4321, "Verification failed (error code 4321)"),
            ("FAIL15-x", 15, "Token expired"),
        ]
    )
    func failAnswersItsCode(token: String, code: Int, message: String) async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(bizToken: token).response(from: simulator)
            #expect(response["ErrorCode"]?.intValue == code)
            #expect(response["ErrorMsg"]?.stringValue == message)
            #expect(simulator.counters.count(of: String(code)) == 1)
        }
    }

    @Test("A liveness failure has no comparison result; a comparison failure has a low similarity")
    func failureDetailsNameTheFailingStep() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let liveness = try await SignedCall(bizToken: "FAIL1005-x").response(from: simulator)
            let livenessDetail = try #require(liveness["VerificationDetailList"]?.arrayValue?.first)
            #expect(livenessDetail["LivenessErrorCode"] == 1005)
            #expect(livenessDetail["CompareErrorCode"] == .null)

            let compare = try await SignedCall(bizToken: "FAIL2016-x").response(from: simulator)
            let compareDetail = try #require(compare["VerificationDetailList"]?.arrayValue?.first)
            #expect(compareDetail["LivenessErrorCode"] == 0)
            #expect(compareDetail["CompareErrorCode"] == 2016)
            #expect((compareDetail["Similarity"]?.doubleValue ?? 100) < 70)
        }
    }

    @Test("PEND<k>- answers ErrorCode null without media for k calls, then passes")
    func pendIsNullForKCallsThenPasses() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let call = SignedCall(bizToken: "PEND2-abc")
            for _ in 0..<2 {
                let pending = try await call.response(from: simulator)
                #expect(pending["ErrorCode"] == .null)
                #expect(pending["ErrorMsg"] == .null)
                #expect(pending["VideoUrl"] == .null)
                #expect(pending["VideoBestFrameUrl"] == .null)
            }
            let done = try await call.response(from: simulator)
            #expect(done["ErrorCode"] == 0)
            #expect(simulator.counters.callsPerToken["PEND2-abc"] == 3)
            #expect(simulator.counters.count(of: "null") == 2)
        }
    }

    @Test("PENDX- answers ErrorCode null on every call")
    func pendXStaysNull() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            for _ in 0..<4 {
                let response = try await SignedCall(bizToken: "PENDX-abc").response(from: simulator)
                #expect(response["ErrorCode"] == .null)
            }
        }
    }

    @Test(
        "EXPD- and ILLG- answer the BizToken errors in Tencent's error envelope",
        arguments: [
            ("EXPD-abc", "InvalidParameterValue.BizTokenExpired"),
            ("ILLG-abc", "InvalidParameterValue.BizTokenIllegal"),
        ]
    )
    func tokenErrors(token: String, code: String) async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(bizToken: token).response(from: simulator)
            #expect(response.errorCode == code)
            #expect(response["Error"]?["Message"]?.stringValue?.isEmpty == false)
            #expect(response["RequestId"]?.stringValue?.isEmpty == false)
            #expect(response["ErrorCode"] == nil)
        }
    }

    @Test("A body without BizToken answers MissingParameter")
    func missingBizToken() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(bizToken: nil).response(from: simulator)
            #expect(response.errorCode == "MissingParameter")
        }
    }

    @Test("The Intl action adds inline base64 media, OCRResult and Extra, and the media match the URL action's MD5s")
    func intlAddsInlineMedia() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let intl = try await SignedCall(bizToken: "PASS-intl", action: "GetWebVerificationResultIntl")
                .response(from: simulator)
            let plain = try await SignedCall(bizToken: "PASS-intl").response(from: simulator)
            #expect(intl["ErrorCode"] == 0)
            let frame = try #require(intl["BestFrameBase64"]?.stringValue.flatMap { Data(base64Encoded: $0) })
            let video = try #require(intl["VideoBase64"]?.stringValue.flatMap { Data(base64Encoded: $0) })
            #expect(frame.starts(with: [0xFF, 0xD8]))
            #expect(video.count > 2048)
            #expect(Digest.md5Hex(Array(frame)) == plain["VideoBestFrameMd5"]?.stringValue)
            #expect(Digest.md5Hex(Array(video)) == plain["VideoMd5"]?.stringValue)
            #expect(intl["OCRResult"]?.arrayValue?.count == 1)
            #expect(intl["Extra"]?.stringValue != nil)
            #expect(intl["VideoUrl"] == nil)
            #expect(intl["VerificationDetailList"]?.arrayValue?.count == 1)

            let pending = try await SignedCall(bizToken: "PENDX-intl", action: "GetWebVerificationResultIntl")
                .response(from: simulator)
            #expect(pending["ErrorCode"] == .null)
            #expect(pending["BestFrameBase64"] == .null)
            #expect(pending["VideoBase64"] == .null)
        }
    }

    @Test("Counters record requests by action and answers by outcome")
    func countersRecordRequests() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            _ = try await SignedCall(bizToken: "PASS-1").response(from: simulator)
            _ = try await SignedCall(bizToken: "FAIL1001-1").response(from: simulator)
            _ = try await SignedCall(bizToken: "EXPD-1", action: "GetWebVerificationResultIntl").response(from: simulator)
            let counters = simulator.counters
            #expect(counters.totalRequests == 3)
            #expect(counters.requestsByAction["GetWebVerificationResult"] == 2)
            #expect(counters.requestsByAction["GetWebVerificationResultIntl"] == 1)
            #expect(counters.outcomes == ["0": 1, "1001": 1, "InvalidParameterValue.BizTokenExpired": 1])
            #expect(counters.peakRequestsPerSecond >= 1)

            simulator.resetCounters()
            #expect(simulator.counters == SimulatorCounters())
        }
    }
}
