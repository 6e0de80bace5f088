/// Logger metadata keys, shared with the other modules' logs so that one query finds an event
/// across them.
public enum LogKeys {
    /// The Kafka topic of the record being handled.
    public static let topic = "kafka.topic"
    /// The Kafka partition of the record being handled.
    public static let partition = "kafka.partition"
    /// The Kafka offset of the record being handled.
    public static let offset = "kafka.offset"
    /// The input event's `eventId`.
    public static let eventID = "event.id"
    /// A Tencent Cloud API error code.
    public static let errorCode = "tencentcloud.error.code"
    /// A Tencent Cloud `RequestId`.
    public static let requestID = "tencentcloud.request_id"
}
