import ArgumentParser
import Enricher
import Foundation
import Logging

/// `faceid-enricher demo`: the embedded default. No broker, no credentials, no network.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the real pipeline over sample events on an in-process Kafka mock cluster and FaceID simulator."
    )

    @Option(help: "Well-formed sample events to produce.")
    var events: Int = 200

    @Option(help: "Malformed sample events to produce (they go to the DLQ).")
    var malformed: Int = 6

    @Flag(help: "Keep the temporary directory the demo archives media into (its path is printed).")
    var keepMedia = false

    func validate() throws {
        guard (1...100_000).contains(events) else { throw ValidationError("--events must be in 1…100000") }
        guard (0...1000).contains(malformed) else { throw ValidationError("--malformed must be in 0…1000") }
    }

    func run() async throws {
        // The demo's own story goes to stdout/stderr; the service's logs only when they matter.
        LoggingSetup.bootstrap(format: .text, environment: ["LOG_LEVEL": ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "error"])
        let runner = DemoRunner(
            eventCount: events,
            malformedCount: malformed,
            keepsMedia: keepMedia,
            progress: { line in StandardError.write(line + "\n") },
            logger: Logger(label: "faceid-enricher.demo")
        )
        do {
            let report = try await runner.run()
            print(report.rendered())
        } catch {
            CommandLine.fail("demo failed: \(error)", code: 1)
        }
    }
}
