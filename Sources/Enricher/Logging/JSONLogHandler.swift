public import Logging
import EnricherJSON
import Pipeline
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON object per log line to standard error: `timestamp`, `level`, `message`,
/// `logger`, then the metadata keys (`kafka.topic`, `event.id`, …) as top-level members.
///
/// Log shippers parse this without a grok pattern. Values are written as strings (or arrays /
/// objects of strings), as swift-log carries them; nothing is redacted here because nothing
/// secret is ever put into a log call — credentials and media URLs stay out of metadata by design.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: LogOutput

    /// Creates a handler for the logger called `label`, writing to standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, output: .standardError, metadataProvider: metadataProvider)
    }

    /// Creates a handler that writes into `capture` instead of standard error, so a test can read
    /// back exactly the lines the service would have written (and scan them for secrets).
    package init(label: String, capture: LogCapture, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, output: capture.output, metadataProvider: metadataProvider)
    }

    init(label: String, output: LogOutput, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var members: [(key: String, value: JSONValue)] = [
            (key: "timestamp", value: .string(WallClock.system.now().rfc3339)),
            (key: "level", value: .string(event.level.rawValue)),
            (key: "message", value: .string(event.message.description)),
            (key: "logger", value: .string(label)),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let eventMetadata = event.metadata { merged.merge(eventMetadata) { _, new in new } }
        for key in merged.keys.sorted() {
            if let value = merged[key] { members.append((key: key, value: Self.json(value))) }
        }
        output.write(JSONValue.object(members).serialized + "\n")
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c): return .string(c.description)
        case .array(let elements): return .array(elements.map(json))
        case .dictionary(let dict): return .object(dict.keys.sorted().compactMap { k in dict[k].map { (key: k, value: json($0)) } })
        }
    }
}

/// Where log lines go. Standard error in the service; a capture buffer in tests that scan logs.
final class LogOutput: Sendable {
    static let standardError = LogOutput(capture: false)

    private let isCapturing: Bool
    private let captured = Mutex<[String]>([])
    private let writeLock = Mutex(())

    init(capture: Bool) {
        isCapturing = capture
    }

    func write(_ line: String) {
        if isCapturing {
            captured.withLock { $0.append(line) }
            return
        }
        writeLock.withLock { _ in StandardError.write(line) }
    }

    var lines: [String] { captured.withLock { $0 } }
}
