/// One message consumed from the input topic, as the Kafka layer hands it over: where it came
/// from (for offsets and the output's `source`), and its key, value and headers untouched (for the
/// output key and for dead-letter events, which must be byte-for-byte copies).
public struct InputRecord: Sendable {
    /// The topic the record was read from.
    public var topic: String
    /// The partition the record was read from.
    public var partition: Int32
    /// The record's offset within its partition.
    public var offset: Int64
    /// The message key, `nil` when the producer sent none.
    public var key: [UInt8]?
    /// The message value, `nil` for a tombstone.
    public var value: [UInt8]?
    /// The message headers in their original order.
    public var headers: [RecordHeader]
    /// The record timestamp in milliseconds since the Unix epoch, when the broker supplied one;
    /// the start of the end-to-end latency measurement.
    public var timestampMillis: Int64?

    /// Describes a consumed record.
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [RecordHeader] = [],
        timestampMillis: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMillis = timestampMillis
    }

    /// The partition this record belongs to.
    public var partitionID: PartitionID { PartitionID(topic: topic, partition: partition) }
}
