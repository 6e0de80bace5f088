import KafkaClient

extension KafkaTestCluster {
    /// The offsets `group` has committed for partitions `0..<partitions` of `topic` (next offset to read), keyed
    /// by partition; partitions without a commit are absent. Reads them with a consumer that joins nothing.
    public func committedOffsets(group: String, topic: String, partitions: Int32) async throws -> [Int32: Int64] {
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(group: group),
            logger: logger
        )
        let list = (0..<partitions).map { TopicPartition(topic: topic, partition: $0) }
        do {
            let offsets = try await consumer.committedOffsets(for: list, timeout: .seconds(10))
            await consumer.close()
            var result: [Int32: Int64] = [:]
            for (partition, offset) in offsets { result[partition.partition] = offset }
            return result
        } catch {
            await consumer.close()
            throw error
        }
    }
}
