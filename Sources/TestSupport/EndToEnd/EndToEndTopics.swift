/// The three topics one end-to-end test uses — input, output and dead-letter — under names no other test uses,
/// so tests can share a cluster (and run in parallel) without seeing each other's records.
public struct EndToEndTopics: Sendable, Hashable {
    /// Where the test produces "verification completed" events.
    public var input: String
    /// Where the service publishes CloudEvents results.
    public var output: String
    /// Where the service publishes dead letters.
    public var deadLetter: String

    /// Topics named `<prefix>-in-…`, `<prefix>-out-…`, `<prefix>-dlq-…` with a random suffix.
    public init(prefix: String = "e2e") {
        let base = KafkaTestCluster.uniqueName(prefix)
        self.input = base + "-in"
        self.output = base + "-out"
        self.deadLetter = base + "-dlq"
    }

    /// Creates the three topics in `cluster`: the input with `inputPartitions`, the output with
    /// `outputPartitions` (default: as many as the input), the dead-letter topic with one partition
    /// so its records keep their publication order.
    public func create(
        in cluster: KafkaTestCluster,
        inputPartitions: Int32,
        outputPartitions: Int32? = nil
    ) async throws {
        try await cluster.createTopic(input, partitions: inputPartitions)
        try await cluster.createTopic(output, partitions: outputPartitions ?? inputPartitions)
        try await cluster.createTopic(deadLetter, partitions: 1)
    }
}
