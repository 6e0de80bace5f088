import KafkaClient
import TestSupport

/// The chaos suite's "zero lost" audit of a ``TopicSnapshot`` against the records a test produced: every valid
/// input has an output, every malformed one a dead letter with its key and value byte for byte — matched by
/// key, so it stays fast at 10,000 dead letters — plus the duplicates of both, which at-least-once allows and
/// the suite reports.
struct ChaosTally: Sendable, CustomStringConvertible {
    var expectedOutputs = 0
    var expectedDeadLetters = 0
    var outputRecords = 0
    var deadLetterRecords = 0
    var missingOutputs: [String] = []
    var missingDeadLetters: [String] = []
    /// Output records beyond the first per `eventId`.
    var duplicateOutputs = 0
    /// Dead-letter records beyond the first per key.
    var duplicateDeadLetters = 0
    /// Valid inputs whose output is not `passed` (every chaos event has a `PASS-` token).
    var unexpectedStatuses: [String] = []
    /// Outputs whose key is not the input's key (the token).
    var rekeyedOutputs: [String] = []
    /// Valid inputs that were dead-lettered.
    var validInDeadLetters: [String] = []
    /// Dead letters of malformed inputs not marked `malformed`.
    var wrongReasons: [String] = []
    /// Dead letters whose value differs from the input's.
    var alteredDeadLetters: [String] = []
    var unparsableOutputs = 0

    init(_ records: [ChaosRecord], _ snapshot: TopicSnapshot) {
        var outputs: [String: (count: Int, status: String?, key: String?)] = [:]
        for output in snapshot.outputs {
            guard let id = output.eventId else { continue }
            let previous = outputs[id]?.count ?? 0
            outputs[id] = (previous + 1, output.status, output.key)
        }
        var deadLetters: [String: (count: Int, letter: ObservedDeadLetter)] = [:]
        for letter in snapshot.deadLetters {
            let key = String(decoding: letter.message.key ?? [], as: UTF8.self)
            deadLetters[key] = ((deadLetters[key]?.count ?? 0) + 1, letter)
        }
        for record in records {
            let key = record.keyText
            if let eventId = record.eventId {
                expectedOutputs += 1
                if let seen = outputs[eventId] {
                    duplicateOutputs += seen.count - 1
                    if seen.status != "passed" { unexpectedStatuses.append(eventId) }
                    if seen.key != key { rekeyedOutputs.append(eventId) }
                } else {
                    missingOutputs.append(eventId)
                }
                if deadLetters[key] != nil { validInDeadLetters.append(key) }
            } else {
                expectedDeadLetters += 1
                if let seen = deadLetters[key] {
                    duplicateDeadLetters += seen.count - 1
                    if seen.letter.reason != "malformed" { wrongReasons.append(key) }
                    if (seen.letter.message.value ?? []) != (record.value ?? []) { alteredDeadLetters.append(key) }
                } else {
                    missingDeadLetters.append(key)
                }
            }
        }
        outputRecords = snapshot.outputs.count
        deadLetterRecords = snapshot.deadLetters.count
        unparsableOutputs = snapshot.unparsableOutputs.count
    }

    /// Zero lost: every valid input has an output and every malformed input a dead letter.
    var isComplete: Bool { missingOutputs.isEmpty && missingDeadLetters.isEmpty }

    var description: String {
        "outputs \(expectedOutputs - missingOutputs.count)/\(expectedOutputs) (records \(outputRecords), duplicates \(duplicateOutputs)), "
            + "dead letters \(expectedDeadLetters - missingDeadLetters.count)/\(expectedDeadLetters) "
            + "(records \(deadLetterRecords), duplicates \(duplicateDeadLetters))"
            + (missingOutputs.isEmpty ? "" : "; missing outputs e.g. \(missingOutputs.prefix(5))")
            + (missingDeadLetters.isEmpty ? "" : "; missing dead letters e.g. \(missingDeadLetters.prefix(5))")
    }
}

extension TopicReader {
    /// Waits (at most `timeout`) until every record in `records` is accounted for — an output per valid one, a
    /// dead letter per malformed one (cheap checks while waiting) — and returns the full audit of what was read.
    func waitUntilAccountedFor(_ records: [ChaosRecord], timeout: Duration) async -> ChaosTally {
        let eventIds = Set(records.compactMap(\.eventId))
        let deadKeys = Set(records.filter { $0.eventId == nil }.map(\.keyText))
        let snapshot = await waitUntil(timeout: timeout) { snapshot in
            guard snapshot.hasOutputs(for: eventIds), snapshot.deadLetters.count >= deadKeys.count else { return false }
            let seen = Set(snapshot.deadLetters.map { String(decoding: $0.message.key ?? [], as: UTF8.self) })
            return deadKeys.isSubset(of: seen)
        }
        return ChaosTally(records, snapshot)
    }

    /// Waits (at most `timeout`) until at least `count` distinct events have an output; returns whether they had.
    func waitForProgress(atLeast count: Int, timeout: Duration) async -> Bool {
        await waitUntil(timeout: timeout) { $0.outputEventIds.count >= count }.outputEventIds.count >= count
    }
}
