import EnricherJSON
import Simulator
import TestSupport
import Testing

@Suite("Fault injection")
struct FaultInjectionTests {
    @Test(
        "API-error faults answer their code in Tencent's envelope",
        arguments: [
            (SimulatorFault.resourceUnavailable, "ResourceUnavailable"),
            (SimulatorFault.inArrears, "ResourceUnavailable.InArrears"),
            (SimulatorFault.internalError, "InternalError"),
        ]
    )
    func apiErrorFaults(fault: SimulatorFault, code: String) async throws {
        try await withSimulator(TestAccount.configuration(faults: [fault: 1])) { simulator in
            let response = try await SignedCall(bizToken: "PASS-f").response(from: simulator)
            #expect(response.errorCode == code)
            #expect(simulator.counters.faultsInjected[fault] == 1)
            #expect(simulator.counters.callsPerToken["PASS-f"] == nil)
        }
    }

    @Test("http500 answers HTTP 500 with a body that is not JSON")
    func http500() async throws {
        try await withSimulator(TestAccount.configuration(faults: [.http500: 1])) { simulator in
            let answer = try await SignedCall().send(to: simulator)
            #expect(answer.status == 500)
            #expect(answer.header("Content-Type") != "application/json")
            #expect(throws: (any Error).self) { try JSONValue(parsing: answer.body) }
            #expect(simulator.counters.count(of: "http500") == 1)
        }
    }

    @Test("reset drops the connection without an answer")
    func reset() async throws {
        try await withSimulator(TestAccount.configuration(faults: [.reset: 1])) { simulator in
            await #expect {
                _ = try await SignedCall().send(to: simulator)
            } throws: { error in
                guard let failure = error as? LoopbackHTTP.Failure else { return false }
                return failure == .connectionReset || failure == .emptyReply
            }
            #expect(simulator.counters.count(of: "reset") == 1)
        }
    }

    @Test("slow holds the answer past a client's timeout, then answers normally")
    func slow() async throws {
        // The first call's timeout leaves a loaded machine ample time to deliver the request (so
        // the simulator counts it) while staying well below the slow delay.
        let configuration = TestAccount.configuration(faults: [.slow: 1], slowDelay: .seconds(4))
        try await withSimulator(configuration) { simulator in
            await #expect(throws: LoopbackHTTP.Failure.timedOut) {
                _ = try await SignedCall(timeout: .milliseconds(1500)).send(to: simulator)
            }
            let response = try await SignedCall(timeout: .seconds(20)).response(from: simulator)
            #expect(response["ErrorCode"] == 0)
            #expect(simulator.counters.faultsInjected[.slow] == 2)
        }
    }

    @Test("Faults can be switched on and off while running")
    func faultsChangeAtRuntime() async throws {
        try await withSimulator(TestAccount.configuration()) { simulator in
            let before = try await SignedCall().response(from: simulator)
            #expect(before["ErrorCode"] == 0)
            simulator.setFaultProbability(1, for: .internalError)
            let during = try await SignedCall().response(from: simulator)
            #expect(during.errorCode == "InternalError")
            simulator.clearFaults()
            let after = try await SignedCall().response(from: simulator)
            #expect(after["ErrorCode"] == 0)
        }
    }

    @Test("The same seed injects the same faults")
    func seededFaultsRepeat() async throws {
        func outcomes(seed: UInt64) async throws -> [String] {
            try await withSimulator(TestAccount.configuration(faults: [.internalError: 0.5], seed: seed)) { simulator in
                var seen: [String] = []
                for index in 0..<16 {
                    let response = try await SignedCall(bizToken: "PASS-\(index)").response(from: simulator)
                    seen.append(response.errorCode ?? "ok")
                }
                return seen
            }
        }
        let first = try await outcomes(seed: 42)
        let second = try await outcomes(seed: 42)
        #expect(first == second)
        #expect(first.contains("InternalError"))
        #expect(first.contains("ok"))
    }

    @Test("Fault assignments parse as KIND=P with P in 0…1")
    func faultAssignmentParsing() {
        #expect(SimulatorFault.parseAssignment("slow=0.25")?.fault == .slow)
        #expect(SimulatorFault.parseAssignment("in_arrears=1")?.probability == 1)
        #expect(SimulatorFault.parseAssignment("slow=1.5") == nil)
        #expect(SimulatorFault.parseAssignment("melt=0.1") == nil)
        #expect(SimulatorFault.parseAssignment("slow") == nil)
    }
}
