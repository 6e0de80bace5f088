import TestSupport
import Testing

extension ChaosTests {
    /// A Tansu restart between two runs. Tansu 0.6 as shipped keeps data in memory only (its `sqlite://` engine
    /// is not compiled in; `postgres://` and `s3://` need servers CI does not have), so a restart loses topics,
    /// offsets and groups. What is asserted: run 1 enriches a batch and stops; the broker restarts on the same
    /// port and the topics are created again; run 2 — the very same service configuration and group — starts
    /// cleanly against the fresh broker and enriches a second batch completely, and only that batch (nothing of
    /// run 1 is published again). Tansu only.
    @Test(.timeLimit(.minutes(2)), .enabled(if: KafkaTestBackend.enabled.contains(.tansu)))
    func tansuRestartBetweenRunsStartsCleanly() async throws {
        let backend = KafkaTestBackend.tansu
        let started = ContinuousClock.now
        let secret = makeTestSecret()
        var simulatorConfiguration = Self.simulator()
        simulatorConfiguration.secrets = [secret]
        try await withSimulator(simulatorConfiguration) { simulator in
            try await withRestartableTansu { tansu in
                let cluster = tansu.cluster
                let topics = EndToEndTopics(prefix: "chaos-restart")
                let group = KafkaTestCluster.uniqueName("chaos-restart")
                let options = Self.options()

                func enrich(_ records: [ChaosRecord]) async throws -> (tally: ChaosTally, snapshot: TopicSnapshot) {
                    try await topics.create(in: cluster, inputPartitions: 3)
                    let producer = try TestEventProducer(cluster: cluster, topic: topics.input)
                    do {
                        try await producer.send(records)
                    } catch {
                        await producer.shutdown()
                        throw error
                    }
                    await producer.shutdown()
                    return try await withTopicReader(cluster: cluster, topics: topics) { reader in
                        try await withEnricherFleet(
                            cluster: cluster,
                            topics: topics,
                            simulator: simulator,
                            secret: secret,
                            group: group,
                            options: options
                        ) { fleet in
                            let tally = await reader.waitUntilAccountedFor(records, timeout: .seconds(45))
                            let ready = fleet.instances.allSatisfy { $0.failure == nil }
                            #expect(ready, "an instance failed: \(fleet.instances.compactMap(\.failure))")
                            return (tally, reader.snapshot)
                        }
                    }
                }

                let batch1 = ChaosRecord.backlog(run: Self.runID(), count: 150)
                let run1 = try await enrich(batch1)
                Self.expectZeroLost(run1.tally, "Tansu run 1", backend: backend, started: started)

                try await tansu.restart()
                let batch2 = ChaosRecord.backlog(run: Self.runID(), count: 150)
                let run2 = try await enrich(batch2)
                Self.expectZeroLost(run2.tally, "Tansu run 2 after a restart", backend: backend, started: started)
                let stale = ChaosTally(batch1, run2.snapshot)
                #expect(stale.missingOutputs.count == batch1.count, "run 1's events came out again after the restart")
            }
        }
    }
}
