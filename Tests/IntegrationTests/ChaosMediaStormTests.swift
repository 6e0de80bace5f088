import Simulator
import TestSupport
import Testing

extension ChaosTests {
    /// 30 % of media downloads fail or arrive corrupt — independent draws of 15 % with a flipped byte (MD5
    /// mismatch), 12 % 404 and 6 % 403 as if expired (the service fetches the result again), together
    /// 1 − 0.85 × 0.88 × 0.94 ≈ 30 % — while two instances archive a backlog into one directory: every event
    /// is still published as `passed` with its media stored and verified, none is dead-lettered, and every
    /// kind of fault really happened.
    @Test(.timeLimit(.minutes(3)), arguments: KafkaTestBackend.enabled)
    func mediaFaultStormLosesNothing(backend: KafkaTestBackend) async throws {
        let started = ContinuousClock.now
        let simulator = Self.simulator { configuration in
            configuration.faults = [.mediaCorrupt: 0.15, .mediaMissing: 0.12, .mediaExpired: 0.06]
        }
        try await MediaArchiveAudit.withDirectory { directory in
            try await withEndToEnd(backend: backend, inputPartitions: 6, simulator: simulator) { context in
                let records = ChaosRecord.backlog(run: Self.runID(), count: 300)
                try await context.producer.send(records)
                var options = Self.options()
                options.mediaArchive = MediaArchiveAudit.fileArchive(directory)
                let (tally, snapshot) = try await context.withReader { reader in
                    try await context.withFleet(instances: 2, options: options) { _ in
                        (await reader.waitUntilAccountedFor(records, timeout: .seconds(120)), reader.snapshot)
                    }
                }
                Self.expectZeroLost(tally, "media fault storm", backend: backend, started: started)
                let media = await MediaArchiveAudit.check(
                    Array(snapshot.outputsByEventId.values),
                    lookup: MediaArchiveAudit.fileLookup
                )
                #expect(media.isClean, "\(media)")
                #expect(media.objectsVerified == 2 * records.count, "\(media)")
                let counters = context.simulator.counters
                let downloads = counters.mediaDownloads.values.reduce(0, +)
                let faulty = downloads - counters.mediaDownloads["served", default: 0]
                #expect(faulty * 100 >= downloads * 20, "about 30 % of downloads failed: \(counters.mediaDownloads)")
                print(
                    "chaos[media fault storm/\(backend)] API calls \(counters.totalRequests), downloads \(counters.mediaDownloads)"
                )
                for fault in [SimulatorFault.mediaCorrupt, .mediaMissing, .mediaExpired] {
                    #expect(counters.faultsInjected[fault, default: 0] > 0, "no \(fault) fault was injected")
                }
                #expect(counters.totalRequests > records.count, "expired media made the service ask for fresh URLs")
            }
        }
    }
}
