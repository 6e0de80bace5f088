import EnricherJSON
import Pipeline
import Simulator

/// A seeded generator of malformed input records — random bytes, truncated JSON, huge strings, deep nesting,
/// wrong types, invalid UTF-8, non-objects, empty and null values — so a failing fuzz run can be replayed.
struct ChaosFuzz {
    /// The kinds of damage, one per fuzzed record in turn (so every kind is well represented).
    enum Kind: CaseIterable {
        case randomBytes, truncatedJSON, hugeString, deepNesting, wrongType, invalidUTF8, notAnObject
    }

    var random: SeededRandom
    let validator = InputValidator(defaultRegion: "ap-singapore")

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    /// `count` malformed records keyed `fuzz-<run>-<i>`, each checked to be malformed by the contract's rules
    /// (a generator slip that produced a valid event would make the test wrong, not the service).
    mutating func malformedRecords(run: String, count: Int) -> [ChaosRecord] {
        (0..<count).map { index in
            let kind = Kind.allCases[index % Kind.allCases.count]
            var value = make(kind, index: index)
            if case .success = validator.validate(value) {
                value = Array("{\"eventId\":".utf8)
            }
            return ChaosRecord(key: Array("fuzz-\(run)-\(index)".utf8), value: value, eventId: nil)
        }
    }

    /// Valid and malformed records interleaved in a seeded random order.
    mutating func interleave(_ valid: [ChaosRecord], _ malformed: [ChaosRecord]) -> [ChaosRecord] {
        var all = valid + malformed
        all.shuffle(using: &random)
        return all
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    private mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    private mutating func validJSON(index: Int) -> [UInt8] {
        JSONValue.object([
            (key: "eventId", value: .string("fuzzed-\(index)")),
            (key: "bizToken", value: .string("PASS-fuzzed-\(index)")),
            (key: "region", value: .string("ap-jakarta")),
            (key: "occurredAt", value: .string("2026-11-24T10:00:00Z")),
            (key: "metadata", value: .object([(key: "applicantId", value: .string("A-\(index)"))])),
        ]).serializedBytes
    }

    private mutating func make(_ kind: Kind, index: Int) -> [UInt8]? {
        switch kind {
        case .randomBytes:
            return bytes(int(1...300))
        case .truncatedJSON:
            let full = validJSON(index: index)
            return Array(full.prefix(int(1...(full.count - 1))))
        case .hugeString:
            switch int(0...9) {
            case 0:
                // Over the 64 KiB value limit.
                return Array("{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS-\(index)\",\"pad\":\"".utf8)
                    + [UInt8](repeating: UInt8(ascii: "x"), count: 66_000) + Array("\"}".utf8)
            case 1, 2, 3:
                // metadata over 16 KiB.
                let pad = String(repeating: "m", count: 16_400 + int(0...500))
                return Array(
                    "{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS-\(index)\",\"metadata\":{\"pad\":\"\(pad)\"}}".utf8
                )
            case 4, 5, 6:
                let id = String(repeating: "i", count: int(129...4000))
                return Array("{\"eventId\":\"\(id)\",\"bizToken\":\"PASS-\(index)\"}".utf8)
            default:
                let token = String(repeating: "T", count: int(129...4000))
                return Array("{\"eventId\":\"e-\(index)\",\"bizToken\":\"\(token)\"}".utf8)
            }
        case .deepNesting:
            let depth = JSONValue.maximumDepth + int(2...400)
            let open = int(0...1) == 0 ? "[" : "{\"a\":"
            let close = open == "[" ? "]" : "}"
            let nested = String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
            return Array(
                "{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS-\(index)\",\"metadata\":{\"deep\":\(nested)}}".utf8)
        case .wrongType:
            let variants = [
                "{\"eventId\":\(index),\"bizToken\":\"PASS-\(index)\"}",
                "{\"eventId\":\"e-\(index)\",\"bizToken\":[\"PASS\"]}",
                "{\"eventId\":true,\"bizToken\":\"PASS-\(index)\"}",
                "{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS-\(index)\",\"region\":7}",
                "{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS-\(index)\",\"metadata\":\"text\"}",
                "{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS-\(index)\",\"occurredAt\":17}",
                "{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS-\(index)\",\"region\":\"eu-west-1\"}",
                "{\"eventId\":\"e-\(index)\",\"bizToken\":\"PASS \(index)!\"}",
                "{\"eventId\":\"\",\"bizToken\":\"PASS-\(index)\"}",
                "{\"bizToken\":\"PASS-\(index)\"}",
                "{\"eventId\":\"e-\(index)\"}",
                "{\"eventId\":{\"x\":1},\"bizToken\":\"PASS-\(index)\"}",
            ]
            return Array(variants[int(0...(variants.count - 1))].utf8)
        case .invalidUTF8:
            let bad: [[UInt8]] = [
                [0xFF], [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80],
            ]
            return Array("{\"eventId\":\"e-\(index)-".utf8) + bad[int(0...(bad.count - 1))]
                + Array("\",\"bizToken\":\"PASS-\(index)\"}".utf8)
        case .notAnObject:
            let variants: [[UInt8]?] = [
                nil, [], Array("[]".utf8), Array("42".utf8), Array("\"text\"".utf8), Array("null".utf8),
                Array("   ".utf8), Array("{} {}".utf8),
            ]
            return variants[int(0...(variants.count - 1))]
        }
    }
}
