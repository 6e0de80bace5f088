import Synchronization

/// The hand-off between a consumer's poll thread (the only producer) and the task iterating
/// `KafkaConsumerEvents` (the only consumer): a FIFO under a Mutex plus at most one parked continuation.
///
/// It never blocks the poll thread; its size is bounded by the consumer's flow control, which pauses fetching
/// when `messageCount` reaches `maxBufferedMessages` (see `ConsumerContext`).
final class EventBuffer: Sendable {
    private struct State {
        var items: [KafkaConsumerEvent] = []
        var head = 0
        var messageCount = 0
        var waiter: CheckedContinuation<KafkaConsumerEvent?, Never>?
        var isFinished = false
    }

    private let state = Mutex(State())

    /// Appends an event (or hands it straight to a waiting reader); returns how many messages are now buffered.
    @discardableResult
    func append(_ event: KafkaConsumerEvent) -> Int {
        let (waiter, count) = state.withLock { state -> (CheckedContinuation<KafkaConsumerEvent?, Never>?, Int) in
            if state.isFinished { return (nil, state.messageCount) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, state.messageCount)
            }
            state.items.append(event)
            if case .message = event { state.messageCount += 1 }
            return (nil, state.messageCount)
        }
        waiter?.resume(returning: event)
        return count
    }

    /// Ends the sequence after the events already buffered.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<KafkaConsumerEvent?, Never>? in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next event and how many messages remain buffered after it.
    func next() async -> (KafkaConsumerEvent?, Int) {
        if let taken = take() {
            return taken
        }
        let event = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<KafkaConsumerEvent?, Never>) in
                let immediate = state.withLock { state -> (KafkaConsumerEvent?, Bool) in
                    if let event = Self.pop(&state) { return (event, true) }
                    if state.isFinished || Task.isCancelled { return (nil, true) }
                    state.waiter = continuation
                    return (nil, false)
                }
                if immediate.1 {
                    continuation.resume(returning: immediate.0)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<KafkaConsumerEvent?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
        return (event, state.withLock { $0.messageCount })
    }

    private func take() -> (KafkaConsumerEvent?, Int)? {
        state.withLock { state in
            guard let event = Self.pop(&state) else { return nil }
            return (event, state.messageCount)
        }
    }

    private static func pop(_ state: inout State) -> KafkaConsumerEvent? {
        guard state.head < state.items.count else { return nil }
        let event = state.items[state.head]
        state.head += 1
        if case .message = event { state.messageCount -= 1 }
        if state.head >= 1024, state.head * 2 >= state.items.count {
            state.items.removeFirst(state.head)
            state.head = 0
        } else if state.head == state.items.count {
            state.items.removeAll(keepingCapacity: true)
            state.head = 0
        }
        return event
    }
}
