import EnricherJSON
import Foundation
import Synchronization
import Testing
import TestSupport

/// `faceid-enricher simulate` as a user runs it: flags and credentials from the environment,
/// a banner naming the port, signed calls answered, and a clean exit on SIGTERM.
@Suite("faceid-enricher simulate")
struct SimulateCommandTests {
    /// The built executable (see ``EnricherProcess/binaryPath``).
    static var executable: URL? {
        EnricherProcess.binaryPath.map { URL(fileURLWithPath: $0) }
    }

    /// Collects a pipe's output as it arrives, so the test can wait for a line without blocking.
    final class OutputCollector: Sendable {
        private let text = Mutex("")

        func attach(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                guard !data.isEmpty else {
                    // End of file: stop watching, or the handler would be called again and again.
                    handle.readabilityHandler = nil
                    return
                }
                let chunk = String(decoding: data, as: UTF8.self)
                text.withLock { $0 += chunk }
            }
        }

        var current: String { text.withLock { $0 } }
    }

    @Test(
        "simulate serves signed calls on the port it announces and exits 0 on SIGTERM",
        .enabled("needs the faceid-enricher executable built (swift build)") { SimulateCommandTests.executable != nil }
    )
    func servesAndStopsCleanly() async throws {
        let process = Process()
        let executable = try #require(Self.executable)
        process.executableURL = executable
        process.arguments = [
            "simulate", "--port", "0", "--rate-limit", "0", "--log-requests", "--secret", "AKIDother=other-key",
            "--media-ttl", "30s", "--media-video-bytes", "8192", "--fault", "media_missing=0",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "TENCENTCLOUD_SECRET_ID": TestAccount.secretID,
            "TENCENTCLOUD_SECRET_KEY": TestAccount.secretKey,
        ]) { _, new in new }
        let errors = Pipe()
        let output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        let stderrText = OutputCollector()
        let stdoutText = OutputCollector()
        stderrText.attach(errors)
        stdoutText.attach(output)
        try process.run()
        let pidFile = Subprocess.recordPID(of: process)
        defer {
            if process.isRunning { process.terminate() }
            if let pidFile { try? FileManager.default.removeItem(at: pidFile) }
        }

        var port: Int?
        for _ in 0..<100 where port == nil {
            port = Self.announcedPort(in: stderrText.current)
            if port == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let listening = try #require(port, "no banner on stderr: \(stderrText.current)")

        let answer = try await LoopbackHTTP.send(
            port: listening,
            headers: SignedCall(bizToken: "FAIL1004-cli").headers(port: listening),
            body: SignedCall(bizToken: "FAIL1004-cli").body
        )
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self).contains(#""ErrorCode":1004"#))

        var other = SignedCall(bizToken: "PASS-cli")
        other.secretID = "AKIDother"
        other.secretKey = "other-key"
        let otherAnswer = try await LoopbackHTTP.send(port: listening, headers: other.headers(port: listening), body: other.body)
        #expect(String(decoding: otherAnswer.body, as: UTF8.self).contains(#""ErrorCode":0"#))
        // The media URL points back at this process and serves a video of the size asked for.
        let videoURL = try #require(try JSONValue(parsing: otherAnswer.body)["Response"]?["VideoUrl"]?.stringValue)
        #expect(videoURL.hasPrefix("http://127.0.0.1:\(listening)/faceid-media/"))
        #expect(try await MediaServingTests.get(videoURL).body.count == 8192)

        process.terminate()
        for _ in 0..<100 where process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let logged = stdoutText.current
        #expect(logged.contains(#""bizToken":"FAIL1004-cli""#))
        #expect(!logged.contains(TestAccount.secretKey))
        #expect(!stderrText.current.contains(TestAccount.secretKey))
    }

    static func announcedPort(in text: String) -> Int? {
        guard let range = text.range(of: "listening on http://127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
