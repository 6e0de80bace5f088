/// Why the simulator could not serve: it failed to bind, or stopped before it listened.
public struct SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An open set of reasons, so new ones do not break callers' `switch`es.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The reason's name.
        public var rawValue: String
        /// Wraps a reason's name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The server could not start (address in use, bad host).
        public static let startFailed = Code(rawValue: "start_failed")
        /// `run()` ended, or never ran, so there is no port to report.
        public static let notRunning = Code(rawValue: "not_running")
        /// `run()` was called a second time; a simulator serves once.
        public static let alreadyStarted = Code(rawValue: "already_started")
        /// The reason's name.
        public var description: String { rawValue }
    }

    /// Why it failed.
    public var code: Code
    /// What happened, for a person (never contains a credential).
    public var message: String

    /// An error with a reason and a message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
