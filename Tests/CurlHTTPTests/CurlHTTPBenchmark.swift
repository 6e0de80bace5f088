import CurlHTTP
import Foundation
import Synchronization
import TestSupport
import Testing

/// Requests per second over one kept-alive loopback server at 1, 16 and 64 requests in flight.
///
/// A measurement, not a check of speed (no timed assertions): it runs only when
/// `CURLHTTP_BENCH=1`, prints its figures, and fails only if a request fails. Run it in release:
/// `CURLHTTP_BENCH=1 swift test -c release --filter CurlHTTPBenchmark`.
@Suite("CurlHTTP throughput (CURLHTTP_BENCH=1)", .serialized)
struct CurlHTTPBenchmark {
    @Test(
        "requests per second at 1, 16 and 64 in flight",
        .enabled(if: ProcessInfo.processInfo.environment["CURLHTTP_BENCH"] == "1"),
        arguments: [1, 16, 64]
    )
    func throughput(inFlight: Int) async throws {
        let reply = LoopbackHTTPReply.json(#"{"Response":{"ErrorCode":0,"ErrorMsg":"Succeed","RequestId":"r"}}"#)
        try await LoopbackHTTPServer.withServer(handler: { _ in reply }) { server in
            let client = try CurlHTTPClient()
            let request = HTTPRequest(
                method: .post,
                url: server.baseURL + "/",
                headers: [("Content-Type", "application/json")],
                body: Array(#"{"BizToken":"PASS-0000"}"#.utf8)
            )
            let perWorker = inFlight == 1 ? 5_000 : max(200, 40_000 / inFlight)
            // Warm-up: open the connections.
            _ = try await run(client, request, workers: inFlight, each: 20)
            let start = ContinuousClock.now
            let (succeeded, failed) = try await run(client, request, workers: inFlight, each: perWorker)
            let elapsed = ContinuousClock.now - start
            await client.shutdown()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "CurlHTTP bench: \(inFlight) in flight: \(succeeded) requests in \(String(format: "%.2f", seconds)) s = \(Int(Double(succeeded) / seconds)) req/s, connections: \(server.connectionsAccepted)"
            )
            #expect(failed == 0)
            #expect(succeeded == inFlight * perWorker)
        }
    }

    private func run(_ client: CurlHTTPClient, _ request: HTTPRequest, workers: Int, each: Int) async throws -> (
        Int, Int
    ) {
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var succeeded = 0
                    var failed = 0
                    for _ in 0..<each {
                        do {
                            let response = try await client.execute(request)
                            if response.status == 200 { succeeded += 1 } else { failed += 1 }
                        } catch {
                            failed += 1
                        }
                    }
                    return (succeeded, failed)
                }
            }
            var total = (0, 0)
            for try await (succeeded, failed) in group {
                total.0 += succeeded
                total.1 += failed
            }
            return total
        }
    }
}
