import EnricherJSON
import Foundation
import TestSupport
import Testing

@testable import Simulator

@Suite("Simulator internals: scripts, draws, logging, lifecycle")
struct SimulatorInternalsTests {
    @Test(
        "The BizToken's first dash-separated part picks the script",
        arguments: [
            ("PASS-1", ScriptedOutcome.pass),
            ("EE13636D-1985-42CA", .pass),
            ("FAIL1001-x", .fail(code: 1001)),
            ("FAIL-x", .fail(code: 1001)),
            ("FAIL2016-x-y", .fail(code: 2016)),
            ("FAILED-x", .pass),
            ("PEND3-x", .pending(calls: 3)),
            ("PEND-x", .pending(calls: 1)),
            ("PENDX-x", .pendingForever),
            ("EXPD-x", .expired),
            ("ILLG-x", .illegal),
            ("EXPD", .pass),
        ]
    )
    func scriptFromToken(token: String, expected: ScriptedOutcome) {
        #expect(ScriptedOutcome(bizToken: token) == expected)
    }

    @Test("Latency draws stay within latency ± jitter and never go below zero")
    func latencyDrawsStayInRange() {
        var state = SimulatorState(
            configuration: SimulatorConfiguration(latency: .milliseconds(100), jitter: .milliseconds(50), seed: 1)
        )
        var draws: [Duration] = []
        for _ in 0..<200 { draws.append(state.drawLatency()) }
        #expect(draws.allSatisfy { $0 >= .milliseconds(50) && $0 <= .milliseconds(150) })
        #expect(Set(draws).count > 1)

        state.latency = .milliseconds(10)
        state.jitter = .milliseconds(100)
        var clamped: [Duration] = []
        for _ in 0..<200 { clamped.append(state.drawLatency()) }
        #expect(clamped.allSatisfy { $0 >= .zero && $0 <= .milliseconds(110) })
    }

    @Test("A request log line holds action, token, outcome and latency, and no media URL")
    func requestLogLine() throws {
        let response = SimulatedResult.response(
            verdict: .passed,
            action: .getWebVerificationResult,
            bizToken: "PASS-log",
            region: "ap-singapore",
            now: 1_700_000_000,
            requestID: "r-1"
        ) { file in "https://faceid-sg.cos.ap-singapore.myqcloud.com/web/\(file)?q-signature=abc" }
        let decision = FaceIDSimulator.Decision(
            answer: .response(response),
            outcome: "0",
            action: "GetWebVerificationResult",
            bizToken: "PASS-log",
            delay: .zero
        )
        let line = FaceIDSimulator.requestLogLine(decision, elapsed: .milliseconds(12), at: Date())
        let parsed = try JSONValue(parsing: line)
        #expect(parsed["action"] == "GetWebVerificationResult")
        #expect(parsed["bizToken"] == "PASS-log")
        #expect(parsed["outcome"] == "0")
        #expect(parsed["latencyMs"] == 12)
        #expect(parsed["time"]?.stringValue != nil)
        #expect(!line.contains("https://"))
        #expect(!line.contains("q-signature"))
        #expect(!line.contains("Signature"))
    }

    @Test("A GET request's BizToken is read from its query")
    func bizTokenFromQuery() throws {
        #expect(try FaceIDSimulator.bizToken(inQuery: "Action=x&BizToken=PASS-a%2Bb").get() == "PASS-a+b")
        #expect(throws: SimulatedAPIError.missingParameter("BizToken")) {
            try FaceIDSimulator.bizToken(inQuery: "Action=x").get()
        }
    }

    @Test("A second simulator on a taken port fails to start with a typed error")
    func bindFailureIsReported() async throws {
        try await withSimulator(TestAccount.configuration()) { running in
            let port = try #require(running.port)
            let second = FaceIDSimulator(configuration: SimulatorConfiguration(port: port, secrets: [TestAccount.secret]))
            await #expect {
                try await second.run()
            } throws: { error in
                (error as? SimulatorError)?.code == .startFailed
            }
            await #expect(throws: SimulatorError.self) { try await second.waitUntilRunning() }
            #expect(second.port == nil)
        }
    }

    @Test("A simulator runs once")
    func runsOnce() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            await #expect {
                try await simulator.run()
            } throws: { error in
                (error as? SimulatorError)?.code == .alreadyStarted
            }
            #expect(simulator.baseURL == "http://127.0.0.1:\(simulator.port ?? -1)/")
        }
    }

    @Test("media URLs are valid from their start to the end of their window, then refused as expired")
    func mediaURLWindow() throws {
        let link = SimulatedMediaLink(key: Array("k".utf8))
        let url = link.url(base: "http://127.0.0.1:9000", region: "ap-jakarta", bizToken: "PASS-w", file: "video.mp4", now: 1000, ttl: 600)
        let components = try #require(URLComponents(string: url))
        let path = components.percentEncodedPath
        let query = try #require(components.percentEncodedQuery)
        #expect(link.target(path: path, query: query, now: 1000) == .success(.init(region: "ap-jakarta", bizToken: "PASS-w", file: "video.mp4")))
        #expect(link.target(path: path, query: query, now: 1600) == .success(.init(region: "ap-jakarta", bizToken: "PASS-w", file: "video.mp4")))
        #expect(link.target(path: path, query: query, now: 1601) == .failure(.expired))
        #expect(link.target(path: path, query: query, now: 600) == .failure(.badSignature), "not valid long before its window")
        let other = SimulatedMediaLink(key: Array("other".utf8))
        #expect(other.target(path: path, query: query, now: 1000) == .failure(.badSignature))
    }
}
