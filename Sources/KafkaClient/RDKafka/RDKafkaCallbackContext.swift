import CRDKafka
import Logging

/// What librdkafka's opaque pointer refers to for every handle we create: the logger for librdkafka's own log
/// lines, and (in subclasses) the state the handle's callbacks update.
///
/// Lifetime: the handle's owner retains it (`Unmanaged.passRetained`) before `rd_kafka_new` and releases it after
/// `rd_kafka_destroy` returns, so every callback, including logs emitted during destruction, sees a live object.
class RDKafkaCallbackContext: @unchecked Sendable {
    // @unchecked: immutable here; subclasses keep their mutable state in `Mutex`es.
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Recovers the context from the handle's opaque pointer inside a callback.
    static func from(_ rk: OpaquePointer?) -> Self? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<Self>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Installs the log callback and this context as the opaque pointer on `conf`; returns the retained pointer,
    /// which the owner releases with `releaseRetained` after destroying the handle.
    func install(on conf: OpaquePointer) -> UnsafeMutableRawPointer {
        let pointer = Unmanaged.passRetained(self).toOpaque()
        rd_kafka_conf_set_opaque(conf, pointer)
        rd_kafka_conf_set_log_cb(conf, rdkafkaLogCallback)
        return pointer
    }

    /// Balances `install` once the handle is destroyed.
    static func releaseRetained(_ pointer: UnsafeMutableRawPointer) {
        Unmanaged<RDKafkaCallbackContext>.fromOpaque(pointer).release()
    }
}

/// librdkafka's log lines, routed to swift-log. A library logs at debug/trace; librdkafka's warnings and errors
/// (connection failures and the like) become `notice` so operators see them without debug logging.
private func rdkafkaLogCallback(
    _ rk: OpaquePointer?,
    _ level: Int32,
    _ facility: UnsafePointer<CChar>?,
    _ text: UnsafePointer<CChar>?
) {
    guard let context = RDKafkaCallbackContext.from(rk) else { return }
    let swiftLevel: Logger.Level = level <= 4 ? .notice : (level <= 6 ? .debug : .trace)
    guard context.logger.logLevel <= swiftLevel else { return }
    let facilityString = facility.map { String(cString: $0) } ?? ""
    let message = text.map { String(cString: $0) } ?? ""
    context.logger.log(
        level: swiftLevel,
        "librdkafka",
        metadata: ["kafka.log.facility": "\(facilityString)", "kafka.log.message": "\(message)"]
    )
}
