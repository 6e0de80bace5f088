public import Logging
import Synchronization

/// Keeps every log line (level, message, metadata rendered as `key=value` text) so tests can
/// check what a component logs — and what it must never log.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    /// An empty recorder.
    public init() {}

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line logged so far.
    public var recorded: [String] { lines.withLock { $0 } }

    /// A logger at trace level writing into this recorder.
    public func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.append("\(event.level) \(event.message) \(rendered)")
        }
    }
}
