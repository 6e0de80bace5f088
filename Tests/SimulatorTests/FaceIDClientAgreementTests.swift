import Simulator
import TencentCloud
import TestSupport
import Testing

/// Our own `FaceIDClient` (libcurl, the shared signer) against the simulator: the two halves
/// of the project must agree on the wire, and the client must classify every simulated
/// failure the way the contract groups them.
@Suite("FaceIDClient against the simulator")
struct FaceIDClientAgreementTests {
    func withClient<Result: Sendable>(
        _ simulator: FaceIDSimulator,
        action: FaceIDAction = .getWebVerificationResult,
        secretKey: String = TestAccount.secretKey,
        requestTimeout: Duration = .seconds(10),
        _ body: (FaceIDClient) async throws -> Result
    ) async throws -> Result {
        let port = try #require(simulator.port)
        let configuration = FaceIDClientConfiguration(
            endpoint: try TencentCloudEndpoint(parsing: "http://127.0.0.1:\(port)"),
            action: action,
            credentials: TencentCloudCredentials(secretID: TestAccount.secretID, secretKey: secretKey),
            requestTimeout: requestTimeout
        )
        let client = try FaceIDClient(configuration: configuration)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    func apiError(_ operation: () async throws(TencentCloudError) -> WebVerificationResult) async -> TencentCloudError? {
        do {
            _ = try await operation()
            return nil
        } catch {
            return error
        }
    }

    @Test("Scripted results arrive verbatim through the client, for both actions", arguments: FaceIDAction.allCases)
    func scriptedResults(action: FaceIDAction) async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            try await withClient(simulator, action: action) { client in
                let passed = try await client.getWebVerificationResult(bizToken: "PASS-client", region: .jakarta)
                #expect(passed.errorCode == 0)
                #expect(passed.requestID != nil)
                #expect(passed.hasMediaURLs == (action == .getWebVerificationResult))
                let failed = try await client.getWebVerificationResult(bizToken: "FAIL2016-client")
                #expect(failed.errorCode == 2016)
                let pending = try await client.getWebVerificationResult(bizToken: "PEND1-client")
                #expect(!pending.hasVerdict)
                let finished = try await client.getWebVerificationResult(bizToken: "PEND1-client")
                #expect(finished.errorCode == 0)
            }
            #expect(simulator.counters.requestsByAction[action.rawValue] == 4)
        }
    }

    @Test("API errors come back typed and classified as the contract groups them")
    func apiErrorsAreClassified() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            try await withClient(simulator) { client in
                let expired = await apiError { () async throws(TencentCloudError) in
                    try await client.getWebVerificationResult(bizToken: "EXPD-client")
                }
                #expect(expired?.code == .bizTokenExpired)
                #expect(expired?.category == .final)
                #expect(expired?.requestID != nil)
            }
            try await withClient(simulator, secretKey: "wrong") { client in
                let rejected = await apiError { () async throws(TencentCloudError) in
                    try await client.getWebVerificationResult(bizToken: "PASS-client")
                }
                #expect(rejected?.code == .authFailureSignatureFailure)
                #expect(rejected?.isHalting == true)
            }
        }
    }

    @Test(
        "Injected faults reach the client as the failures they imitate",
        arguments: [
            (SimulatorFault.resourceUnavailable, TencentCloudError.Category.retryable),
            (.internalError, .retryable),
            (.inArrears, .halting),
            (.http500, .retryable),
            (.reset, .retryable),
        ]
    )
    func faultsAreClassified(fault: SimulatorFault, category: TencentCloudError.Category) async throws {
        try await withSimulator(TestAccount.configuration(faults: [fault: 1])) { simulator in
            try await withClient(simulator) { client in
                let error = await apiError { () async throws(TencentCloudError) in
                    try await client.getWebVerificationResult(bizToken: "PASS-client")
                }
                #expect(error?.category == category)
                switch fault {
                case .http500: #expect(error?.httpStatus == 500)
                case .reset: #expect(error?.kind == .connectionReset)
                default: #expect(error?.kind == .api)
                }
            }
        }
    }

    @Test("A slow answer times the client out; the rate limit reads as rate limiting")
    func slowAndRateLimited() async throws {
        let slow = TestAccount.configuration(faults: [.slow: 1], slowDelay: .seconds(3))
        try await withSimulator(slow) { simulator in
            try await withClient(simulator, requestTimeout: .milliseconds(300)) { client in
                let error = await apiError { () async throws(TencentCloudError) in
                    try await client.getWebVerificationResult(bizToken: "PASS-client")
                }
                #expect(error?.kind == .timeout)
                #expect(error?.isRetryable == true)
            }
        }
        try await withSimulator(TestAccount.configuration(rateLimit: 1)) { simulator in
            try await withClient(simulator) { client in
                var limited: TencentCloudError?
                for index in 0..<20 where limited == nil {
                    limited = await apiError { () async throws(TencentCloudError) in
                        try await client.getWebVerificationResult(bizToken: "PASS-\(index)")
                    }
                }
                #expect(limited?.code == .requestLimitExceeded)
                #expect(limited?.isRateLimited == true)
            }
        }
    }
}
