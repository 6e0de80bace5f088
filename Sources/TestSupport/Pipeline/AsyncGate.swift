import Pipeline
import Synchronization

/// A one-shot latch for tests: tasks wait on it until the test opens it (to hold fake API
/// calls open). A waiting task that is cancelled stops waiting, as a real HTTP call would.
/// The pipeline's own ``Signal``, plus a count of the waits for tests to poll.
public final class AsyncGate: Sendable {
    private let signal = Signal()
    private let waits = Atomic<Int>(0)

    /// A closed gate.
    public init() {}

    /// Waits until the gate is open or the task is cancelled.
    public func wait() async {
        waits.add(1, ordering: .relaxed)
        await signal.wait()
    }

    /// Opens the gate, releasing every waiter now and later.
    public func open() {
        signal.fire()
    }

    /// How many waits were started (including finished ones).
    public var waitCount: Int { waits.load(ordering: .relaxed) }
}
