import KafkaClient
import Logging
import Pipeline

/// The pipeline's partition controls on the Kafka layer's consumer: offsets stored as the
/// pipeline's acknowledged prefix advances, commits of exactly those offsets, pause/resume for
/// backpressure, and the input topic's partition count for the instance's rate share.
struct KafkaPartitionControl: PartitionControl {
    let consumer: KafkaConsumer
    let inputTopic: String
    /// How long a metadata request may take (librdkafka's admin default).
    var metadataTimeout: Duration = .seconds(30)
    let logger: Logger

    func storeOffsets(_ offsets: [PartitionID: Int64]) {
        var converted: [TopicPartition: Int64] = [:]
        for (partition, offset) in offsets {
            converted[TopicPartition(topic: partition.topic, partition: partition.partition)] = offset
        }
        do {
            try consumer.storeOffsets(converted)
        } catch {
            // A partition revoked a moment ago rejects the store; its new owner redoes the work
            // (at least once), so this is worth a debug line, not more.
            logger.debug("offset store rejected", metadata: ["kafka.error": "\(error.name)"])
        }
    }

    func commit() async throws(CommitFailure) {
        do {
            try await consumer.commitStoredOffsets()
        } catch {
            throw CommitFailure(code: error.name, message: error.message)
        }
    }

    func pause(_ partitions: [PartitionID]) {
        do {
            try consumer.pause(partitions.map { TopicPartition(topic: $0.topic, partition: $0.partition) })
        } catch {
            logger.warning("pausing partitions failed", metadata: ["kafka.error": "\(error)"])
        }
    }

    func resume(_ partitions: [PartitionID]) {
        do {
            try consumer.resume(partitions.map { TopicPartition(topic: $0.topic, partition: $0.partition) })
        } catch {
            logger.warning("resuming partitions failed", metadata: ["kafka.error": "\(error)"])
        }
    }

    func inputPartitionCount() async -> Int {
        do {
            let metadata = try await consumer.clusterMetadata(timeout: metadataTimeout)
            return metadata.topics[inputTopic] ?? 0
        } catch {
            logger.warning("reading the input topic's partition count failed", metadata: ["kafka.error": "\(error)"])
            return 0
        }
    }
}
