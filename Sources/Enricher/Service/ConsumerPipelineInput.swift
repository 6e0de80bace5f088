import KafkaClient
import Logging
import Pipeline

/// The consumer's events as the pipeline's input: records and assignment changes translated,
/// readiness updated on the first assignment, consumer errors logged, and a fatal one handed
/// to `onFatal` (the service then drains and exits non-zero so a supervisor restarts it with a
/// fresh consumer — librdkafka cannot recover a fenced or fatally failed handle).
struct ConsumerPipelineInput: AsyncSequence, Sendable {
    typealias Element = PipelineInput
    typealias Failure = Never

    let events: KafkaConsumerEvents
    let health: ServiceHealth
    let logger: Logger
    let onFatal: @Sendable (KafkaError) -> Void

    func makeAsyncIterator() -> Iterator {
        Iterator(base: events.makeAsyncIterator(), input: self)
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: KafkaConsumerEvents.AsyncIterator
        let input: ConsumerPipelineInput

        mutating func next() async -> PipelineInput? {
            while let event = await base.next() {
                switch event {
                case .message(let message):
                    return .record(
                        InputRecord(
                            topic: message.topic,
                            partition: message.partition,
                            offset: message.offset,
                            key: message.key,
                            value: message.value,
                            headers: message.headers.map { RecordHeader(key: $0.key, value: $0.value) },
                            timestampMillis: message.timestamp
                        )
                    )
                case .partitionsAssigned(let partitions):
                    input.health.update { $0.hasJoinedGroup = true }
                    return .assigned(partitions.map { PartitionID(topic: $0.topic, partition: $0.partition) })
                case .partitionsRevoked(let partitions):
                    return .revoked(partitions.map { PartitionID(topic: $0.topic, partition: $0.partition) })
                case .error(let error):
                    if error.isFatal {
                        input.logger.error("fatal Kafka consumer error", metadata: ["kafka.error": "\(error)"])
                        input.onFatal(error)
                    } else {
                        input.logger.warning("Kafka consumer error", metadata: ["kafka.error": "\(error)"])
                    }
                }
            }
            return nil
        }
    }
}
