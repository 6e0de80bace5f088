import EnricherJSON
import Foundation
import KafkaClient
import MediaArchive
import TencentCloud
import TestSupport
import Testing

/// Checks outputs against the archive they name, as an auditor would: every result with media
/// names both objects in `data.media`; each object exists under `{bizToken}/{RequestId}/`, and its
/// bytes hash to the MD5 in `data.media` and in Tencent's result; results without media say null.
struct MediaArchiveAudit: Sendable, CustomStringConvertible {
    /// What was found for one object: its size and MD5, or `nil` when it is not in the store.
    typealias Lookup = @Sendable (_ uri: String) async -> (bytes: Int, md5: String)?

    var outputsWithMedia = 0
    var objectsVerified = 0
    var problems: [String] = []

    var isClean: Bool { problems.isEmpty }

    static func check(_ outputs: [ObservedOutput], lookup: Lookup) async -> MediaArchiveAudit {
        var audit = MediaArchiveAudit()
        for output in outputs {
            let id = output.eventId ?? "?"
            guard let data = output.data else {
                audit.problems.append("\(id): no data")
                continue
            }
            let result = data["result"] ?? .null
            let kinds: [(member: String, name: String, md5: String?)] = [
                (
                    "bestFrame", "best-frame",
                    result["VideoBestFrameMd5"]?.stringValue ?? result["BestFrameBase64"]?["md5"]?.stringValue
                ),
                ("video", "video", result["VideoMd5"]?.stringValue ?? result["VideoBase64"]?["md5"]?.stringValue),
            ]
            let hasMedia =
                !(result["VideoUrl"]?.stringValue ?? "").isEmpty || result["VideoBase64"]?.objectMembers != nil
                || !(result["VideoBase64"]?.stringValue ?? "").isEmpty
            guard hasMedia else {
                if data["media"] != .null {
                    audit.problems.append("\(id): data.media is not null for a result without media")
                }
                continue
            }
            audit.outputsWithMedia += 1
            for kind in kinds {
                guard let entry = data["media"]?[kind.member], let uri = entry["uri"]?.stringValue else {
                    audit.problems.append("\(id): data.media.\(kind.member) is missing")
                    continue
                }
                let key = "/\(output.bizToken ?? "?")/\(result["RequestId"]?.stringValue ?? "?")/\(kind.name)."
                if !uri.contains(key) { audit.problems.append("\(id): \(kind.member) is not stored under \(key)") }
                guard let stored = await lookup(uri) else {
                    audit.problems.append("\(id): \(kind.member) is not in the store")
                    continue
                }
                guard stored.md5 == entry["md5"]?.stringValue, stored.md5 == kind.md5,
                    stored.bytes == entry["bytes"]?.intValue
                else {
                    audit.problems.append(
                        "\(id): \(kind.member) stored bytes do not match data.media and Tencent's MD5"
                    )
                    continue
                }
                audit.objectsVerified += 1
            }
        }
        return audit
    }

    /// Looks objects up in a file store by reading them.
    static func fileLookup(_ uri: String) async -> (bytes: Int, md5: String)? {
        guard uri.hasPrefix("file://"), let path = String(uri.dropFirst("file://".count)).removingPercentEncoding,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return (data.count, Digest.md5Hex([UInt8](data)))
    }

    /// Looks objects up among what boto3 read back from a bucket.
    static func s3Lookup(_ objects: [MotoServer.StoredObject], bucket: String) -> Lookup {
        let byURI = Dictionary(
            objects.map { ("s3://\(bucket)/\($0.key)", $0) },
            uniquingKeysWith: { first, _ in first }
        )
        return { uri in byURI[uri].map { ($0.bytes, $0.md5) } }
    }

    /// A file archive in `directory`, with the simulator's http media URLs allowed.
    static func fileArchive(_ directory: String, concurrency: Int = 4) -> MediaArchiveConfiguration {
        MediaArchiveConfiguration(
            store: .file(directory: directory),
            concurrency: concurrency,
            allowsPlainHTTPMediaURLs: true
        )
    }

    /// A fresh directory, removed after `body`.
    static func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = NSTemporaryDirectory() + "faceid-e2e-media-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// Runs `Tests/schemas/validate.py --output` over `messages` (the output records of a real run):
    /// the schema and the media rules hold for what the service published.
    static func validateOutputs(_ messages: [KafkaMessage]) throws {
        guard OperabilitySchemaTests.hasValidator else {
            print("skipped validate.py: python3 with jsonschema and rfc3339-validator is missing")
            return
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "media-outputs-\(UUID().uuidString).jsonl"
        )
        try OperabilitySchemaTests.jsonLines(messages.map(OperabilitySchemaTests.recordLine))
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = OperabilitySchemaTests.repositoryRoot.appendingPathComponent("Tests/schemas/validate.py").path
        let result = try OperabilitySchemaTests.runProcess("/usr/bin/env", ["python3", script, "--output", file.path])
        #expect(result.status == 0, "validate.py: \(result.output)")
    }

    var description: String {
        "\(outputsWithMedia) outputs with media, \(objectsVerified) objects verified, problems: \(problems.prefix(5))"
    }
}
