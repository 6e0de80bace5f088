public import EnricherJSON

/// Why an input value is not a usable event. Each case renders as the one line that goes into
/// the dead-letter header `x-dlq-error`, so an operator can fix the producer.
public enum MalformedInput: Error, Sendable, Hashable, CustomStringConvertible {
    /// No value, or a zero-length one (a tombstone is not an event).
    case emptyValue
    /// The value is larger than the 64 KiB the contract allows.
    case valueTooLarge(bytes: Int)
    /// The value is not valid JSON.
    case notJSON(JSONParseError)
    /// The value is JSON but not an object.
    case notAnObject
    /// A required field is absent or `null`.
    case missingField(String)
    /// A field has the wrong JSON type.
    case wrongType(field: String, expected: String)
    /// `eventId` is not 1–128 characters long.
    case eventIdLength(Int)
    /// `bizToken` is longer than 128 or empty, or has a character outside `[A-Za-z0-9_-]`.
    case bizTokenInvalid
    /// `region` is not one the service can call.
    case unknownRegion(String)
    /// `occurredAt` is not an RFC 3339 date-time.
    case occurredAtNotRFC3339
    /// `metadata` is larger than 16 KiB.
    case metadataTooLarge(bytes: Int)

    /// The one-line reason written to `x-dlq-error`.
    public var description: String {
        switch self {
        case .emptyValue: return "empty value"
        case .valueTooLarge(let bytes): return "value is \(bytes) bytes, over the 65536-byte limit"
        case .notJSON(let error): return "value is not valid JSON: \(error)"
        case .notAnObject: return "value is not a JSON object"
        case .missingField(let field): return "missing \(field)"
        case .wrongType(let field, let expected): return "\(field) is not \(expected)"
        case .eventIdLength(let length): return "eventId is \(length) characters, must be 1 to 128"
        case .bizTokenInvalid: return "bizToken must be 1 to 128 characters of [A-Za-z0-9_-]"
        case .unknownRegion(let region):
            return "unknown region \"\(MalformedInput.excerpt(region))\""
        case .occurredAtNotRFC3339: return "occurredAt is not an RFC 3339 date-time"
        case .metadataTooLarge(let bytes): return "metadata is \(bytes) bytes, over the 16384-byte limit"
        }
    }

    /// Producer text echoed in an error: printable ASCII only, at most 40 characters, so the
    /// header stays one short line whatever the producer sent.
    static func excerpt(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(40) {
            out += scalar.value >= 0x20 && scalar.value < 0x7F && scalar != "\"" ? String(scalar) : "?"
        }
        return text.unicodeScalars.count > 40 ? out + "…" : out
    }
}
