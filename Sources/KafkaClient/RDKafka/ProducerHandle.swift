import CRDKafka
import Logging
import Synchronization

/// Owns one librdkafka producer handle and its poll thread.
///
/// `@unchecked Sendable`: librdkafka documents `rd_kafka_producev`, `rd_kafka_poll`, `rd_kafka_flush` and
/// `rd_kafka_purge` as thread-safe on one handle; our own mutable state is in `isRunning` (a Mutex). The handle is
/// destroyed only in `deinit`, i.e. after every thread using it (the poll thread holds a strong reference) is done.
final class ProducerHandle: @unchecked Sendable {
    /// What one produce attempt came to.
    enum SendOutcome: Sendable {
        case delivered(KafkaDeliveryReport)
        case failed(KafkaError)
        case queueFull
    }

    let rk: OpaquePointer
    let context: ProducerContext
    private let contextPointer: UnsafeMutableRawPointer
    /// Whether sends are accepted: true until a shutdown begins, never true again.
    private let isRunning = Mutex(true)
    private let stopPolling = Atomic<Bool>(false)
    private let pollStopped = ThreadExit()

    init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        let conf = try RDKafkaConfiguration.make(configuration.librdkafkaProperties)
        let context = ProducerContext(logger: logger)
        let pointer = context.install(on: conf)
        rd_kafka_conf_set_dr_msg_cb(conf, producerDeliveryCallback)
        self.rk = try RDKafkaConfiguration.newHandle(type: RD_KAFKA_PRODUCER, conf: conf, context: pointer)
        self.context = context
        self.contextPointer = pointer
    }

    deinit {
        // Off whatever thread dropped the last reference (possibly the cooperative pool): destroy may block.
        DedicatedThread.destroy(rk, context: contextPointer)
    }

    /// Starts the thread that serves delivery reports. It holds `self` until `stopPolling` is set.
    func startPolling() throws(KafkaError) {
        let started = DedicatedThread.detach { [self] in
            while !stopPolling.load(ordering: .acquiring) {
                rd_kafka_poll(rk, 100)
            }
            rd_kafka_poll(rk, 0)
            pollStopped.open()
        }
        if !started {
            throw KafkaError.local(.fail, "could not start the producer's poll thread")
        }
    }

    /// Asks the poll thread to exit (non-blocking); used when the owner goes away without `shutdown`.
    func requestStop() {
        stopPolling.store(true, ordering: .releasing)
    }

    /// Enqueues one message; the outcome arrives on `continuation` (from the delivery callback when enqueued).
    func produce(
        topic: String,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader],
        continuation: CheckedContinuation<SendOutcome, Never>
    ) {
        let waiter = Unmanaged.passRetained(DeliveryWaiter(continuation)).toOpaque()
        // Produce under the `isRunning` lock, so nothing is enqueued after shutdown has begun its purge.
        let err: rd_kafka_resp_err_t = isRunning.withLock { isRunning in
            guard isRunning else { return RD_KAFKA_RESP_ERR__DESTROY }
            let cHeaders = makeHeaders(headers)
            let err = withOptionalBytes(key) { keyPointer, keyCount in
                withOptionalBytes(value) { valuePointer, valueCount in
                    crdkafka_produce(rk, topic, keyPointer, keyCount, valuePointer, valueCount, cHeaders, waiter)
                }
            }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR, let cHeaders {
                rd_kafka_headers_destroy(cHeaders)
            }
            return err
        }
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        Unmanaged<DeliveryWaiter>.fromOpaque(waiter).release()
        switch err {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            continuation.resume(returning: .queueFull)
        case RD_KAFKA_RESP_ERR__DESTROY:
            continuation.resume(returning: .failed(.local(.destroy, "the producer is shut down")))
        case RD_KAFKA_RESP_ERR__FATAL:
            continuation.resume(returning: .failed(.fatal(on: rk)))
        default:
            continuation.resume(returning: .failed(KafkaError(err)))
        }
    }

    /// Blocking flush; call only from a dedicated thread.
    func flushBlocking(timeout: Duration) -> rd_kafka_resp_err_t {
        rd_kafka_flush(rk, RDKafkaConfiguration.milliseconds(timeout))
    }

    /// Marks the handle as shutting down; returns false when another shutdown already began.
    func beginShutdown() -> Bool {
        isRunning.withLock { isRunning in
            guard isRunning else { return false }
            isRunning = false
            return true
        }
    }

    /// Blocking part of shutdown (dedicated thread): flush within `timeout`, then purge what is left so every
    /// pending `send` gets a `_PURGE_*` error instead of waiting forever, and serve those reports.
    func drainBlocking(timeout: Duration) {
        _ = rd_kafka_flush(rk, RDKafkaConfiguration.milliseconds(timeout))
        _ = rd_kafka_purge(rk, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        _ = rd_kafka_flush(rk, 1000)
    }

    /// Stops the poll thread and waits (suspended, not blocked) until it has exited.
    func stopPollingAndWait() async {
        stopPolling.store(true, ordering: .releasing)
        await pollStopped.wait()
        context.close()
    }

    /// Builds an `rd_kafka_headers_t` (owned by the caller until produce succeeds), or nil for no headers.
    private func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            _ = withOptionalBytes(header.value) { pointer, count in
                rd_kafka_header_add(list, header.key, -1, pointer, count)
            }
        }
        return list
    }
}

/// Calls `body` with the bytes of `array` (NULL/0 for nil; a valid pointer and 0 for an empty array, which Kafka
/// distinguishes from null).
func withOptionalBytes<R>(_ array: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
    guard let array else { return body(nil, 0) }
    if array.isEmpty {
        var empty: UInt8 = 0
        return withUnsafeBytes(of: &empty) { body($0.baseAddress, 0) }
    }
    return array.withUnsafeBytes { body($0.baseAddress, $0.count) }
}
