import Synchronization

/// Caps archives in flight (`--media-concurrency`): a counting semaphore whose waiters are served
/// in arrival order and stop waiting when their task is cancelled.
///
/// The state is a plain struct under a `Mutex`; continuations are resumed outside the lock.
final class ArchiveSlots: Sendable {
    private struct State {
        var available: Int
        var nextID = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    }

    private let state: Mutex<State>

    /// `count` slots.
    init(count: Int) {
        state = Mutex(State(available: max(1, count)))
    }

    /// Archives waiting for a slot (for tests and metrics).
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Runs `body` in a slot, waiting for one first; `nil` when the task is cancelled while it waits.
    func withSlot<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T? {
        guard await acquire() else { return nil }
        defer { release() }
        return try await body()
    }

    private func acquire() async -> Bool {
        let id = state.withLock { state -> Int? in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            defer { state.nextID += 1 }
            return state.nextID
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let isCancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    state.waiters.append((id, continuation))
                    return false
                }
                if isCancelled { continuation.resume(returning: false) }
            }
        } onCancel: {
            // Whoever removes the waiter resumes it: here, or release() handing it a slot.
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
