import EnricherJSON
import Foundation
import KafkaClient
import Simulator
import TestSupport
import Testing

/// The events a real run produced, checked by the same validator CI runs over `schemas/`
/// (`Tests/schemas/validate.py`): inputs, outputs of every status (Intl action, so the inline
/// media placeholders are covered too) and DLQ header maps of both reasons.
@Suite("Operability: real events against schemas/", .serialized)
struct OperabilitySchemaTests {
    /// The repository root (this file is Tests/IntegrationTests/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Whether python3 with jsonschema is available; the test is skipped, saying so, when not.
    static let hasValidator = hasPython(modules: ["jsonschema", "rfc3339_validator"])

    /// Whether python3 runs and imports `modules`.
    static func hasPython(modules: [String]) -> Bool {
        let result = try? runProcess("/usr/bin/env", ["python3", "-c", "import " + modules.joined(separator: ", ")])
        return result?.status == 0
    }

    @Test(
        "inputs, outputs of every status and DLQ headers from a real run validate against schemas/",
        .enabled("needs python3 with jsonschema and rfc3339-validator") { OperabilitySchemaTests.hasValidator },
        arguments: KafkaTestBackend.enabled
    )
    func realEventsValidate(backend: KafkaTestBackend) async throws {
        let backlog = try await backend.withCluster { cluster in
            let topics = OperabilityTopics("opsint-schemas")
            try await topics.create(on: cluster, partitions: 2)
            return try await withSimulator(
                SimulatorConfiguration(secrets: OperabilityAccount.simulatorSecrets, rateLimit: 0)
            ) { simulator in
                try await RecordCollector.collecting([topics.output, topics.dlq], on: cluster) { collector in
                    try await withEnricher(
                        cluster: cluster,
                        simulator: simulator,
                        topics: topics,
                        action: .getWebVerificationResultIntl
                    ) { _ in
                        try await OperabilityBacklog.run(
                            tag: "s",
                            topics: topics,
                            cluster: cluster,
                            simulator: simulator,
                            collector: collector
                        )
                    }
                }
            }
        }
        #expect(backlog.statusCounts == OperabilityBacklog.expectedStatuses)
        #expect(backlog.reasonCounts == OperabilityBacklog.expectedReasons)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "opsint-schemas-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = directory.appendingPathComponent("input.jsonl")
        let outputs = directory.appendingPathComponent("output.jsonl")
        let headers = directory.appendingPathComponent("dlq-headers.jsonl")
        try Self.jsonLines(backlog.inputs.map { String(decoding: $0.value, as: UTF8.self) }).write(
            to: inputs,
            atomically: true,
            encoding: .utf8
        )
        try Self.jsonLines(backlog.outputs.map(Self.recordLine)).write(to: outputs, atomically: true, encoding: .utf8)
        try Self.jsonLines(backlog.deadLetters.map(Self.recordLine)).write(
            to: headers,
            atomically: true,
            encoding: .utf8
        )

        let script = Self.repositoryRoot.appendingPathComponent("Tests/schemas/validate.py").path
        let result = try Self.runProcess(
            "/usr/bin/env",
            ["python3", script, "--input", inputs.path, "--output", outputs.path, "--dlq-headers", headers.path]
        )
        #expect(result.status == 0, "validate.py: \(result.output)")
        #expect(result.output.contains(" passed, 0 failed"))
    }

    /// One record object as validate.py reads it: the value as a JSON string, headers as pairs.
    static func recordLine(_ message: KafkaMessage) -> String {
        JSONValue.object([
            (key: "topic", value: .string(message.topic)),
            (key: "partition", value: .integer(message.partition)),
            (key: "offset", value: .integer(message.offset)),
            (key: "key", value: message.key.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null),
            (key: "value", value: .string(String(decoding: message.value ?? [], as: UTF8.self))),
            (
                key: "headers",
                value: .array(
                    message.headers.map {
                        .array([.string($0.key), .string(String(decoding: $0.value ?? [], as: UTF8.self))])
                    }
                )
            ),
        ]).serialized
    }

    static func jsonLines(_ lines: [String]) -> String {
        lines.map { $0 + "\n" }.joined()
    }

    /// Runs a short command (python3 checks) to completion, returning its exit status and output.
    static func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
