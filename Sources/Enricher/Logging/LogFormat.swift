/// How log lines are written: `text` for a person at a terminal, `json` (one object per line)
/// for log shippers. The contract's default is text on a terminal, JSON otherwise.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}
