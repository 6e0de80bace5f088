/// Publishes the pipeline's output and dead-letter messages. Offsets are committed only after
/// `publish` returns, so an implementation returns only once the brokers acknowledged the
/// message (`acks=all`, idempotent producer).
public protocol RecordPublisher: Sendable {
    /// Produces one message and waits for its delivery report.
    func publish(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [RecordHeader]
    ) async throws(PublishFailure)
}
