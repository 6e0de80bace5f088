public import KafkaClient

extension KafkaMessage {
    /// The first header named `key`, decoded as UTF-8; `nil` when absent or null.
    public func header(_ key: String) -> String? {
        guard let header = headers.first(where: { $0.key == key }), let value = header.value else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}
