/// The sequence of everything a `KafkaConsumer` delivers: messages and rebalance events, in order.
///
/// Iterate it from one task only (it is a single-consumer sequence). It ends after `KafkaConsumer.close()` once
/// the events delivered up to the close (including the final revoke) have been read. Memory is bounded: when a
/// partition's share of `maxBufferedMessages` is waiting, the layer pauses that partition's fetching until half of
/// it has been read (the backlog can exceed the bound only by what librdkafka hands over before the pause takes
/// effect); rebalance and error events are never held back, so they keep flowing even while every partition is
/// paused.
public struct KafkaConsumerEvents: AsyncSequence, Sendable {
    /// The events are `KafkaConsumerEvent`s.
    public typealias Element = KafkaConsumerEvent
    /// Iteration never throws: errors arrive as `.error` events.
    public typealias Failure = Never

    let handle: ConsumerHandle

    /// Creates the one iterator the sequence is meant for.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: handle)
    }

    /// Reads the next event; suspends while none is waiting; `nil` once the consumer is closed and drained, or when
    /// the iterating task is cancelled.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let handle: ConsumerHandle

        /// The next event, or `nil` at the end.
        public mutating func next() async -> KafkaConsumerEvent? {
            await handle.context.buffer.next(rk: handle.rk)
        }
    }
}
