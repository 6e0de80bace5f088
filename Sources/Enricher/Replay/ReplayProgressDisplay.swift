import Synchronization

/// What `faceid-enricher replay` prints: on a terminal, one status line rewritten in place while
/// the replay runs (a DLQ may hold many thousands of events, and an operator wants to see it
/// move); always, one final line with the counts, which scripts read.
///
/// Updates are throttled to one per `minimumInterval`, so a fast replay does not spend its time
/// redrawing. Off a terminal nothing but the final line is written: a log file or pipe should not
/// collect carriage returns.
package final class ReplayProgressDisplay: Sendable {
    private struct State {
        var lastShown: ContinuousClock.Instant?
        var hasShownProgress = false
    }

    private let isTerminal: Bool
    private let minimumInterval: Duration
    private let source: String
    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// A display for a replay from `dlqTopic`; `write` receives the text to print (standard output
    /// in the command).
    package init(
        isTerminal: Bool,
        dlqTopic: String,
        minimumInterval: Duration = .milliseconds(100),
        write: @escaping @Sendable (String) -> Void
    ) {
        self.isTerminal = isTerminal
        self.source = dlqTopic
        self.minimumInterval = minimumInterval
        self.write = write
    }

    /// The status line for `summary` (without a line break).
    package func statusLine(_ summary: DLQReplayer.Summary) -> String {
        "replaying from \(source): \(summary.read) read, \(summary.replayed) replayed, \(summary.skipped) skipped"
    }

    /// Shows `summary` on a terminal unless the line was redrawn less than `minimumInterval` ago.
    package func update(_ summary: DLQReplayer.Summary) {
        guard isTerminal else { return }
        let now = ContinuousClock.now
        let shows = state.withLock { state -> Bool in
            if let last = state.lastShown, last.duration(to: now) < minimumInterval { return false }
            state.lastShown = now
            state.hasShownProgress = true
            return true
        }
        if shows { write("\r\u{1B}[K" + statusLine(summary)) }
    }

    /// Completes the status line (on a terminal) and writes the final count line.
    package func finish(_ summary: DLQReplayer.Summary, reason: String?, inputTopic: String) {
        if isTerminal, state.withLock({ $0.hasShownProgress }) {
            write("\r\u{1B}[K" + statusLine(summary) + "\n")
        }
        write(Self.finalLine(summary, reason: reason, dlqTopic: source, inputTopic: inputTopic) + "\n")
    }

    /// `replayed N events from DLQ to INPUT`, plus the reason filter and how many it passed over.
    package static func finalLine(
        _ summary: DLQReplayer.Summary,
        reason: String?,
        dlqTopic: String,
        inputTopic: String
    ) -> String {
        "replayed \(summary.replayed) events from \(dlqTopic) to \(inputTopic)"
            + (reason.map { " (reason \($0); \(summary.skipped) of other reasons skipped)" } ?? "")
    }
}
