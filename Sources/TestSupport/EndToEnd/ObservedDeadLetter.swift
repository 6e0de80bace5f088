public import KafkaClient

/// A dead-letter record, with its `x-dlq-*` headers read and the original headers separated out.
public struct ObservedDeadLetter: Sendable {
    /// The raw record.
    public var message: KafkaMessage

    /// Wraps `message`.
    public init(_ message: KafkaMessage) {
        self.message = message
    }

    /// `x-dlq-reason`: `malformed` or `retries_exhausted`.
    public var reason: String? { message.header("x-dlq-reason") }
    /// `x-dlq-error`: the one-line explanation.
    public var error: String? { message.header("x-dlq-error") }
    /// `x-dlq-source-topic`.
    public var sourceTopic: String? { message.header("x-dlq-source-topic") }
    /// `x-dlq-source-partition`.
    public var sourcePartition: Int? { message.header("x-dlq-source-partition").flatMap { Int($0) } }
    /// `x-dlq-source-offset`.
    public var sourceOffset: Int? { message.header("x-dlq-source-offset").flatMap { Int($0) } }
    /// `x-dlq-attempts`.
    public var attempts: Int? { message.header("x-dlq-attempts").flatMap { Int($0) } }
    /// `x-dlq-failed-at` (RFC 3339).
    public var failedAt: String? { message.header("x-dlq-failed-at") }
    /// The headers the original record had (every header not starting with `x-dlq-`), in order.
    public var originalHeaders: [KafkaHeader] { message.headers.filter { !$0.key.hasPrefix("x-dlq-") } }
}
