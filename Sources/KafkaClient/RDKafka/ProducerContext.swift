import CRDKafka
import Logging
import Synchronization

/// Callback-side state of a producer: who waits for room in librdkafka's queue.
///
/// A `send` that meets `_QUEUE_FULL` does not drop the message and does not spin: it waits here until a delivery
/// report frees a slot. The generation counter closes the race between "queue full" and "start waiting": a sender
/// only waits if no delivery happened since it read the generation before producing.
final class ProducerContext: RDKafkaCallbackContext, @unchecked Sendable {
    // @unchecked: all mutable state is inside `space` (a Mutex).
    private struct Space {
        var generation: UInt64 = 0
        var isClosed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let space = Mutex(Space())

    /// The current delivery generation, read before producing.
    var generation: UInt64 {
        space.withLock { $0.generation }
    }

    /// Suspends until a delivery report arrived after `generation` was read, or the producer shuts down.
    func waitForSpace(after generation: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waitNow = space.withLock { state -> Bool in
                guard state.generation == generation, !state.isClosed else { return false }
                state.waiters.append(continuation)
                return true
            }
            if !waitNow {
                continuation.resume()
            }
        }
    }

    /// Called for every delivery report: a slot is free, wake everyone waiting for one.
    func deliveryHappened() {
        let waiters = space.withLock { state in
            state.generation &+= 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Shutdown: nobody waits for room any more.
    func close() {
        let waiters = space.withLock { state in
            state.isClosed = true
            state.generation &+= 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }
}

/// One message in flight: retained into librdkafka's per-message opaque by `send`, released by the delivery report
/// callback, which resumes the sender exactly once.
final class DeliveryWaiter {
    let continuation: CheckedContinuation<ProducerHandle.SendOutcome, Never>
    init(_ continuation: CheckedContinuation<ProducerHandle.SendOutcome, Never>) {
        self.continuation = continuation
    }
}

/// `dr_msg_cb`: runs on the producer's poll thread (or inside `rd_kafka_flush`), once per message.
func producerDeliveryCallback(
    _ rk: OpaquePointer?,
    _ message: UnsafePointer<rd_kafka_message_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let message else { return }
    let context = ProducerContext.from(rk)
    defer { context?.deliveryHappened() }
    guard let waiterPointer = message.pointee._private else { return }
    let waiter = Unmanaged<DeliveryWaiter>.fromOpaque(waiterPointer).takeRetainedValue()
    let err = message.pointee.err
    if err == RD_KAFKA_RESP_ERR_NO_ERROR {
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let report = KafkaDeliveryReport(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset)
        waiter.continuation.resume(returning: .delivered(report))
    } else if err == RD_KAFKA_RESP_ERR__FATAL, let rk {
        waiter.continuation.resume(returning: .failed(KafkaError.fatal(on: rk)))
    } else {
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
        waiter.continuation.resume(returning: .failed(KafkaError(err, message: text)))
    }
}
