/// A message the pipeline wants published: an enriched result or a dead-letter event.
/// Built by pure builders so that tests can compare it byte for byte.
public struct OutgoingRecord: Sendable, Hashable {
    /// The destination topic.
    public var topic: String
    /// The message key (the input key, carried over unchanged).
    public var key: [UInt8]?
    /// The message value.
    public var value: [UInt8]
    /// The message headers.
    public var headers: [RecordHeader]

    /// Describes a message to publish.
    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [RecordHeader]) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }
}
