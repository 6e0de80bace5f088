import Enricher
import Synchronization
import Testing

/// What `faceid-enricher replay` prints, without Kafka: the status line on a terminal (redrawn in
/// place, throttled), nothing but the count line elsewhere, and a usage error for an unknown reason.
@Suite("Replay: progress display")
struct ReplayProgressDisplayTests {
    /// Collects what the display writes.
    final class Written: Sendable {
        private let chunks = Mutex<[String]>([])
        func append(_ text: String) { chunks.withLock { $0.append(text) } }
        var all: [String] { chunks.withLock { $0 } }
    }

    @Test(
        "on a terminal the status line is redrawn in place at most once per interval and completed before the count line"
    )
    func terminalProgress() {
        let written = Written()
        let display = ReplayProgressDisplay(isTerminal: true, dlqTopic: "dlq", minimumInterval: .seconds(3600)) {
            written.append($0)
        }
        display.update(DLQReplayer.Summary(replayed: 1, skipped: 0))
        display.update(DLQReplayer.Summary(replayed: 2, skipped: 0))
        display.update(DLQReplayer.Summary(replayed: 2, skipped: 1))
        display.finish(DLQReplayer.Summary(replayed: 2, skipped: 1), reason: "retries_exhausted", inputTopic: "in")
        #expect(
            written.all == [
                "\r\u{1B}[Kreplaying from dlq: 1 read, 1 replayed, 0 skipped",
                "\r\u{1B}[Kreplaying from dlq: 3 read, 2 replayed, 1 skipped\n",
                "replayed 2 events from dlq to in (reason retries_exhausted; 1 of other reasons skipped)\n",
            ]
        )
    }

    @Test("off a terminal only the final count line is written")
    func pipedOutput() {
        let written = Written()
        let display = ReplayProgressDisplay(isTerminal: false, dlqTopic: "dlq", minimumInterval: .zero) {
            written.append($0)
        }
        display.update(DLQReplayer.Summary(replayed: 1, skipped: 0))
        display.finish(DLQReplayer.Summary(replayed: 1, skipped: 0), reason: nil, inputTopic: "in")
        #expect(written.all == ["replayed 1 events from dlq to in\n"])
    }

    @Test(
        "replay --reason with an unknown reason is a usage error naming the valid ones",
        .enabled("needs the faceid-enricher executable built (swift build)") { ReplayCommand.executable != nil }
    )
    func unknownReason() async throws {
        let result = try await ReplayCommand.run(
            ["replay", "--brokers", "127.0.0.1:1", "--reason", "bogus"],
            onTerminal: false
        )
        #expect(result.status != 0)
        #expect(result.errors.contains("--reason must be one of malformed, retries_exhausted"), "\(result.errors)")
        #expect(result.output.isEmpty)
    }
}
