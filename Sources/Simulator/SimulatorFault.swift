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
