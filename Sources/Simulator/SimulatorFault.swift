/// A failure the simulator can inject with some probability, to exercise a client's retries
/// and its handling of errors that must stop progress.
public enum SimulatorFault: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Answers `ResourceUnavailable` (transient: a client retries).
    case resourceUnavailable = "resource_unavailable"
    /// Answers `ResourceUnavailable.InArrears` (the account cannot be served: a client halts).
    case inArrears = "in_arrears"
    /// Answers `InternalError` (transient).
    case internalError = "internal_error"
    /// Answers HTTP 500 with an HTML body, as a broken gateway would.
    case http500
    /// Holds the answer back for the configured slow delay, past a client's timeout.
    case slow
    /// Resets the TCP connection without answering.
    case reset
    /// A media download gets the bytes with one of them flipped: its MD5 no longer matches.
    case mediaCorrupt = "media_corrupt"
    /// A media download is refused with 403 as if its URL had expired (COS's `AccessDenied`).
    case mediaExpired = "media_expired"
    /// A media download answers 404 `NoSuchKey`.
    case mediaMissing = "media_missing"

    /// Whether the fault hits media downloads rather than API calls.
    public var isMediaFault: Bool {
        switch self {
        case .mediaCorrupt, .mediaExpired, .mediaMissing: true
        case .resourceUnavailable, .inArrears, .internalError, .http500, .slow, .reset: false
        }
    }

    /// The name used on the command line (`--fault slow=0.1`).
    public var description: String { rawValue }

    /// Parses `KIND=P` as given to `--fault`; `nil` when the kind is unknown or P is not in 0…1.
    public static func parseAssignment(_ text: String) -> (fault: SimulatorFault, probability: Double)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        guard let fault = SimulatorFault(rawValue: String(text[..<equals])),
            let probability = Double(text[text.index(after: equals)...]),
            (0.0...1.0).contains(probability)
        else { return nil }
        return (fault, probability)
    }
}
