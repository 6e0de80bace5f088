import Simulator
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// The consumer group end to end: a member that crashes mid-flight leaves nothing behind (another member
    /// finishes its work), and several members together stay within the API's rate limit.
    @Suite("Pipeline end to end: consumer group")
    struct PipelineGroupTests {
        @Test("a member crashed mid-flight (cancelled, no drain): another member finishes the work, no event without an output", arguments: KafkaTestBackend.enabled)
        func crashedMemberWorkIsFinishedByAnother(backend: KafkaTestBackend) async throws {
            let simulator = SimulatorConfiguration(rateLimit: 0, latency: .milliseconds(150), jitter: .milliseconds(50))
            try await withEndToEnd(backend: backend, inputPartitions: 4, simulator: simulator) { e2e in
                let events = (0..<80).map { _ in TestInputEvent.scripted("PASS") }
                let ids = events.map(\.eventId)
                var options = EnricherInstanceOptions()
                options.rateLimit = 10
                try await e2e.withFleet(instances: 2, options: options) { fleet in
                    #expect(await fleet.waitUntilReady(timeout: .seconds(40)), "both members joined")
                    try await e2e.producer.sendConcurrently(events)
                    try await e2e.withReader { reader in
                        let early = await reader.waitUntil(timeout: .seconds(60)) { $0.outputEventIds.count >= 10 }
                        #expect(early.outputEventIds.count >= 10, "work started before the crash")
                        let crashed = fleet.instances[0]
                        #expect(await crashed.stop(.crash), "the crashed member's task ended")
                        let atCrash = reader.snapshot.outputEventIds.count
                        #expect(atCrash < ids.count, "the crash happened mid-flight (\(atCrash) of \(ids.count) done)")

                        let final = await reader.waitForOutputs(ids, timeout: .seconds(90))
                        let audit = DeliveryAudit(eventIds: ids, snapshot: final)
                        #expect(audit.isComplete, "\(audit)")
                        #expect(final.deadLetters.isEmpty)
                        #expect(!fleet.instances[1].hasFinished, "the surviving member is still running")
                    }
                }
            }
        }

        @Test("three members on 6 partitions share 20 requests/second: the API never answers RequestLimitExceeded", arguments: KafkaTestBackend.enabled)
        func threeMembersStayUnderTheRateLimit(backend: KafkaTestBackend) async throws {
            let simulator = SimulatorConfiguration(rateLimit: 20, latency: .milliseconds(30), jitter: .milliseconds(20))
            try await withEndToEnd(backend: backend, inputPartitions: 6, simulator: simulator) { e2e in
                let events = (0..<240).map { _ in TestInputEvent.scripted("PASS") }
                try await e2e.producer.sendConcurrently(events)
                let ids = events.map(\.eventId)
                var options = EnricherInstanceOptions()
                options.rateLimit = 20
                let snapshot = try await e2e.withFleet(instances: 3, options: options) { fleet in
                    try await e2e.withReader { reader in
                        let snapshot = await reader.waitForOutputs(ids, timeout: .seconds(120))
                        #expect(fleet.runningInstances.count == 3)
                        return snapshot
                    }
                }
                let audit = DeliveryAudit(eventIds: ids, snapshot: snapshot)
                #expect(audit.isComplete, "\(audit)")
                let counters = e2e.simulator.counters
                #expect(counters.rateLimited == 0, "RequestLimitExceeded answers: \(counters.rateLimited), peak \(counters.peakRequestsPerSecond)/s")
                #expect(counters.totalRequests >= ids.count)
                #expect(snapshot.outputs.allSatisfy { $0.status == "passed" })
            }
        }
    }
}
