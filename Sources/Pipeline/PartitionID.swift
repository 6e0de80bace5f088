/// One partition of one topic: the unit Kafka assigns to a group member, and the unit whose
/// offsets the pipeline tracks and commits.
public struct PartitionID: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number within the topic.
    public var partition: Int32

    /// Names a partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`, for logs.
    public var description: String { "\(topic)[\(partition)]" }
}
