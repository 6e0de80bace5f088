/// What a BizToken asks the simulator to answer, read from its first dash-separated part
/// (see CONTRACT.md, "The simulator"), so tests, demos and people can script results.
enum ScriptedOutcome: Sendable, Equatable {
    /// `PASS-` or anything unrecognised: ErrorCode 0 with details and media.
    case pass
    /// `FAIL<code>-`: that ErrorCode (1001 when none is given).
    case fail(code: Int)
    /// `PEND<k>-`: ErrorCode null for the first `k` calls, then passed.
    case pending(calls: Int)
    /// `PENDX-`: ErrorCode null forever.
    case pendingForever
    /// `EXPD-`: `InvalidParameterValue.BizTokenExpired`.
    case expired
    /// `ILLG-`: `InvalidParameterValue.BizTokenIllegal`.
    case illegal

    /// The outcome scripted by `bizToken`.
    init(bizToken: String) {
        let head = bizToken.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        // Only a token with a dash has a script prefix: a bare "FAIL" is an ordinary token.
        guard bizToken.contains("-") else {
            self = .pass
            return
        }
        switch head {
        case "PASS": self = .pass
        case "PENDX": self = .pendingForever
        case "EXPD": self = .expired
        case "ILLG": self = .illegal
        default:
            if head.hasPrefix("FAIL"), let code = Self.number(after: "FAIL", in: head, default: 1001) {
                self = .fail(code: code)
            } else if head.hasPrefix("PEND"), let calls = Self.number(after: "PEND", in: head, default: 1) {
                self = .pending(calls: calls)
            } else {
                self = .pass
            }
        }
    }

    /// The digits after `prefix`, `fallback` when there are none, `nil` when they are not a number.
    private static func number(after prefix: String, in head: Substring, default fallback: Int) -> Int? {
        let digits = head.dropFirst(prefix.count)
        if digits.isEmpty { return fallback }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }
}
