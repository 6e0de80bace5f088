public import KafkaClient

/// Everything a ``TopicReader`` has read so far from the output and dead-letter topics, in arrival order.
public struct TopicSnapshot: Sendable {
    /// Output records, parsed.
    public var outputs: [ObservedOutput] = []
    /// Dead-letter records.
    public var deadLetters: [ObservedDeadLetter] = []
    /// Output records whose value was not a JSON object (always a bug).
    public var unparsableOutputs: [KafkaMessage] = []

    /// An empty snapshot.
    public init() {}

    /// The distinct `data.eventId`s seen on the output topic.
    public var outputEventIds: Set<String> { Set(outputs.compactMap(\.eventId)) }

    /// The first output for each `eventId`.
    public var outputsByEventId: [String: ObservedOutput] {
        var result: [String: ObservedOutput] = [:]
        for output in outputs {
            guard let id = output.eventId, result[id] == nil else { continue }
            result[id] = output
        }
        return result
    }

    /// Whether every id in `eventIds` has at least one output.
    public func hasOutputs(for eventIds: some Sequence<String>) -> Bool {
        let seen = outputEventIds
        return eventIds.allSatisfy { seen.contains($0) }
    }
}
