/// Why the Kafka test rig could not give a test its cluster (broker binary missing, broker did not start…).
public struct KafkaTestRigError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in one line.
    public var description: String
    /// The broker process exited while starting (typically: another test took its port first).
    public var hasExitedAtStart = false

    /// Creates an error with a one-line explanation.
    public init(_ description: String) {
        self.description = description
    }
}
