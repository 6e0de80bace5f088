import Foundation
import Simulator
import TestSupport
import Testing

/// Tencent's official Python SDK as a second, independent client: it signs, sends and parses
/// in its own way, so agreement with it means the simulator speaks the real wire format.
@Suite("Official Tencent Cloud Python SDK against the simulator")
struct OfficialSDKTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("python/sdk_wire_test.py")
        .path

    static func isSDKInstalled() async -> Bool {
        let probe = try? await Subprocess.run(
            ["python3", "-c", "import tencentcloud.faceid.v20180301.faceid_client"],
            timeout: .seconds(30)
        )
        return probe?.status == 0
    }

    @Test(
        "The official SDK gets results, pending nulls and error codes for both actions",
        .enabled("needs python3 with tencentcloud-sdk-python-faceid installed") { await OfficialSDKTests.isSDKInstalled() }
    )
    func officialSDKAgrees() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let port = try #require(simulator.port)
            let outcome = try await Subprocess.run(
                ["python3", Self.script, "--port", String(port)],
                environment: [
                    "TENCENTCLOUD_SECRET_ID": TestAccount.secretID,
                    "TENCENTCLOUD_SECRET_KEY": TestAccount.secretKey,
                    "NO_PROXY": "127.0.0.1,localhost",
                    "no_proxy": "127.0.0.1,localhost",
                ],
                timeout: .seconds(120)
            )
            #expect(outcome.status == 0, "sdk_wire_test.py failed:\n\(outcome.standardError)")
            #expect(outcome.standardOutput.contains("all checks passed"))
            #expect(simulator.counters.requestsByAction["GetWebVerificationResultIntl", default: 0] > 0)
        }
    }
}
