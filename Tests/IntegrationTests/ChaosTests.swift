import Simulator
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// Issue 6, the chaos suite: the service under process kills, API fault storms, broker outages and restarts,
    /// rebalance churn, fuzzed input and wrong credentials — each run asserting zero lost events (every valid input
    /// has an output and every malformed one a dead letter, read back from the topics at the end) and printing the
    /// duplicates it saw, so they stay in the test output. Nested under the end-to-end parent suite, which runs one
    /// test at a time: each chaos test loads both cores on its own and must not share them with another suite.
    @Suite("Chaos")
    struct Chaos {
        /// Prints the outcome line (duplicates included) and checks zero lost and that nothing came out wrong.
        static func expectZeroLost(
            _ tally: ChaosTally,
            _ label: String,
            backend: KafkaTestBackend,
            started: ContinuousClock.Instant,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let elapsed = ContinuousClock.now - started
            print("chaos[\(label)/\(backend)] \(elapsed.components.seconds) s: \(tally)")
            #expect(
                tally.missingOutputs.count == 0,
                "valid inputs without an output, e.g. \(tally.missingOutputs.prefix(5))", sourceLocation: sourceLocation
            )
            #expect(
                tally.missingDeadLetters.count == 0,
                "malformed inputs not in the DLQ, e.g. \(tally.missingDeadLetters.prefix(5))",
                sourceLocation: sourceLocation)
            #expect(
                tally.validInDeadLetters.count == 0,
                "valid inputs dead-lettered: \(tally.validInDeadLetters.prefix(5))", sourceLocation: sourceLocation)
            #expect(
                tally.unexpectedStatuses.count == 0, "outputs not passed: \(tally.unexpectedStatuses.prefix(5))",
                sourceLocation: sourceLocation)
            #expect(
                tally.rekeyedOutputs.count == 0, "outputs without their input's key: \(tally.rekeyedOutputs.prefix(5))",
                sourceLocation: sourceLocation)
            #expect(
                tally.wrongReasons.count == 0, "dead letters not marked malformed: \(tally.wrongReasons.prefix(5))",
                sourceLocation: sourceLocation)
            #expect(
                tally.alteredDeadLetters.count == 0,
                "dead letters not byte for byte: \(tally.alteredDeadLetters.prefix(5))", sourceLocation: sourceLocation)
            #expect(tally.unparsableOutputs == 0, "outputs that are not JSON objects", sourceLocation: sourceLocation)
        }

        /// A short random run id for event ids and tokens (letters and digits only).
        static func runID() -> String {
            String(UInt64.random(in: 0...UInt64.max) % 1_000_000_000, radix: 36)
        }

        /// The simulator for chaos runs: no rate limit (the service's own limiter is under test elsewhere), seeded.
        static func simulator(configure: (inout SimulatorConfiguration) -> Void = { _ in }) -> SimulatorConfiguration {
            var configuration = SimulatorConfiguration(rateLimit: 0, seed: 0xC4A05)
            configure(&configuration)
            return configuration
        }

        /// Instance options for chaos runs: a group budget above what a debug build reaches unless `rateLimit` says
        /// otherwise, a one-minute retry budget.
        static func options(rateLimit: Double = 400, requestTimeout: Duration = .seconds(5)) -> EnricherInstanceOptions
        {
            var options = EnricherInstanceOptions()
            options.rateLimit = rateLimit
            options.maxInFlight = 32
            options.requestTimeout = requestTimeout
            options.retryPolicy.maxElapsed = .seconds(60)
            return options
        }
    }
}

/// The chaos suite under its short name, for the extensions in the other Chaos*.swift files.
typealias ChaosTests = PipelineEndToEndTests.Chaos
