import KafkaClient
import Pipeline

/// The pipeline's publisher on the Kafka layer's idempotent producer: `publish` returns once
/// the delivery report arrived (`acks=all`), which is what lets the pipeline commit the input
/// offset afterwards.
struct KafkaRecordPublisher: RecordPublisher {
    let producer: KafkaProducer

    func publish(topic: String, key: [UInt8]?, value: [UInt8], headers: [RecordHeader]) async throws(PublishFailure) {
        do {
            _ = try await producer.send(
                topic: topic,
                key: key,
                value: value,
                headers: headers.map { KafkaHeader(key: $0.key, value: $0.value) }
            )
        } catch {
            throw PublishFailure(code: error.name, message: error.message)
        }
    }
}
