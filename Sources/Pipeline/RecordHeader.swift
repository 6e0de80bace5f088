/// One Kafka message header, kept as raw bytes: dead-letter events must carry the original
/// headers byte for byte, and Kafka allows a header without a value (`nil`).
public struct RecordHeader: Sendable, Hashable {
    /// The header name.
    public var key: String
    /// The header value, or `nil` for a header without a value.
    public var value: [UInt8]?

    /// A header with raw bytes.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// A header whose value is the UTF-8 of `text`; the headers the pipeline adds are text.
    public init(key: String, text: String) {
        self.init(key: key, value: Array(text.utf8))
    }
}
