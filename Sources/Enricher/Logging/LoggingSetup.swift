import Logging

/// Installs the process's log handler once, at start-up: JSON lines or swift-log's text
/// format on stderr, at `LOG_LEVEL` (default `info`).
public enum LoggingSetup {
    public static func bootstrap(format: LogFormat, environment: [String: String]) {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .json: handler = JSONLogHandler(label: label)
            case .text: handler = StreamLogHandler.standardError(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }
}
