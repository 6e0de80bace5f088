package import Logging

/// Collects the JSON log lines of every logger made from it, in memory, for tests that check what
/// the service writes to its logs: the line format, the metadata, and that no secret key,
/// signature, session token or media URL ever appears.
///
/// A test builds its loggers with ``logger(label:level:)`` (or a ``JSONLogHandler`` with
/// `capture:`) instead of bootstrapping the process-wide logging system, so parallel tests keep
/// their lines apart.
package final class LogCapture: Sendable {
    let output = LogOutput(capture: true)

    /// An empty capture.
    package init() {}

    /// A logger labelled `label` writing JSON lines into this capture at `level` and above.
    package func logger(label: String, level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { [self] label in JSONLogHandler(label: label, capture: self) }
        logger.logLevel = level
        return logger
    }

    /// Every line written so far (each one JSON object, without the trailing newline).
    package var lines: [String] {
        output.lines.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }
}
