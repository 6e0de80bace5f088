import EnricherJSON
import Foundation
import Simulator
import TencentCloud
import Testing

/// The credentials every test simulator accepts.
enum TestAccount {
    static let secretID = "AKIDsimulatorTEST0001"
    static let secretKey = "simulator-test-secret-key"
    static let secret = SimulatorSecret(secretID: secretID, secretKey: secretKey)

    /// A configuration accepting the test account, unlimited unless a test sets a rate.
    static func configuration(
        rateLimit: Int = 0,
        faults: [SimulatorFault: Double] = [:],
        slowDelay: Duration = .seconds(5),
        seed: UInt64? = 7
    ) -> SimulatorConfiguration {
        SimulatorConfiguration(secrets: [secret], rateLimit: rateLimit, slowDelay: slowDelay, faults: faults, seed: seed)
    }
}

/// One FaceID call as a client would sign it with the `TencentCloud` signer, with knobs to
/// break exactly one thing (a header, the key, the clock, the body).
struct SignedCall {
    var bizToken: String? = "PASS-test"
    var action = "GetWebVerificationResult"
    var version = "2018-03-01"
    var region = "ap-singapore"
    var secretID = TestAccount.secretID
    var secretKey = TestAccount.secretKey
    var timestamp = Int64(Date().timeIntervalSince1970)
    /// Header names left out of the request after signing.
    var omittedHeaders: Set<String> = []
    /// When set, sent instead of the signed body.
    var sentBody: [UInt8]?
    /// When set, sent as the Authorization header instead of the real one.
    var authorizationOverride: String?
    var timeout: Duration = .seconds(10)

    var body: [UInt8] {
        guard let bizToken else { return Array("{}".utf8) }
        return JSONValue.members(["BizToken": .string(bizToken)]).serializedBytes
    }

    func headers(port: Int) -> [(name: String, value: String)] {
        let request = TC3Request(
            host: "127.0.0.1:\(port)",
            action: action,
            version: version,
            region: region,
            payload: body
        )
        let signer = TC3Signer(
            credentials: TencentCloudCredentials(secretID: secretID, secretKey: secretKey),
            service: "faceid"
        )
        return signer.headers(for: request, at: timestamp).compactMap { header in
            if omittedHeaders.contains(where: { $0.lowercased() == header.name.lowercased() }) { return nil }
            if header.name == "Authorization", let authorizationOverride {
                return (name: header.name, value: authorizationOverride)
            }
            return header
        }
    }

    func send(to simulator: FaceIDSimulator) async throws -> LoopbackHTTP.Response {
        let port = try #require(simulator.port)
        return try await LoopbackHTTP.send(port: port, headers: headers(port: port), body: sentBody ?? body, timeout: timeout)
    }

    /// Sends and returns the `Response` object of a 200 JSON answer.
    func response(from simulator: FaceIDSimulator) async throws -> JSONValue {
        let answer = try await send(to: simulator)
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type") == "application/json")
        let document = try JSONValue(parsing: answer.body)
        return try #require(document["Response"])
    }
}

extension JSONValue {
    /// `Response.Error.Code`, when this is an error envelope's `Response`.
    var errorCode: String? { self["Error"]?["Code"]?.stringValue }
}
