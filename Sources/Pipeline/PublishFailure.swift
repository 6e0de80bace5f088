/// Why a message was not acknowledged by the brokers. The pipeline never commits past such a
/// message; it retries the publish with backoff.
public struct PublishFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, stable code (e.g. librdkafka's error name), usable in logs.
    public var code: String
    /// A one-line description.
    public var message: String

    /// Describes a failed publish.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }
}
