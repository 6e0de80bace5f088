public import Logging

/// An idempotent (`enable.idempotence=true`, `acks=all`) Kafka producer whose `send` suspends until the brokers
/// acknowledge the message and returns where it was written, or throws a typed `KafkaError`.
///
/// Design: librdkafka's delivery reports are served on a dedicated poll thread owned by this producer; each
/// `send` parks a continuation in the message's opaque pointer, resumed by the report. When librdkafka's queue is
/// full, `send` waits for the next delivery report instead of dropping the message. Blocking calls (`flush`,
/// shutdown) run on dedicated threads, never on the cooperative pool.
public final class KafkaProducer: Sendable {
    private let handle: ProducerHandle
    private let logger: Logger

    /// Creates the producer and starts its poll thread. Throws when a property is rejected (with librdkafka's own
    /// message naming it) or the handle cannot be created.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        let handle = try ProducerHandle(configuration: configuration, logger: logger)
        try handle.startPolling()
        self.handle = handle
        self.logger = logger
    }

    deinit {
        // Without `shutdown`, stop the poll thread; the handle is destroyed (off-pool) when its last user is done.
        handle.requestStop()
    }

    /// Sends one message to `topic` (partition chosen by librdkafka's partitioner from the key) and returns the
    /// brokers' acknowledgement. Waits while librdkafka's queue is full. Once enqueued, the message is not recalled
    /// by task cancellation: the call returns when librdkafka reports its fate (bounded by `messageTimeout`).
    public func send(
        topic: String,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = []
    ) async throws(KafkaError) -> KafkaDeliveryReport {
        while true {
            let generation = handle.context.generation
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<ProducerHandle.SendOutcome, Never>) in
                handle.produce(topic: topic, key: key, value: value, headers: headers, continuation: continuation)
            }
            switch outcome {
            case .delivered(let report):
                return report
            case .failed(let error):
                throw error
            case .queueFull:
                logger.trace("librdkafka queue full, waiting for a delivery", metadata: ["kafka.topic": "\(topic)"])
                await handle.context.waitForSpace(after: generation)
            }
        }
    }

    /// Waits until every message sent so far is delivered or failed, up to `timeout`; throws `_TIMED_OUT` if
    /// messages are still outstanding then.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let handle = self.handle
        let code = await DedicatedThread.run { handle.flushBlocking(timeout: timeout).rawValue }
        if code != 0 {
            throw KafkaError.local(KafkaError.Code(rawValue: code), "flush left messages undelivered after \(timeout)")
        }
    }

    /// Flushes for up to `timeout`, fails whatever is still pending with a `_PURGE_*` error, and stops the poll
    /// thread; later `send`s throw `_DESTROY`. Idempotent: a second call returns at once. The librdkafka handle
    /// itself is destroyed when the producer is released.
    public func shutdown(timeout: Duration) async {
        guard handle.beginShutdown() else { return }
        let handle = self.handle
        await DedicatedThread.run { handle.drainBlocking(timeout: timeout) }
        await handle.stopPollingAndWait()
        logger.debug("Kafka producer shut down")
    }
}
