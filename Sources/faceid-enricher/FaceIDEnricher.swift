import ArgumentParser

/// The `faceid-enricher` command line: one executable, one subcommand per job (see CONTRACT.md).
@main
struct FaceIDEnricher: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faceid-enricher",
        abstract: "Enriches FaceID verification events on Kafka with Tencent Cloud results.",
        subcommands: [Simulate.self]
    )
}
