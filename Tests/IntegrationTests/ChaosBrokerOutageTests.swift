import TestSupport
import Testing

extension ChaosTests {
    /// Every broker of the mock cluster goes down for 10 s in the middle of a backlog, then comes back: the
    /// service rides it out (its producer and consumer reconnect) and every event is enriched. Mock only: only
    /// the mock cluster can take brokers down in place.
    @Test(.timeLimit(.minutes(2)), .enabled(if: KafkaTestBackend.isMockEnabled))
    func brokerOutageOfTenSecondsLosesNothing() async throws {
        let backend = KafkaTestBackend.mock
        let started = ContinuousClock.now
        try await withEndToEnd(backend: backend, inputPartitions: 6, simulator: Self.simulator()) { context in
            let mock = try #require(context.cluster.mock)
            let brokers = 1...Int32(mock.brokerCount)
            let records = ChaosRecord.backlog(run: Self.runID(), count: 600)
            try await context.producer.send(records)
            let tally = try await context.withReader { reader in
                // 60 calls a second: the backlog outlasts the outage.
                try await context.withFleet(instances: 1, options: Self.options(rateLimit: 60)) { _ in
                    let underWay = await reader.waitForProgress(atLeast: 100, timeout: .seconds(40))
                    #expect(underWay, "the backlog never got going")
                    let before = reader.snapshot.outputEventIds.count
                    do {
                        for broker in brokers { try mock.setBroker(broker, up: false) }
                        try await Task.sleep(for: .seconds(10))
                    } catch {
                        for broker in brokers { try? mock.setBroker(broker, up: true) }
                        throw error
                    }
                    let during = reader.snapshot.outputEventIds.count
                    for broker in brokers { try mock.setBroker(broker, up: true) }
                    print("chaos[broker outage/\(backend)] outputs before the outage \(before), at its end \(during)")
                    #expect(before < records.count, "the backlog was done before the outage")
                    return await reader.waitUntilAccountedFor(records, timeout: .seconds(70))
                }
            }
            Self.expectZeroLost(tally, "broker outage 10 s", backend: backend, started: started)
        }
    }
}
