import Pipeline

extension DemoRunner.Report {
    /// The listing and summary the demo prints: one compact line per enriched event, one per
    /// dead letter, then totals.
    public func rendered() -> String {
        var lines: [String] = []
        lines.append("")
        lines.append("Enriched events (status, applicant, BizToken, attempts, error, source partition@offset):")
        for event in outputs.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            let token = event.bizToken.count > 22 ? String(event.bizToken.prefix(21)) + "…" : event.bizToken
            lines.append(
                "  \(event.status.padded(13)) \((event.applicantId ?? "-").padded(7)) \(token.padded(23)) "
                    + "attempts=\(String(event.attempts).padded(2)) \((event.errorCode.map { "code=\($0)" } ?? "").padded(44)) p\(event.partition)@\(event.offset)"
            )
        }
        lines.append("")
        lines.append("Dead letters (reason, source partition@offset, error):")
        for event in deadLetters {
            lines.append("  \((event.deadLetterReason ?? "?").padded(17)) p\(event.partition)@\(event.offset)  \(event.deadLetterError ?? "")")
        }
        lines.append("")
        lines.append("Summary")
        var byStatus: [String: Int] = [:]
        for event in outputs { byStatus[event.status, default: 0] += 1 }
        for status in VerificationStatus.allCases.map(\.rawValue) {
            lines.append("  \(status.padded(14)) \(byStatus[status] ?? 0)")
        }
        lines.append("  \("dead letters".padded(14)) \(deadLetters.count)")
        let seconds = Double(measuredWindow.components.seconds) + Double(measuredWindow.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(callsInWindow) / seconds : 0
        lines.append("  API calls      \(apiCalls) (\(rateLimitedAnswers) answered RequestLimitExceeded)")
        lines.append("  retries        \(statistics.retries)")
        if let media {
            lines.append(
                "  media          \(media.verified) of \(media.objects) objects stored and verified "
                    + "(\(media.bytes / 1024) KiB, MD5 as Tencent reported) in \(media.directory)"
            )
        }
        lines.append("  achieved rate  \(String(format1: rate)) requests/s (busiest second: \(peakCallsPerSecond))")
        let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        lines.append("  elapsed        \(String(format1: total)) s")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
