import CRDKafka
import Synchronization

/// The hand-off between a consumer's poll thread (the only producer) and the task iterating
/// `KafkaConsumerEvents` (the only consumer): one FIFO per partition plus one for rebalance and error events, under
/// a Mutex, with at most one parked continuation.
///
/// Why per partition: a caller's pause must take effect at once and cost nothing. A paused partition's messages
/// are simply *held* here (the reader skips them) instead of pausing the partition in librdkafka, which discards
/// librdkafka's prefetched messages and refetches them on resume; a caller that pauses at an in-flight limit and
/// resumes one completion later would otherwise turn every completion into a pause, a resume and a refetch, and
/// every message already buffered would still be delivered after the pause.
///
/// Memory stays bounded by per-partition flow control: when a partition has `partitionLimit` messages waiting
/// (held or not), its fetching is paused in librdkafka, and resumed once the reader has taken half of them.
/// Events come out in the order they went in, except that held messages wait while later events of other
/// partitions, and rebalance and error events, go past them. Per-partition order is never changed.
///
/// It never blocks the poll thread. librdkafka's pause and resume calls are issued under the lock, so the order
/// librdkafka sees matches the order of the decisions (they only enqueue operations; they do not block).
final class EventBuffer: Sendable {
    private struct Queue {
        var items: [(sequence: UInt64, message: KafkaMessage)] = []
        var head = 0
        var isFetchPaused = false

        var count: Int { items.count - head }
        var first: (sequence: UInt64, message: KafkaMessage)? { head < items.count ? items[head] : nil }

        mutating func removeFirst() -> KafkaMessage {
            let message = items[head].message
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 512, head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return message
        }
    }

    private struct State {
        var controls: [(sequence: UInt64, event: KafkaConsumerEvent)] = []
        var controlHead = 0
        var queues: [TopicPartition: Queue] = [:]
        var held: Set<TopicPartition> = []
        var nextSequence: UInt64 = 0
        var partitionLimit: Int
        var waiter: CheckedContinuation<KafkaConsumerEvent?, Never>?
        var isFinished = false
    }

    private let state: Mutex<State>

    /// A buffer pausing a partition's fetching at `partitionLimit` waiting messages (at least 1).
    init(partitionLimit: Int) {
        state = Mutex(State(partitionLimit: max(1, partitionLimit)))
    }

    /// How many messages may wait per partition before its fetching is paused (set when the assignment changes).
    func setPartitionLimit(_ limit: Int) {
        state.withLock { $0.partitionLimit = max(1, limit) }
    }

    /// Poll thread: appends a message (or hands it straight to a waiting reader); pauses the partition's fetching
    /// in librdkafka when it reaches the limit.
    func append(message: KafkaMessage, rk: OpaquePointer) {
        let partition = message.topicPartition
        let waiter = state.withLock { state -> CheckedContinuation<KafkaConsumerEvent?, Never>? in
            if state.isFinished { return nil }
            if let waiter = state.waiter, !state.held.contains(partition) {
                // A parked reader means nothing else is deliverable: this message is next in order.
                state.waiter = nil
                return waiter
            }
            state.nextSequence += 1
            let sequence = state.nextSequence
            let limit = state.partitionLimit
            let pausesFetching = Self.modify(&state.queues, partition) { queue -> Bool in
                queue.items.append((sequence, message))
                guard queue.count >= limit, !queue.isFetchPaused else { return false }
                queue.isFetchPaused = true
                return true
            }
            if pausesFetching { ConsumerContext.setPaused(true, [partition], rk: rk) }
            return nil
        }
        waiter?.resume(returning: .message(message))
    }

    /// Appends a rebalance or error event; these are never held back.
    func append(control event: KafkaConsumerEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<KafkaConsumerEvent?, Never>? in
            if state.isFinished { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.nextSequence += 1
            state.controls.append((state.nextSequence, event))
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// Stops handing out messages of `partitions` (they stay buffered, in order) until `release`.
    func hold(_ partitions: [TopicPartition]) {
        state.withLock { $0.held.formUnion(partitions) }
    }

    /// Hands out messages of `partitions` again; wakes a parked reader if one of them is waiting.
    func release(_ partitions: [TopicPartition], rk: OpaquePointer) {
        let (waiter, event) = state.withLock {
            state -> (CheckedContinuation<KafkaConsumerEvent?, Never>?, KafkaConsumerEvent?) in
            state.held.subtract(partitions)
            guard let waiter = state.waiter, let event = Self.pop(&state, rk: rk) else { return (nil, nil) }
            state.waiter = nil
            return (waiter, event)
        }
        waiter?.resume(returning: event)
    }

    /// Forgets `partitions` (revoked or lost): drops their waiting messages, which their next owner consumes again
    /// from the committed offset, and their holds. Returns those whose fetching this buffer had paused.
    func remove(_ partitions: [TopicPartition]) -> [TopicPartition] {
        state.withLock { state in
            var fetchPaused: [TopicPartition] = []
            for partition in partitions {
                if let queue = state.queues.removeValue(forKey: partition), queue.isFetchPaused {
                    fetchPaused.append(partition)
                }
                state.held.remove(partition)
            }
            return fetchPaused
        }
    }

    /// Ends the sequence after the deliverable events already buffered.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<KafkaConsumerEvent?, Never>? in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next deliverable event; suspends while there is none; `nil` once finished or cancelled.
    func next(rk: OpaquePointer) async -> KafkaConsumerEvent? {
        if let event = state.withLock({ Self.pop(&$0, rk: rk) }) {
            return event
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<KafkaConsumerEvent?, Never>) in
                let immediate = state.withLock { state -> (KafkaConsumerEvent?, Bool) in
                    if let event = Self.pop(&state, rk: rk) { return (event, true) }
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
    }

    /// Under the lock: the oldest deliverable event (a control event, or the first message of a partition that is
    /// not held), removed; resumes the partition's fetching once half of its limit has been taken.
    private static func pop(_ state: inout State, rk: OpaquePointer) -> KafkaConsumerEvent? {
        var best: (sequence: UInt64, partition: TopicPartition?)?
        if state.controlHead < state.controls.count {
            best = (state.controls[state.controlHead].sequence, nil)
        }
        for (partition, queue) in state.queues where !state.held.contains(partition) {
            guard let first = queue.first else { continue }
            if best == nil || first.sequence < best?.sequence ?? .max { best = (first.sequence, partition) }
        }
        guard let best else { return nil }
        guard let partition = best.partition else {
            let event = state.controls[state.controlHead].event
            state.controlHead += 1
            if state.controlHead == state.controls.count {
                state.controls.removeAll(keepingCapacity: true)
                state.controlHead = 0
            }
            return event
        }
        let resumeAt = state.partitionLimit / 2
        let (message, resumesFetching) = modify(&state.queues, partition) { queue -> (KafkaMessage, Bool) in
            let message = queue.removeFirst()
            guard queue.isFetchPaused, queue.count <= resumeAt else { return (message, false) }
            queue.isFetchPaused = false
            return (message, true)
        }
        if resumesFetching { ConsumerContext.setPaused(false, [partition], rk: rk) }
        return .message(message)
    }

    /// Mutates the queue of `partition` in place (created empty when missing).
    private static func modify<R>(
        _ queues: inout [TopicPartition: Queue],
        _ partition: TopicPartition,
        _ body: (inout Queue) -> R
    ) -> R {
        body(&queues[partition, default: Queue()])
    }
}
