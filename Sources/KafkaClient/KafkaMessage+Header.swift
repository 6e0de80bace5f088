extension KafkaMessage {
    /// The first header named `key`, decoded as UTF-8; `nil` when absent or null. For the
    /// text headers this project reads (`x-dlq-reason`, `x-dlq-attempts`, …).
    public func header(_ key: String) -> String? {
        guard let header = headers.first(where: { $0.key == key }), let value = header.value else { return nil }
        return String(decoding: value, as: UTF8.self)
    }
}
