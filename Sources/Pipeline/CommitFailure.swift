/// Why an offset commit failed (e.g. a rebalance in progress). The pipeline counts it and tries
/// again with the next batch: committed offsets only ever trail what was acknowledged.
public struct CommitFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, stable code (e.g. librdkafka's error name).
    public var code: String
    /// A one-line description.
    public var message: String

    /// Describes a failed commit.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }
}
