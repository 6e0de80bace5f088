import CRDKafka
import Logging
import Synchronization

/// Owns one librdkafka consumer handle and its poll thread.
///
/// `@unchecked Sendable`: the librdkafka calls made from other threads (`rd_kafka_offsets_store`, `_commit`,
/// `_committed`, `_pause_partitions`, watermark queries, `_subscribe`) are thread-safe on one handle; our mutable
/// state lives in `context.state` (a Mutex) and `closed`. The handle is closed by the poll thread
/// (`rd_kafka_consumer_close`, which runs the final revoke there) and destroyed only in `deinit`, after every thread
/// holding a reference is done with it.
final class ConsumerHandle: @unchecked Sendable {
    let rk: OpaquePointer
    let context: ConsumerContext
    private let contextPointer: UnsafeMutableRawPointer
    private let stopRequested = Atomic<Bool>(false)
    private let closed = ThreadExit()

    init(configuration: KafkaConsumerConfiguration, logger: Logger) throws(KafkaError) {
        let properties = configuration.librdkafkaProperties
        let conf = try RDKafkaConfiguration.make(properties)
        let context = ConsumerContext(
            logger: logger,
            maxBufferedMessages: configuration.maxBufferedMessages,
            startWithoutCommittedOffset: ConsumerContext.startOffset(autoOffsetReset: properties)
        )
        let pointer = context.install(on: conf)
        rd_kafka_conf_set_rebalance_cb(conf, consumerRebalanceCallback)
        rd_kafka_conf_set_stats_cb(conf, consumerStatisticsCallback)
        rd_kafka_conf_set_error_cb(conf, consumerErrorCallback)
        let rk = try RDKafkaConfiguration.newHandle(type: RD_KAFKA_CONSUMER, conf: conf, context: pointer)
        // Statistics, errors and logs are served by rd_kafka_consumer_poll on our poll thread.
        _ = rd_kafka_poll_set_consumer(rk)
        self.rk = rk
        self.context = context
        self.contextPointer = pointer
    }

    deinit {
        // Off whatever thread dropped the last reference (possibly the cooperative pool): destroy may block.
        DedicatedThread.destroy(rk, context: contextPointer)
    }

    /// Starts the poll thread: it polls until asked to stop, then closes the consumer (leaving the group after
    /// the final revoke), ends the events sequence and wakes `close()` callers. It holds `self` until then.
    func startPolling() throws(KafkaError) {
        let started = DedicatedThread.detach { [self] in
            while !stopRequested.load(ordering: .acquiring) {
                pollOnce()
            }
            let err = rd_kafka_consumer_close(rk)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                context.logger.debug("Consumer close reported an error", metadata: ["kafka.error": "\(KafkaError(err))"])
            }
            context.buffer.finish()
            closed.open()
        }
        if !started {
            throw KafkaError.local(.fail, "could not start the consumer's poll thread")
        }
    }

    /// One `rd_kafka_consumer_poll` (100 ms at most); rebalance/statistics/error callbacks run inside it.
    private func pollOnce() {
        guard let message = rd_kafka_consumer_poll(rk, 100) else { return }
        defer { rd_kafka_message_destroy(message) }
        let err = message.pointee.err
        if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            return
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
            context.buffer.append(control: .error(KafkaError(err, message: text)))
            return
        }
        context.deliver(Self.copy(message), rk: rk)
    }

    /// Asks the poll thread to close the consumer (non-blocking).
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Requests the close and suspends until the poll thread has finished it.
    func closeAndWait() async {
        requestStop()
        await closed.wait()
    }

    /// Copies a message out of librdkafka's memory.
    private static func copy(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaMessage {
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) }
        var headers: [KafkaHeader] = []
        var cHeaders: OpaquePointer?
        if rd_kafka_message_headers(message, &cHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR, let cHeaders {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(cHeaders, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return KafkaMessage(
            topic: topic,
            partition: m.partition,
            offset: m.offset,
            key: key,
            value: value,
            headers: headers,
            timestamp: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp
        )
    }
}
