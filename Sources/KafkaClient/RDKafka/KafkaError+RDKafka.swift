import CRDKafka

// The one funnel from librdkafka's error representations to `KafkaError`.
extension KafkaError {
    /// From a bare `rd_kafka_resp_err_t` (delivery reports, consumer messages, most return codes).
    /// `message` overrides librdkafka's generic text when a more specific one is at hand.
    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        let code = Code(rawValue: err.rawValue)
        self.init(
            code: code,
            name: String(cString: rd_kafka_err2name(err)),
            message: message ?? String(cString: rd_kafka_err2str(err)),
            isRetriable: Code.transientCodes.contains(code),
            isFatal: code == .fatal
        )
    }

    /// From an `rd_kafka_error_t` object, which carries librdkafka's own retriable/fatal flags; destroys it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: Code(rawValue: rd_kafka_error_code(error).rawValue),
            name: String(cString: rd_kafka_error_name(error)),
            message: String(cString: rd_kafka_error_string(error)),
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// For a `_FATAL` report: asks the handle for the underlying fatal error (`rd_kafka_fatal_error`) so the
    /// caller sees the real cause, marked fatal.
    static func fatal(on rk: OpaquePointer) -> KafkaError {
        var buffer = [CChar](repeating: 0, count: 512)
        let underlying = rd_kafka_fatal_error(rk, &buffer, buffer.count)
        var error = KafkaError(underlying == RD_KAFKA_RESP_ERR_NO_ERROR ? RD_KAFKA_RESP_ERR__FATAL : underlying)
        let text = RDKafkaConfiguration.cString(buffer)
        if !text.isEmpty {
            error.message = text
        }
        error.isFatal = true
        error.isRetriable = false
        return error
    }

    /// A local error with a code of our choosing and our own message (e.g. "producer is shut down").
    static func local(_ code: Code, _ message: String) -> KafkaError {
        KafkaError(rd_kafka_resp_err_t(rawValue: code.rawValue), message: message)
    }
}
