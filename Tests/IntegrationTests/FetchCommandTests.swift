import EnricherJSON
import Simulator
import TestSupport
import Testing

/// `faceid-enricher fetch BIZTOKEN` against the simulator: the Response as JSON on stdout (exit 0), an API
/// error's code and message on stderr (exit 1), a missing credential as one line on stderr (exit 2).
@Suite(
    "faceid-enricher fetch",
    .enabled("needs the faceid-enricher executable (swift build)") { EnricherProcess.binaryPath != nil }
)
struct FetchCommandTests {
    /// Credentials variables removed from the child's environment, so only what a test passes counts.
    static let credentialVariables: Set<String> = [
        "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_CREDENTIALS_FILE",
        "FACEID_ENDPOINT", "TENCENTCLOUD_REGION", "FACEID_ACTION",
    ]

    static func fetch(_ token: String, simulator: FaceIDSimulator, secret: SimulatorSecret) async throws -> EnricherProcess.Outcome {
        try await EnricherProcess.run(
            ["fetch", token, "--endpoint", simulator.baseURL ?? "", "--region", "ap-jakarta"],
            environment: ["TENCENTCLOUD_SECRET_ID": secret.secretID, "TENCENTCLOUD_SECRET_KEY": secret.secretKey],
            removingEnvironment: credentialVariables,
            timeout: .seconds(30)
        )
    }

    @Test("a result: exit 0 and the API's Response object as JSON on stdout, media URLs included")
    func resultIsPrintedAsJSON() async throws {
        let secret = makeTestSecret()
        try await withSimulator(SimulatorConfiguration(secrets: [secret])) { simulator in
            let outcome = try await Self.fetch("PASS-fetch-1", simulator: simulator, secret: secret)
            #expect(outcome.status == .exited(0), "stderr: \(outcome.standardError)")
            let response = try JSONValue(parsing: outcome.standardOutput)
            #expect(response["ErrorCode"]?.intValue == 0)
            #expect(response["ErrorMsg"]?.stringValue == "Succeed")
            #expect(response["VideoUrl"]?.stringValue?.contains("ap-jakarta") == true, "the region flag is used and the media URL printed")
            #expect(response["RequestId"]?.stringValue?.isEmpty == false)
            #expect(response["Response"] == nil, "the Response object itself, not its envelope")
            #expect(!outcome.standardError.contains(secret.secretKey))
            #expect(simulator.counters.callsPerToken["PASS-fetch-1"] == 1)
        }
    }

    @Test("a pending result (ErrorCode null) is a result too: exit 0")
    func pendingResultIsAResult() async throws {
        let secret = makeTestSecret()
        try await withSimulator(SimulatorConfiguration(secrets: [secret])) { simulator in
            let outcome = try await Self.fetch("PENDX-fetch-2", simulator: simulator, secret: secret)
            #expect(outcome.status == .exited(0), "stderr: \(outcome.standardError)")
            let response = try JSONValue(parsing: outcome.standardOutput)
            #expect(response["ErrorCode"]?.isNull == true)
        }
    }

    @Test("an API error: exit 1, its code and message on stderr, nothing on stdout", arguments: [
        ("EXPD-fetch-3", "InvalidParameterValue.BizTokenExpired"),
        ("ILLG-fetch-4", "InvalidParameterValue.BizTokenIllegal"),
    ])
    func apiErrorExitsOne(token: String, code: String) async throws {
        let secret = makeTestSecret()
        try await withSimulator(SimulatorConfiguration(secrets: [secret])) { simulator in
            let outcome = try await Self.fetch(token, simulator: simulator, secret: secret)
            #expect(outcome.status == .exited(1))
            #expect(outcome.standardError.contains(code), "stderr: \(outcome.standardError)")
            #expect(outcome.standardError.lowercased().contains("biztoken"), "the API's message is shown: \(outcome.standardError)")
            #expect(outcome.standardOutput.isEmpty)
        }
    }

    @Test("a wrong secret key: exit 1 with AuthFailure.SignatureFailure, and the key is never printed")
    func wrongKeyExitsOneWithoutLeakingTheKey() async throws {
        let secret = makeTestSecret()
        let wrong = SimulatorSecret(secretID: secret.secretID, secretKey: "WrongKey\(UInt32.random(in: 0...UInt32.max))")
        try await withSimulator(SimulatorConfiguration(secrets: [secret])) { simulator in
            let outcome = try await Self.fetch("PASS-fetch-5", simulator: simulator, secret: wrong)
            #expect(outcome.status == .exited(1))
            #expect(outcome.standardError.contains("AuthFailure.SignatureFailure"), "stderr: \(outcome.standardError)")
            #expect(!outcome.standardError.contains(wrong.secretKey))
            #expect(!outcome.standardOutput.contains(wrong.secretKey))
        }
    }

    @Test("a missing credential: exit 2 and one line on stderr, no call made")
    func missingCredentialExitsTwo() async throws {
        let secret = makeTestSecret()
        try await withSimulator(SimulatorConfiguration(secrets: [secret])) { simulator in
            let outcome = try await EnricherProcess.run(
                ["fetch", "PASS-fetch-6", "--endpoint", simulator.baseURL ?? ""],
                environment: ["HOME": "/nonexistent-faceid-test-home"],
                removingEnvironment: Self.credentialVariables,
                timeout: .seconds(30)
            )
            #expect(outcome.status == .exited(2))
            let lines = outcome.standardError.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.count == 1, "one line on stderr: \(outcome.standardError)")
            #expect(outcome.standardError.contains("TENCENTCLOUD_SECRET_ID") || outcome.standardError.lowercased().contains("credential"))
            #expect(outcome.standardOutput.isEmpty)
            #expect(simulator.counters.totalRequests == 0)
        }
    }
}
