/// Where a produced message was written, as acknowledged by the brokers (`acks=all`): what the pipeline waits for
/// before it may commit the input offset.
public struct KafkaDeliveryReport: Sendable, Hashable {
    /// The topic written to.
    public var topic: String
    /// The partition the partitioner chose.
    public var partition: Int32
    /// The offset the brokers assigned.
    public var offset: Int64

    /// Creates a report; the producer builds these, fakes may too.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}
