import Dispatch

/// Runs file-system calls that can block (`fsync`, `rename`, `mkdir`, decoding a video into a
/// file) on a dispatch queue of their own, never on Swift's cooperative pool, which has two
/// threads on these machines: one `fsync` of a large video would stall every task.
enum BlockingIO {
    private static let queue = DispatchQueue(label: "faceid-enricher.media-io", attributes: .concurrent)

    /// `body`'s result, computed on the I/O queue.
    static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
        }
        return try result.get()
    }

    /// `body`'s result, computed on the I/O queue (for work that cannot fail).
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
