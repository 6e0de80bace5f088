import TestSupport
import Testing

extension ChaosTests {
    /// While one instance works through a backlog, others join and leave the group every 3 s (eight changes over
    /// 24 s, each a rebalance): partitions move back and forth with events in flight, and still every event is
    /// enriched. The group's rate limit (50/s) keeps the backlog alive through the whole churn.
    @Test(.timeLimit(.minutes(2)), arguments: KafkaTestBackend.enabled)
    func rebalanceChurnLosesNothing(backend: KafkaTestBackend) async throws {
        let started = ContinuousClock.now
        try await withEndToEnd(backend: backend, inputPartitions: 6, simulator: Self.simulator()) { context in
            let records = ChaosRecord.backlog(run: Self.runID(), count: 1200)
            try await context.producer.send(records)
            let options = Self.options(rateLimit: 50)
            let (tally, progressAfterChurn, joins) = try await context.withReader { reader in
                try await context.withFleet(instances: 1, options: options) { fleet in
                    _ = await reader.waitForProgress(atLeast: 20, timeout: .seconds(30))
                    var churning: [EnricherInstance] = []
                    var joins = 0
                    for step in 0..<8 {
                        if step % 3 == 2, !churning.isEmpty {
                            await churning.removeFirst().stop(.graceful)
                        } else {
                            churning.append(fleet.start(options))
                            joins += 1
                        }
                        try await Task.sleep(for: .seconds(3))
                    }
                    for instance in churning { await instance.stop(.graceful) }
                    let progress = reader.snapshot.outputEventIds.count
                    return (await reader.waitUntilAccountedFor(records, timeout: .seconds(80)), progress, joins)
                }
            }
            print(
                "chaos[rebalance churn/\(backend)] \(joins) joins; outputs when the churn ended: \(progressAfterChurn)/\(records.count)"
            )
            Self.expectZeroLost(tally, "rebalance churn", backend: backend, started: started)
            #expect(progressAfterChurn < records.count, "the backlog was gone before the churn ended")
        }
    }
}
