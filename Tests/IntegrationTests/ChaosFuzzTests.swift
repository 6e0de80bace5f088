import TestSupport
import Testing

extension ChaosTests {
    /// 10,000 fuzzed records (seeded: random bytes, truncated JSON, huge strings, deep nesting, wrong types,
    /// invalid UTF-8, non-objects) interleaved with 500 valid events: the service does not crash, every fuzzed
    /// record is in the DLQ as `malformed` with its key and value byte for byte, and every valid one is enriched.
    @Test(.timeLimit(.minutes(3)), arguments: KafkaTestBackend.enabled)
    func fuzzedInputIsDeadLetteredAndValidInputEnriched(backend: KafkaTestBackend) async throws {
        let started = ContinuousClock.now
        try await withEndToEnd(backend: backend, inputPartitions: 6, simulator: Self.simulator()) { context in
            let run = Self.runID()
            var fuzz = ChaosFuzz(seed: 0x6C4A_05F2)
            let malformed = fuzz.malformedRecords(run: run, count: 10_000)
            let records = fuzz.interleave(ChaosRecord.backlog(run: run, count: 500), malformed)
            try await context.producer.send(records)
            print(
                "chaos[fuzz/\(backend)] produced \(records.count) records in \((ContinuousClock.now - started).components.seconds) s"
            )
            var options = Self.options(rateLimit: 1000)
            options.maxInFlight = 64
            let (tally, instance) = try await context.withReader { reader in
                try await context.withFleet(instances: 1, options: options) { fleet in
                    let tally = await reader.waitUntilAccountedFor(records, timeout: .seconds(120))
                    return (tally, fleet.instances[0])
                }
            }
            Self.expectZeroLost(tally, "fuzz 10,000 + 500", backend: backend, started: started)
            #expect(tally.expectedDeadLetters == 10_000)
            #expect(instance.failure == nil, "the service stopped with an error: \(instance.failure ?? "")")
            #expect(
                instance.statistics?.deadLettersByReason[.malformed] ?? 0 >= 10_000,
                "the service's own count of malformed inputs")
        }
    }
}
