import Synchronization

/// A one-shot event tasks can wait for: a partition was revoked, or the pipeline started
/// draining. Waiting returns when the signal fires or the waiting task is cancelled, so it can
/// be raced against work in a task group. `package`, so test doubles can hold calls open with
/// the same mechanism.
package final class Signal: Sendable {
    private struct State {
        var isFired = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// Whether ``fire()`` was called.
    package var isFired: Bool { state.withLock { $0.isFired } }

    /// Fires the signal and wakes every waiter; later waits return at once.
    package func fire() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.isFired = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the signal has fired or the current task is cancelled.
    package func wait() async {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.isFired || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s in s.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
