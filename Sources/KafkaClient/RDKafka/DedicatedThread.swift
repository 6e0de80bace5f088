#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// OS threads for librdkafka's blocking calls, so none of them ever runs on Swift's cooperative pool (2 threads on
/// our 2-core machines: one blocked poll would stall the whole service).
enum DedicatedThread {
    /// Carries the body across `pthread_create`: retained by `detach`, released by the thread when it starts.
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts a detached thread running `body`. Returns false when the OS refuses to create a thread.
    @discardableResult
    static func detach(_ body: @escaping @Sendable () -> Void) -> Bool {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let rc = pthread_create(
            &thread,
            &attributes,
            { argument in
                guard let argument else { return nil }
                let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
                body.run()
                return nil
            },
            context
        )
        if rc != 0 {
            Unmanaged<Body>.fromOpaque(context).release()
            return false
        }
        return true
    }

    /// Runs a blocking `body` on a fresh dedicated thread and suspends the calling task (without blocking its
    /// thread) until it returns. If no thread can be created, `body` runs inline as a last resort.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let started = detach {
                continuation.resume(returning: body())
            }
            if !started {
                continuation.resume(returning: body())
            }
        }
    }
}

/// Moves a librdkafka handle (not `Sendable`: an `OpaquePointer`) to the thread that destroys it. Safe because the
/// owner gives up the pointer at that moment: nothing else uses it afterwards.
struct HandleTransfer: @unchecked Sendable {
    let pointer: OpaquePointer
    let context: UnsafeMutableRawPointer?
}

extension DedicatedThread {
    /// Destroys a client handle (`rd_kafka_destroy`, which joins librdkafka's threads and may block) on a dedicated
    /// thread, then releases its callback context; falls back to the calling thread if no thread can be created.
    static func destroy(_ rk: OpaquePointer, context: UnsafeMutableRawPointer?, before: (@Sendable () -> Void)? = nil) {
        let transfer = HandleTransfer(pointer: rk, context: context)
        let work: @Sendable () -> Void = {
            before?()
            RDKafkaDestroy.destroy(transfer)
        }
        if !detach(work) {
            work()
        }
    }
}
