/// A record read by `KafkaConsumer`, copied out of librdkafka's memory so it outlives the poll that produced it.
public struct KafkaMessage: Sendable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset in the partition; store `offset + 1` once it is done.
    public var offset: Int64
    /// The record key, `nil` for a null key.
    public var key: [UInt8]?
    /// The record value, `nil` for a null value (a tombstone).
    public var value: [UInt8]?
    /// The record headers in wire order.
    public var headers: [KafkaHeader]
    /// The record timestamp in milliseconds since the Unix epoch (create or log-append time, whichever the topic
    /// uses), or `nil` when the record has none.
    public var timestamp: Int64?

    /// The partition the message belongs to.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// Creates a message; the consumer builds these, tests and fakes may too.
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}
