#if canImport(Glibc)
import Glibc
#endif
import Simulator
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// `faceid-enricher run` as an operator runs it, stopped in the middle of a backlog. By SIGTERM: it drains,
    /// commits what it published, leaves the group and exits 0; a restart finishes the rest with nothing lost.
    /// By SIGKILL: nothing is drained or committed, and a restart re-consumes the rest, again losing nothing.
    @Suite(
        "Shutdown: SIGTERM and SIGKILL during a backlog",
        .enabled("needs the faceid-enricher executable (swift build)") { EnricherProcess.binaryPath != nil }
    )
    struct ShutdownTests {
        /// The `run` arguments for `e2e`'s topics and simulator, with the rig's short group timeouts passed through.
        /// The HTTP endpoints bind port 0: these tests do not call them, and a port picked free beforehand can be
        /// taken before the child binds it (the child would then exit at start).
        static func runArguments(_ e2e: EndToEndContext, group: String) -> [String] {
            [
                "run",
                "--brokers", e2e.cluster.bootstrapServers,
                "--group", group,
                "--input-topic", e2e.topics.input,
                "--output-topic", e2e.topics.output,
                "--dlq-topic", e2e.topics.deadLetter,
                "--endpoint", e2e.simulatorURL,
                "--rate-limit", "20",
                "--http-port", "0",
                "--log-format", "json",
                "-X", "session.timeout.ms=6000",
                "-X", "heartbeat.interval.ms=500",
                "-X", "max.poll.interval.ms=7000",
            ]
        }

        static func environment(_ e2e: EndToEndContext) -> [String: String] {
            ["TENCENTCLOUD_SECRET_ID": e2e.secret.secretID, "TENCENTCLOUD_SECRET_KEY": e2e.secret.secretKey]
        }

        @Test("SIGTERM mid-backlog: exit 0, every published output's input committed, a restart finishes the rest", arguments: KafkaTestBackend.enabled)
        func sigtermDrainsCommitsAndLosesNothing(backend: KafkaTestBackend) async throws {
            let simulator = SimulatorConfiguration(rateLimit: 20, latency: .milliseconds(80), jitter: .milliseconds(40))
            try await withEndToEnd(backend: backend, inputPartitions: 3, simulator: simulator) { e2e in
                let events = (0..<150).map { _ in TestInputEvent.scripted("PASS") }
                try await e2e.producer.sendConcurrently(events)
                let ids = events.map(\.eventId)
                let group = KafkaTestCluster.uniqueName("e2e-sigterm")

                try await e2e.withReader { reader in
                    // First run: stopped by SIGTERM once some outputs are out.
                    let first = try await withEnricherProcess(
                        Self.runArguments(e2e, group: group),
                        environment: Self.environment(e2e)
                    ) { process in
                        let started = await reader.waitUntil(timeout: .seconds(60)) { $0.outputEventIds.count >= 20 }
                        #expect(started.outputEventIds.count >= 20, "the service enriched events before SIGTERM; stderr: \(process.standardError.suffix(2000))")
                        process.send(SIGTERM)
                        let status = await process.waitForExit(timeout: .seconds(45))
                        #expect(status == .exited(0), "SIGTERM exits 0; stderr: \(process.standardError.suffix(2000))")
                        return (status, process.standardError)
                    }
                    try #require(first.0 == .exited(0))
                    // Kept for the commit check's message: the child logs every failed commit.
                    let firstStandardError = first.1
                    let stopped = await reader.settle(for: .seconds(2))
                    #expect(stopped.outputEventIds.count < ids.count, "SIGTERM came during the backlog")

                    let committed = try await e2e.committedInputOffsets(group: group)
                    var highest: [Int32: Int64] = [:]
                    for output in stopped.outputs {
                        guard let partition = output.sourcePartition, let offset = output.sourceOffset else { continue }
                        highest[Int32(partition)] = max(highest[Int32(partition)] ?? -1, Int64(offset))
                    }
                    for (partition, offset) in highest {
                        #expect(
                            (committed[partition] ?? 0) > offset,
                            "partition \(partition): committed \(committed[partition] ?? 0), output for offset \(offset); stderr: \(firstStandardError.suffix(4000))"
                        )
                    }

                    // Second run: finishes the rest.
                    try await withEnricherProcess(
                        Self.runArguments(e2e, group: group),
                        environment: Self.environment(e2e)
                    ) { process in
                        let final = await reader.waitForOutputs(ids, timeout: .seconds(90))
                        process.send(SIGTERM)
                        let status = await process.waitForExit(timeout: .seconds(45))
                        #expect(status == .exited(0), "stderr: \(process.standardError.suffix(2000))")
                        let audit = DeliveryAudit(eventIds: ids, snapshot: final)
                        #expect(audit.isComplete, "nothing lost across the restart: \(audit)")
                        #expect(audit.duplicateOutputs.isEmpty, "everything published before SIGTERM was committed, so nothing is redone")
                        #expect(final.deadLetters.isEmpty)
                    }
                    let after = try await e2e.committedInputOffsets(group: group)
                    #expect(after.values.reduce(0, +) == Int64(ids.count), "all input committed: \(after)")
                }
            }
        }

        @Test("SIGKILL mid-backlog (a real crash: no drain, no commit): a restart re-consumes what was uncommitted, nothing lost", arguments: KafkaTestBackend.enabled)
        func sigkillLosesNothingAfterRestart(backend: KafkaTestBackend) async throws {
            let simulator = SimulatorConfiguration(rateLimit: 20, latency: .milliseconds(80), jitter: .milliseconds(40))
            try await withEndToEnd(backend: backend, inputPartitions: 3, simulator: simulator) { e2e in
                let events = (0..<120).map { _ in TestInputEvent.scripted("PASS") }
                try await e2e.producer.sendConcurrently(events)
                let ids = events.map(\.eventId)
                let group = KafkaTestCluster.uniqueName("e2e-sigkill")

                try await e2e.withReader { reader in
                    let killed = try await withEnricherProcess(
                        Self.runArguments(e2e, group: group),
                        environment: Self.environment(e2e)
                    ) { process in
                        let started = await reader.waitUntil(timeout: .seconds(60)) { $0.outputEventIds.count >= 20 }
                        #expect(started.outputEventIds.count >= 20, "stderr: \(process.standardError.suffix(2000))")
                        process.send(SIGKILL)
                        return await process.waitForExit(timeout: .seconds(10))
                    }
                    #expect(killed == .signalled(SIGKILL))
                    let atKill = await reader.settle(for: .seconds(1))
                    #expect(atKill.outputEventIds.count < ids.count, "the kill came during the backlog")

                    try await withEnricherProcess(
                        Self.runArguments(e2e, group: group),
                        environment: Self.environment(e2e)
                    ) { process in
                        let final = await reader.waitForOutputs(ids, timeout: .seconds(90))
                        let audit = DeliveryAudit(eventIds: ids, snapshot: final)
                        #expect(audit.isComplete, "nothing lost after a crash: \(audit); stderr: \(process.standardError.suffix(2000))")
                        #expect(final.deadLetters.isEmpty)
                        process.send(SIGTERM)
                        #expect(await process.waitForExit(timeout: .seconds(45)) == .exited(0))
                    }
                }
            }
        }
    }
}
