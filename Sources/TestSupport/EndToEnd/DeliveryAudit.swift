/// The "zero lost" check: compares what a test produced with what came out of the output and dead-letter
/// topics. Every valid input `eventId` must have an output, every malformed input must be in the DLQ
/// (matched by its value, byte for byte); duplicates (allowed by at-least-once) are counted, not failed.
public struct DeliveryAudit: Sendable, CustomStringConvertible {
    /// Valid input eventIds with no output.
    public var missingOutputs: Set<String>
    /// Outputs whose eventId was not produced by the test.
    public var unexpectedOutputs: Set<String>
    /// eventIds published more than once, with how many times.
    public var duplicateOutputs: [String: Int]
    /// Malformed inputs (by index in the list given) with no dead letter carrying their exact value.
    public var missingDeadLetters: [Int]
    /// Output records that were not JSON objects.
    public var unparsableOutputs: Int

    /// Audits `snapshot` against the produced `eventIds` and `malformedValues` (the raw values of inputs that
    /// must be dead-lettered; `nil` for a record without a value).
    public init(eventIds: some Sequence<String>, malformedValues: [[UInt8]?] = [], snapshot: TopicSnapshot) {
        let expected = Set(eventIds)
        var counts: [String: Int] = [:]
        for output in snapshot.outputs {
            if let id = output.eventId { counts[id, default: 0] += 1 }
        }
        missingOutputs = expected.subtracting(counts.keys)
        unexpectedOutputs = Set(counts.keys).subtracting(expected)
        duplicateOutputs = counts.filter { $0.value > 1 }
        var remaining = snapshot.deadLetters.map { $0.message.value ?? [] }
        var missing: [Int] = []
        for (index, value) in malformedValues.enumerated() {
            if let found = remaining.firstIndex(of: value ?? []) {
                remaining.remove(at: found)
            } else {
                missing.append(index)
            }
        }
        missingDeadLetters = missing
        unparsableOutputs = snapshot.unparsableOutputs.count
    }

    /// Nothing lost, nothing unexpected (duplicates allowed).
    public var isComplete: Bool {
        missingOutputs.isEmpty && unexpectedOutputs.isEmpty && missingDeadLetters.isEmpty && unparsableOutputs == 0
    }

    /// A one-paragraph summary for an expectation's message.
    public var description: String {
        let missing = missingOutputs.sorted().prefix(10).joined(separator: ", ")
        return "missing outputs: \(missingOutputs.count) [\(missing)], unexpected outputs: \(unexpectedOutputs.count), "
            + "duplicates: \(duplicateOutputs.count), missing dead letters: \(missingDeadLetters), "
            + "unparsable outputs: \(unparsableOutputs)"
    }
}
