import ArgumentParser
import Enricher
import Foundation
import Logging

/// `faceid-enricher replay`: re-publishes DLQ events to the input topic once their cause is
/// fixed, optionally only those of one `--reason`, and reports how many.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-publish DLQ events to the input topic (original key, value, headers; x-dlq-* removed)."
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Only events with this x-dlq-reason: malformed or retries_exhausted.")
    var reason: String?

    @Flag(help: "Read the whole DLQ again instead of continuing after the previous replay.")
    var fromBeginning = false

    @Option(help: "text or json (env LOG_FORMAT; default text on a terminal, else json).")
    var logFormat: String?

    func validate() throws {
        if let reason, !DLQReplayer.reasons.contains(reason) {
            throw ValidationError("--reason must be one of \(DLQReplayer.reasons.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var options = kafka.runOptions
        options.logFormat = logFormat
        let configuration: EnricherConfiguration
        do {
            configuration = try EnricherConfiguration.resolve(options, environment: environment, standardErrorIsTerminal: StandardError.isTerminal)
        } catch {
            CommandLine.fail(error.message, code: 2)
        }
        LoggingSetup.bootstrap(format: configuration.logFormat, environment: ["LOG_LEVEL": environment["LOG_LEVEL"] ?? "warning"])
        let replayer = DLQReplayer(
            configuration: configuration,
            reason: reason,
            fromBeginning: fromBeginning,
            logger: Logger(label: "faceid-enricher.replay")
        )
        let display = ReplayProgressDisplay(isTerminal: isatty(1) == 1, dlqTopic: configuration.dlqTopic) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        do {
            let summary = try await replayer.run { display.update($0) }
            display.finish(summary, reason: reason, inputTopic: configuration.inputTopic)
        } catch {
            CommandLine.fail("replay failed: \(error)", code: 1)
        }
    }
}
