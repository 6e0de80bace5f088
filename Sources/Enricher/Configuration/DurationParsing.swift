/// Parses the human durations the contract uses for flags and environment variables
/// (`10m`, `30s`, `1h30m`, `250ms`), so operators write what they mean instead of a count
/// of milliseconds.
public enum DurationParsing {
    /// Why a duration string was rejected.
    public struct InvalidDuration: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text as given.
        public var text: String
        public var description: String {
            "invalid duration '\(text)': use a number with a unit, such as 250ms, 30s, 10m or 1h30m"
        }
    }

    /// Parses `text` as a sequence of `<number><unit>` parts, units `ms`, `s`, `m`, `h`.
    /// A bare number is rejected: a duration without a unit is ambiguous.
    public static func parse(_ text: String) throws(InvalidDuration) -> Duration {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { throw InvalidDuration(text: text) }
        var total = Duration.zero
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let value = Double(digits), value >= 0 else { throw InvalidDuration(text: text) }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let seconds: Double
            switch unit {
            case "ms": seconds = value / 1000
            case "s": seconds = value
            case "m": seconds = value * 60
            case "h": seconds = value * 3600
            default: throw InvalidDuration(text: text)
            }
            total += .milliseconds(Int64((seconds * 1000).rounded()))
        }
        return total
    }

    /// Formats a duration the way ``parse(_:)`` reads it, for help texts and logs.
    public static func format(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 3_600_000 == 0, ms > 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0, ms > 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
