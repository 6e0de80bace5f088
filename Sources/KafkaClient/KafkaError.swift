/// The one error this module throws: a librdkafka error code with librdkafka's own name and message, and the
/// classification the pipeline needs to decide between retrying, giving up on one message, and stopping.
///
/// librdkafka reports the same code for different situations, so `message` carries its explanation (for a bad
/// `-X` property: the `errstr` of `rd_kafka_conf_set`, which names the key). Messages never contain secrets: values
/// of properties whose names mention passwords, secrets, keys or tokens are redacted before they get here.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's error code (`rd_kafka_resp_err_t`): negative values are client-side, positive ones come from
    /// the broker protocol. Open, because librdkafka and Kafka add codes.
    public var code: Code
    /// librdkafka's symbolic name for the code (`rd_kafka_err2name`), e.g. `_MSG_TIMED_OUT`, `TOPIC_ALREADY_EXISTS`.
    public var name: String
    /// librdkafka's human-readable message for this occurrence.
    public var message: String
    /// Whether retrying the same operation may succeed (librdkafka's `rd_kafka_error_is_retriable` where librdkafka
    /// provides an error object, else this module's table of transient codes).
    public var isRetriable: Bool
    /// Whether the client instance is unusable and must be recreated (`rd_kafka_fatal_error`,
    /// `rd_kafka_error_is_fatal`), e.g. an idempotent producer that lost sequence continuity.
    public var isFatal: Bool

    /// Creates an error; the module builds these from librdkafka, fakes may build them too.
    public init(code: Code, name: String, message: String, isRetriable: Bool, isFatal: Bool) {
        self.code = code
        self.name = name
        self.message = message
        self.isRetriable = isRetriable
        self.isFatal = isFatal
    }

    /// `NAME (code): message`, suitable for a log line or one line on stderr.
    public var description: String {
        "\(name) (\(code.rawValue)): \(message)"
    }
}
