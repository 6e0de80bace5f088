import Synchronization

/// Bounds how far the task reading the input runs ahead of the intake loop.
///
/// The reader hands each item to the intake through an unbounded stream. Without a bound it
/// drains whatever the input has buffered in one go (it never suspends while items are ready),
/// so when the intake reaches `maxInFlight` and pauses the input, everything the reader already
/// took is still accepted: the in-flight limit would be overshot by the input's whole prefetch.
/// With the window, at most `size` items are between the reader and the intake, so the limit
/// holds to within `size` events. The reader, once the window is full, waits until the intake
/// has taken half of it, so it is woken once per `size / 2` items, not per item.
final class IntakeWindow: Sendable {
    private struct State {
        var outstanding = 0
        var waiter: CheckedContinuation<Void, Never>?
        var isClosed = false
    }

    /// How many items may be handed over and not yet taken.
    let size: Int
    private let state = Mutex(State())

    /// A window of `size` items (at least 1).
    init(size: Int) {
        self.size = max(1, size)
    }

    /// The reader handed one item over; returns at once while the window has room, else once the
    /// intake has taken half of it, the window is closed or the reading task is cancelled.
    func handedOver() async {
        let mustWait = state.withLock { s -> Bool in
            s.outstanding += 1
            return s.outstanding >= size && !s.isClosed
        }
        guard mustWait else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.isClosed || Task.isCancelled || s.outstanding <= size / 2 { return true }
                    s.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }

    /// The intake took one item (and has acted on it: a pause it decided is in place).
    func taken() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.outstanding -= 1
            guard s.outstanding <= size / 2, let waiter = s.waiter else { return nil }
            s.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// The intake stopped: the reader never waits again.
    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.isClosed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}
