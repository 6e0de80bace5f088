import KafkaClient

extension DLQReplayer {
    /// Reads the DLQ and re-publishes the selected events until every partition reached the end
    /// it had when the replay started.
    ///
    /// Where the end is: the high watermark from a ListOffsets query, raised to the one the first
    /// fetch response reports (`cachedWatermarks`) — brokers such as Tansu answer the query with
    /// 0 or 1, and trusting it alone would end a replay before its first event. A partition's end
    /// counts only once a fetch response reported it, so nothing is decided before the consumer
    /// has actually looked. Idle periods end the replay only after the group was joined (a join
    /// can take longer than several idle periods); joining gets `joinTimeout`.
    func replay(
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        queriedEnds: [TopicPartition: Int64],
        positions committed: [TopicPartition: Int64],
        progress: @Sendable (Summary) -> Void
    ) async throws(KafkaError) -> Summary {
        var summary = Summary()
        var positions = committed
        var ends: [TopicPartition: Int64] = [:]
        var isAssigned = false
        var quietPeriods = 0
        let clock = ContinuousClock()
        let joinDeadline = clock.now.advanced(by: joinTimeout)

        /// Whether every partition's position reached its end (learning ends as fetches report them).
        func reachedEnds() -> Bool {
            var done = true
            for (partition, queried) in queriedEnds {
                if ends[partition] == nil, let cached = consumer.cachedWatermarks(for: partition) {
                    ends[partition] = max(queried, cached.high)
                    // Nothing committed yet: the partition starts at its low watermark.
                    if positions[partition] == nil { positions[partition] = cached.low }
                }
                guard let end = ends[partition], let position = positions[partition], position >= end else {
                    done = false
                    continue
                }
            }
            return done
        }

        let events = IdleTimeoutEvents(base: consumer.events, idleTimeout: idleTimeout)
        var iterator = events.makeAsyncIterator()
        var sinceLastCommit = 0
        while let event = await iterator.next() {
            switch event {
            case .idle:
                guard isAssigned else {
                    if clock.now >= joinDeadline {
                        throw KafkaError(
                            code: .timedOut,
                            name: "_TIMED_OUT",
                            message: "joining the replay's consumer group took longer than \(joinTimeout)",
                            isRetriable: true,
                            isFatal: false
                        )
                    }
                    continue
                }
                quietPeriods += 1
                // Three quiet periods cover a broker that reports no watermarks at all.
                if reachedEnds() || quietPeriods >= 3 { return summary }
            case .event(.message(let message)):
                quietPeriods = 0
                let dlqReason = message.header("x-dlq-reason")
                if reason == nil || dlqReason == reason {
                    _ = try await producer.send(
                        topic: configuration.inputTopic,
                        key: message.key,
                        value: message.value,
                        headers: message.headers.filter { !$0.key.hasPrefix("x-dlq-") }
                    )
                    summary.replayed += 1
                } else {
                    summary.skipped += 1
                }
                positions[message.topicPartition] = message.offset + 1
                try consumer.storeOffsets([message.topicPartition: message.offset + 1])
                sinceLastCommit += 1
                if sinceLastCommit >= 500 {
                    try await consumer.commitStoredOffsets()
                    sinceLastCommit = 0
                }
                progress(summary)
                if reachedEnds() { return summary }
            case .event(.error(let error)):
                if error.isFatal { throw error }
                logger.warning("consumer error during replay", metadata: ["kafka.error": "\(error)"])
            case .event(.partitionsAssigned):
                isAssigned = true
            case .event(.partitionsRevoked):
                continue
            }
        }
        return summary
    }
}
