import CRDKafka

/// The one place where a librdkafka configuration object is built from our string map.
enum RDKafkaConfiguration {
    /// Substrings of property names whose values must never appear in an error message.
    private static let secretMarkers = ["password", "secret", "key", "token", "jaas", "credential"]

    /// Creates an `rd_kafka_conf_t` with `properties` applied in order (later entries win, so the user's `-X`
    /// pass-through, appended last by the callers, overrides our typed options). A rejected property is reported
    /// with librdkafka's own `errstr`, which names the key. The caller owns the returned object.
    static func make(_ properties: [(key: String, value: String)]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError.local(.fail, "rd_kafka_conf_new failed")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                var message = cString(errstr)
                if isSecret(key), !value.isEmpty {
                    message = message.replacing(value, with: "***")
                }
                throw KafkaError.local(.invalidArgument, message)
            }
        }
        return conf
    }

    /// Whether `key` names a property whose value is a secret.
    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretMarkers.contains { lowered.contains($0) }
    }

    /// Creates a client handle of `type` from `conf` (consumed on success, destroyed on failure). `context`,
    /// the callback context installed on `conf`, is released on failure too, so no caller repeats that cleanup.
    static func newHandle(
        type: rd_kafka_type_t,
        conf: OpaquePointer,
        context: UnsafeMutableRawPointer
    ) throws(KafkaError) -> OpaquePointer {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            RDKafkaCallbackContext.releaseRetained(context)
            throw KafkaError.local(.invalidArgument, cString(errstr))
        }
        return rk
    }

    /// Milliseconds for a librdkafka `*.ms` property or timeout argument, clamped to `Int32`.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }

    /// A NUL-terminated C buffer as a Swift string.
    static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
