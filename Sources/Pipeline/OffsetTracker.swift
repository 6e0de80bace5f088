/// Per partition, which received offsets are still being processed, and therefore the next
/// offset that may be committed: the lowest unfinished one, or one past the highest received
/// when all are done. Completions arrive in any order; the commit point only moves over a
/// contiguous finished prefix, which is what at-least-once delivery requires.
public struct OffsetTracker: Sendable {
    struct PartitionProgress: Sendable {
        var outstanding: Set<Int64> = []
        var highestReceived: Int64
    }

    private var partitions: [PartitionID: PartitionProgress] = [:]

    /// An empty tracker.
    public init() {}

    /// Notes that `offset` of `partition` was received and is not finished yet.
    public mutating func received(_ partition: PartitionID, offset: Int64) {
        partitions[partition, default: PartitionProgress(highestReceived: offset)].outstanding.insert(offset)
        if let highest = partitions[partition]?.highestReceived, offset > highest {
            partitions[partition]?.highestReceived = offset
        }
    }

    /// Notes that `offset` of `partition` is finished (its output or DLQ event acknowledged).
    public mutating func completed(_ partition: PartitionID, offset: Int64) {
        partitions[partition]?.outstanding.remove(offset)
    }

    /// The offset to commit for `partition` (the next one to consume), or `nil` when nothing
    /// was received for it.
    public func committableOffset(for partition: PartitionID) -> Int64? {
        guard let progress = partitions[partition] else { return nil }
        return progress.outstanding.min() ?? progress.highestReceived + 1
    }

    /// The committable offset of every tracked partition.
    public var committableOffsets: [PartitionID: Int64] {
        var result: [PartitionID: Int64] = [:]
        for partition in partitions.keys {
            result[partition] = committableOffset(for: partition)
        }
        return result
    }

    /// How many offsets of `partition` are received and not finished.
    public func outstandingCount(for partition: PartitionID) -> Int {
        partitions[partition]?.outstanding.count ?? 0
    }

    /// Forgets `partition` (it was revoked).
    public mutating func remove(_ partition: PartitionID) {
        partitions[partition] = nil
    }
}
