#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The part of librdkafka's statistics JSON (`statistics.interval.ms`) the consumer uses: for lag, per-partition
/// high/low watermarks as seen in fetch responses and the committed offset; for the group status, the `cgrp`
/// object's state, join state and last rebalance reason.
struct ConsumerStatistics: Decodable {
    struct Topic: Decodable {
        var partitions: [String: Partition]
    }

    struct Partition: Decodable {
        var partition: Int32
        var hi_offset: Int64?
        var lo_offset: Int64?
        var committed_offset: Int64?
    }

    /// librdkafka's consumer-group object (STATISTICS.md, "cgrp").
    struct Group: Decodable, Sendable, Equatable {
        var state: String?
        var join_state: String?
        var rebalance_reason: String?
    }

    var topics: [String: Topic]?
    var cgrp: Group?

    /// Watermarks and committed offset of one partition, as last reported.
    struct PartitionSnapshot: Sendable, Equatable {
        var high: Int64
        var low: Int64
        var committed: Int64
    }

    /// Decodes a statistics document: the per-partition snapshots and the group object; `nil` if it is not the
    /// expected shape.
    static func decode(
        from json: UnsafeBufferPointer<UInt8>
    ) -> (partitions: [TopicPartition: PartitionSnapshot], group: Group?)? {
        guard let statistics = try? JSONDecoder().decode(ConsumerStatistics.self, from: Data(json)) else {
            return nil
        }
        var result: [TopicPartition: PartitionSnapshot] = [:]
        for (topicName, topic) in statistics.topics ?? [:] {
            for partition in topic.partitions.values where partition.partition >= 0 {
                result[TopicPartition(topic: topicName, partition: partition.partition)] = PartitionSnapshot(
                    high: partition.hi_offset ?? -1,
                    low: partition.lo_offset ?? -1,
                    committed: partition.committed_offset ?? -1
                )
            }
        }
        return (result, statistics.cgrp)
    }
}
