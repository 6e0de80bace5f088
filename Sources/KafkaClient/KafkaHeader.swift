/// One Kafka record header. Kafka allows repeated keys and a null value, so headers are an ordered list of these
/// rather than a dictionary; our DLQ and CloudEvents headers round-trip through it byte for byte.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name (UTF-8).
    public var key: String
    /// The header value; `nil` is Kafka's null header value, distinct from an empty one.
    public var value: [UInt8]?

    /// Creates a header from raw bytes.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 encoding of `string`, the common case for metadata headers.
    public init(key: String, string: String) {
        self.key = key
        self.value = Array(string.utf8)
    }
}
