import Synchronization

/// Opened once by a dedicated poll thread when it has finished its last librdkafka call; async
/// callers suspend (never block) until then. Waiting ignores task cancellation on purpose: a
/// caller that asked for a close or shutdown must not go on while the thread still uses the handle.
final class ThreadExit: Sendable {
    private let state = Mutex<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Marks the thread finished and wakes every waiter; later waits return at once.
    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Returns once ``open()`` was called.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if isOpen { continuation.resume() }
        }
    }
}
