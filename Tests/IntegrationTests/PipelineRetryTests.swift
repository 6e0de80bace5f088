import Simulator
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// Transient failures end to end: `ResourceUnavailable` storms, HTTP 500s, resets and timeouts are retried
    /// until every event has its result, and an event being retried does not hold up other keys.
    @Suite("Pipeline end to end: retries")
    struct PipelineRetryTests {
        @Test("a ResourceUnavailable storm (plus 5xx and resets) still gives every event its result", arguments: KafkaTestBackend.enabled)
        func resourceUnavailableStormLosesNothing(backend: KafkaTestBackend) async throws {
            var simulator = SimulatorConfiguration(rateLimit: 0)
            simulator.faults = [.resourceUnavailable: 0.4, .http500: 0.1, .reset: 0.05]
            simulator.seed = 7
            try await withEndToEnd(backend: backend, inputPartitions: 3, simulator: simulator) { e2e in
                let events = (0..<40).map { index in TestInputEvent.scripted(index % 4 == 0 ? "FAIL1001" : "PASS") }
                try await e2e.producer.sendConcurrently(events)
                let ids = events.map(\.eventId)
                let snapshot = try await e2e.withFleet { _ in
                    try await e2e.withReader { reader in await reader.waitForOutputs(ids, timeout: .seconds(90)) }
                }
                let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")
                #expect(snapshot.deadLetters.isEmpty, "no event exhausted its retries")
                let counters = e2e.simulator.counters
                #expect(counters.faultsInjected[.resourceUnavailable, default: 0] > 0, "the storm happened")
                let retried = snapshot.outputs.filter { ($0.attempts ?? 0) > 1 }
                #expect(!retried.isEmpty, "some events needed more than one attempt")
                for output in snapshot.outputs {
                    let expected = output.bizToken?.hasPrefix("FAIL") == true ? "failed" : "passed"
                    #expect(output.status == expected, "a retried event ends with its real verdict")
                }
            }
        }

        @Test("calls that time out (client timeout shorter than the simulator's slow answer) are retried to a result", arguments: KafkaTestBackend.enabled)
        func timeoutsAreRetried(backend: KafkaTestBackend) async throws {
            var simulator = SimulatorConfiguration(rateLimit: 0)
            simulator.slowDelay = .seconds(3)
            simulator.faults = [.slow: 0.3]
            simulator.seed = 11
            try await withEndToEnd(backend: backend, inputPartitions: 2, simulator: simulator) { e2e in
                let events = (0..<20).map { _ in TestInputEvent.scripted("PASS") }
                try await e2e.producer.sendConcurrently(events)
                let ids = events.map(\.eventId)
                var options = EnricherInstanceOptions()
                options.requestTimeout = .milliseconds(800)
                let snapshot = try await e2e.withFleet(options: options) { _ in
                    try await e2e.withReader { reader in await reader.waitForOutputs(ids, timeout: .seconds(90)) }
                }
                let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")
                #expect(snapshot.deadLetters.isEmpty)
                #expect(e2e.simulator.counters.faultsInjected[.slow, default: 0] > 0, "some calls were slow")
                #expect(snapshot.outputs.contains { ($0.attempts ?? 0) > 1 }, "a timed-out call was retried")
                #expect(snapshot.outputs.allSatisfy { $0.status == "passed" })
            }
        }

        @Test("an event being retried does not hold up other keys of its partition", arguments: KafkaTestBackend.enabled)
        func retriedEventDoesNotBlockOtherKeys(backend: KafkaTestBackend) async throws {
            // One partition in and out, so output offsets are publication order. The first event's token stays
            // pending (re-asked for 5 s, then `incomplete`); the others, each with its own key, complete meanwhile.
            try await withEndToEnd(backend: backend, inputPartitions: 1) { e2e in
                let slow = TestInputEvent.scripted("PENDX")
                let others = (0..<30).map { _ in TestInputEvent.scripted("PASS") }
                try await e2e.producer.send([slow] + others)
                let ids = ([slow] + others).map(\.eventId)
                let snapshot = try await e2e.withFleet { _ in
                    try await e2e.withReader { reader in await reader.waitForOutputs(ids, timeout: .seconds(60)) }
                }
                let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")
                let slowOutput = try #require(snapshot.outputsByEventId[slow.eventId])
                #expect(slowOutput.status == "incomplete")
                #expect((slowOutput.attempts ?? 0) > 1)
                let overtaking = others.compactMap { snapshot.outputsByEventId[$0.eventId] }
                    .filter { $0.message.offset < slowOutput.message.offset }
                #expect(overtaking.count == others.count, "every other key was published before the retried event's result")
            }
        }
    }
}
