import ArgumentParser
import Enricher
import Foundation

/// The `faceid-enricher` command line: one executable, one subcommand per job (see CONTRACT.md).
@main
struct FaceIDEnricher: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faceid-enricher",
        abstract: "Enriches FaceID verification events on Kafka with Tencent Cloud results.",
        subcommands: [Run.self, Demo.self, Simulate.self, Fetch.self, Replay.self]
    )

    /// Runs the chosen subcommand. Replaces ArgumentParser's default only to map usage errors
    /// (its exit status 64) to 2, as the contract specifies, printed as one line.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                let hint = "see 'faceid-enricher --help'"
                StandardError.write("faceid-enricher: \(message(for: error)) (\(hint))\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
