import Synchronization

/// A one-shot latch for tests: tasks wait on it until the test opens it (to hold fake API
/// calls open). A waiting task that is cancelled stops waiting, as a real HTTP call would.
public final class AsyncGate: Sendable {
    private struct State {
        var isOpen = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var waitCount = 0
    }

    private let state = Mutex(State())

    /// A closed gate.
    public init() {}

    /// Waits until the gate is open or the task is cancelled.
    public func wait() async {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            s.waitCount += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.isOpen || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Opens the gate, releasing every waiter now and later.
    public func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.isOpen = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// How many waits were started (including finished ones).
    public var waitCount: Int { state.withLock { $0.waitCount } }
}
