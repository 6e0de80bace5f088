import EnricherJSON

/// Turns a raw input value into an ``InputEvent`` or the reason it is malformed, applying every
/// rule of the contract's input table. Pure, so each rule has its own test.
public struct InputValidator: Sendable {
    /// The largest value accepted, in bytes (64 KiB).
    public static let maximumValueBytes = 65_536
    /// The largest `metadata` object accepted, in bytes of compact JSON (16 KiB).
    public static let maximumMetadataBytes = 16_384
    /// The regions FaceID serves this action in.
    public static let knownRegions: Set<String> = ["ap-jakarta", "ap-singapore"]

    /// The region used when an event names none (`--region`).
    public var defaultRegion: String
    /// Regions an event may name.
    public var allowedRegions: Set<String>

    /// A validator defaulting to `defaultRegion`.
    public init(defaultRegion: String, allowedRegions: Set<String> = InputValidator.knownRegions) {
        self.defaultRegion = defaultRegion
        self.allowedRegions = allowedRegions
    }

    /// Validates one record value. Unknown fields are ignored; `null` optional fields count as
    /// absent.
    public func validate(_ value: [UInt8]?) -> Result<InputEvent, MalformedInput> {
        guard let value, !value.isEmpty else { return .failure(.emptyValue) }
        guard value.count <= Self.maximumValueBytes else { return .failure(.valueTooLarge(bytes: value.count)) }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: value)
        } catch {
            return .failure(.notJSON(error))
        }
        guard document.objectMembers != nil else { return .failure(.notAnObject) }

        guard let eventIdValue = present(document["eventId"]) else { return .failure(.missingField("eventId")) }
        guard let eventId = eventIdValue.stringValue else {
            return .failure(.wrongType(field: "eventId", expected: "a string"))
        }
        guard (1...128).contains(eventId.count) else { return .failure(.eventIdLength(eventId.count)) }

        guard let bizTokenValue = present(document["bizToken"]) else { return .failure(.missingField("bizToken")) }
        guard let bizToken = bizTokenValue.stringValue else {
            return .failure(.wrongType(field: "bizToken", expected: "a string"))
        }
        guard Self.isValidBizToken(bizToken) else { return .failure(.bizTokenInvalid) }

        var region = defaultRegion
        if let regionValue = present(document["region"]) {
            guard let named = regionValue.stringValue else {
                return .failure(.wrongType(field: "region", expected: "a string"))
            }
            guard allowedRegions.contains(named) else { return .failure(.unknownRegion(named)) }
            region = named
        }

        var occurredAt: UTCTimestamp?
        if let occurredValue = present(document["occurredAt"]) {
            guard let text = occurredValue.stringValue, let parsed = UTCTimestamp(rfc3339: text) else {
                return .failure(.occurredAtNotRFC3339)
            }
            occurredAt = parsed
        }

        var metadata: JSONValue?
        if let metadataValue = present(document["metadata"]) {
            guard metadataValue.objectMembers != nil else {
                return .failure(.wrongType(field: "metadata", expected: "an object"))
            }
            let size = metadataValue.serializedBytes.count
            guard size <= Self.maximumMetadataBytes else { return .failure(.metadataTooLarge(bytes: size)) }
            metadata = metadataValue
        }

        return .success(
            InputEvent(eventId: eventId, bizToken: bizToken, region: region, occurredAt: occurredAt, metadata: metadata)
        )
    }

    /// Whether `token` is 1–128 characters of `[A-Za-z0-9_-]`.
    public static func isValidBizToken(_ token: String) -> Bool {
        let bytes = token.utf8
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
                || b == UInt8(ascii: "-")
        }
    }

    private func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }
}
