import Synchronization

/// A one-shot latch for tests: tasks wait on it until the test opens it (to hold fake API
/// calls open). Waiting ends on opening only; tests bound it with their own timeouts.
public final class AsyncGate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var waitCount = 0
    }

    private let state = Mutex(State())

    /// A closed gate.
    public init() {}

    /// Waits until the gate is open.
    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { s -> Bool in
                s.waitCount += 1
                if s.isOpen { return true }
                s.waiters.append(continuation)
                return false
            }
            if isOpen { continuation.resume() }
        }
    }

    /// Opens the gate, releasing every waiter now and later.
    public func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.isOpen = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// How many waits were started (including finished ones).
    public var waitCount: Int { state.withLock { $0.waitCount } }
}
