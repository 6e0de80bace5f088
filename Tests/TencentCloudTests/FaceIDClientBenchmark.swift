import Foundation
import Simulator
import TencentCloud
import TestSupport
import Testing

/// Signed FaceID calls per second over one kept-alive loopback server at 1, 16 and 64 in
/// flight: signing, transport and parsing together.
///
/// A measurement, not a check of speed: it runs only when `CURLHTTP_BENCH=1`, prints its
/// figures and fails only if a call fails. Run it in release:
/// `CURLHTTP_BENCH=1 swift test -c release --filter FaceIDClientBenchmark`.
@Suite("FaceIDClient throughput (CURLHTTP_BENCH=1)", .serialized)
struct FaceIDClientBenchmark {
    @Test(
        "signed calls per second at 1, 16 and 64 in flight",
        .enabled(if: ProcessInfo.processInfo.environment["CURLHTTP_BENCH"] == "1"),
        arguments: [1, 16, 64]
    )
    func throughput(inFlight: Int) async throws {
        let reply = LoopbackHTTPReply.json(
            #"{"Response":{"ErrorCode":0,"ErrorMsg":"Succeed","VerificationDetailList":[],"RequestId":"r"}}"#
        )
        try await LoopbackHTTPServer.withServer(handler: { _ in reply }) { server in
            let client = try FaceIDClient(
                configuration: FaceIDClientConfiguration(
                    endpoint: TencentCloudEndpoint(parsing: server.baseURL),
                    credentials: TencentCloudCredentials(secretID: "AKIDbench", secretKey: "bench-key")
                )
            )
            await measure(client, inFlight: inFlight, perWorker: inFlight == 1 ? 5_000 : max(200, 40_000 / inFlight)) {
                "FaceIDClient bench: \($0), connections: \(server.connectionsAccepted)"
            }
        }
    }

    @Test(
        "signed calls per second against the FaceID simulator at 1, 16 and 64 in flight",
        .enabled(if: ProcessInfo.processInfo.environment["CURLHTTP_BENCH"] == "1"),
        arguments: [1, 16, 64]
    )
    func throughputAgainstSimulator(inFlight: Int) async throws {
        var configuration = SimulatorConfiguration()
        configuration.port = 0
        configuration.rateLimit = 0
        configuration.secrets = [SimulatorSecret(secretID: "AKIDbench", secretKey: "bench-key")]
        try await withSimulator(configuration) { simulator in
            let port = try await simulator.waitUntilRunning()
            let client = try FaceIDClient(
                configuration: FaceIDClientConfiguration(
                    endpoint: TencentCloudEndpoint(parsing: "http://127.0.0.1:\(port)"),
                    credentials: TencentCloudCredentials(secretID: "AKIDbench", secretKey: "bench-key")
                )
            )
            await measure(client, inFlight: inFlight, perWorker: inFlight == 1 ? 2_000 : max(100, 20_000 / inFlight)) {
                "FaceIDClient vs simulator: \($0)"
            }
        }
    }

    /// Warms up, times `inFlight × perWorker` calls, prints the rate through `label`, and
    /// checks every call succeeded.
    private func measure(
        _ client: FaceIDClient,
        inFlight: Int,
        perWorker: Int,
        label: (String) -> String
    ) async {
        _ = await calls(client, workers: inFlight, each: 20)
        let start = ContinuousClock.now
        let (succeeded, failed) = await calls(client, workers: inFlight, each: perWorker)
        let elapsed = ContinuousClock.now - start
        await client.shutdown()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(label("\(inFlight) in flight: \(succeeded) calls in \(String(format: "%.2f", seconds)) s = \(Int(Double(succeeded) / seconds)) calls/s"))
        #expect(failed == 0)
        #expect(succeeded == inFlight * perWorker)
    }

    private func calls(_ client: FaceIDClient, workers: Int, each: Int) async -> (Int, Int) {
        await withTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var succeeded = 0
                    var failed = 0
                    for index in 0..<each {
                        do {
                            let result = try await client.getWebVerificationResult(bizToken: "PASS-\(worker)-\(index)")
                            if result.errorCode == 0 { succeeded += 1 } else { failed += 1 }
                        } catch {
                            failed += 1
                        }
                    }
                    return (succeeded, failed)
                }
            }
            var total = (0, 0)
            for await (succeeded, failed) in group {
                total.0 += succeeded
                total.1 += failed
            }
            return total
        }
    }
}
