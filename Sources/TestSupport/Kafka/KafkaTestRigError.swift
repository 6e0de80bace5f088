/// Why the Kafka test rig could not give a test its cluster (broker binary missing, broker did not start…).
public struct KafkaTestRigError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in one line.
    public var description: String

    /// Creates an error with a one-line explanation.
    public init(_ description: String) {
        self.description = description
    }
}
