/// The consumer-side controls the pipeline needs: offsets, flow control and the size of the
/// input topic. Kept to what the pipeline decides, so the Kafka layer stays a thin adapter.
public protocol PartitionControl: Sendable {
    /// Stores, for each partition, the next offset to consume (every lower offset has been fully
    /// processed). Storing is local; ``commit()`` sends the stored offsets to the group.
    func storeOffsets(_ offsets: [PartitionID: Int64])
    /// Commits the stored offsets to the group coordinator and waits for the answer.
    func commit() async throws(CommitFailure)
    /// Stops fetching from these partitions: the pipeline has `maxInFlight` events and must not
    /// buffer more.
    func pause(_ partitions: [PartitionID])
    /// Resumes fetching from these partitions.
    func resume(_ partitions: [PartitionID])
    /// How many partitions the input topic has in total, so that this instance can take its share
    /// of the group's rate budget (budget × assigned / total). Zero or less means unknown, and
    /// the instance then assumes it is alone.
    func inputPartitionCount() async -> Int
}
