import EnricherJSON
import Foundation
import Simulator
import TestSupport
import Testing

@Suite("TC3 authentication and the common parameters")
struct AuthenticationTests {
    @Test("A request signed with the accepted key is answered")
    func validSignatureIsAccepted() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall().response(from: simulator)
            #expect(response["ErrorCode"] == 0)
        }
    }

    @Test("An unknown SecretId answers AuthFailure.SecretIdNotFound")
    func unknownSecretID() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(secretID: "AKIDsomeoneelse").response(from: simulator)
            #expect(response.errorCode == "AuthFailure.SecretIdNotFound")
        }
    }

    @Test("A signature made with another key answers AuthFailure.SignatureFailure")
    func wrongKey() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(secretKey: "not-the-key").response(from: simulator)
            #expect(response.errorCode == "AuthFailure.SignatureFailure")
            #expect(response["Error"]?["Message"]?.stringValue?.contains("not-the-key") == false)
        }
    }

    @Test("A body changed after signing answers AuthFailure.SignatureFailure")
    func tamperedBody() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let call = SignedCall(bizToken: "PASS-a", sentBody: Array(#"{"BizToken":"PASS-b"}"#.utf8))
            let response = try await call.response(from: simulator)
            #expect(response.errorCode == "AuthFailure.SignatureFailure")
        }
    }

    @Test("A timestamp more than 300 s off answers AuthFailure.SignatureExpire; 200 s off is accepted")
    func expiredTimestamp() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let now = Int64(Date().timeIntervalSince1970)
            let old = try await SignedCall(timestamp: now - 400).response(from: simulator)
            #expect(old.errorCode == "AuthFailure.SignatureExpire")
            let future = try await SignedCall(timestamp: now + 400).response(from: simulator)
            #expect(future.errorCode == "AuthFailure.SignatureExpire")
            let recent = try await SignedCall(timestamp: now - 200).response(from: simulator)
            #expect(recent["ErrorCode"] == 0)
        }
    }

    @Test(
        "A missing common header answers MissingParameter",
        arguments: ["Authorization", "X-TC-Action", "X-TC-Timestamp", "X-TC-Version", "X-TC-Region"]
    )
    func missingHeader(header: String) async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(omittedHeaders: [header]).response(from: simulator)
            #expect(response.errorCode == "MissingParameter")
        }
    }

    @Test("A malformed Authorization header answers AuthFailure.InvalidAuthorization")
    func malformedAuthorization() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(authorizationOverride: "Bearer abc").response(from: simulator)
            #expect(response.errorCode == "AuthFailure.InvalidAuthorization")
        }
    }

    @Test("An unknown action answers InvalidAction")
    func wrongAction() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(action: "DetectAuth").response(from: simulator)
            #expect(response.errorCode == "InvalidAction")
        }
    }

    @Test("Another API version answers NoSuchVersion")
    func wrongVersion() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(version: "2017-03-12").response(from: simulator)
            #expect(response.errorCode == "NoSuchVersion")
        }
    }

    @Test("A region other than ap-jakarta and ap-singapore answers UnsupportedRegion")
    func wrongRegion() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let response = try await SignedCall(region: "ap-guangzhou").response(from: simulator)
            #expect(response.errorCode == "UnsupportedRegion")
            let jakarta = try await SignedCall(region: "ap-jakarta").response(from: simulator)
            #expect(jakarta["ErrorCode"] == 0)
            #expect(jakarta["VideoUrl"]?.stringValue?.contains("ap-jakarta") == true)
        }
    }

    @Test("Secrets never appear in a configuration's description")
    func secretDescriptionRedactsKey() {
        let secret = SimulatorSecret(secretID: "AKIDvisible", secretKey: "hidden-key")
        #expect(!"\(secret)".contains("hidden-key"))
        #expect(!String(reflecting: secret).contains("hidden-key"))
        #expect("\(secret)".contains("AKIDvisible"))
        #expect(SimulatorSecret(parsing: "ID=KEY=WITH=EQUALS")?.secretKey == "KEY=WITH=EQUALS")
        #expect(SimulatorSecret(parsing: "=KEY") == nil)
        #expect(SimulatorSecret(parsing: "ID=") == nil)
    }
}
