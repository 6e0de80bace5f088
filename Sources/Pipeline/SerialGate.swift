import Synchronization

/// Lets one task at a time through, in arrival order, without blocking a thread: offset
/// commits from the timer, from batch completions and from a revoke must not interleave.
final class SerialGate: Sendable {
    private struct State {
        var isBusy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Waits until the gate is free and takes it.
    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isFree = state.withLock { s -> Bool in
                if !s.isBusy {
                    s.isBusy = true
                    return true
                }
                s.waiters.append(continuation)
                return false
            }
            if isFree { continuation.resume() }
        }
    }

    /// Hands the gate to the next waiter, or frees it.
    func leave() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.waiters.isEmpty else {
                s.isBusy = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}
