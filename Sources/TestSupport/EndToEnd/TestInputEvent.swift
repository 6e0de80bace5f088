public import EnricherJSON

/// One "verification completed" input event as the contract describes it, for producing into the input topic.
///
/// The simulator scripts its answer from the `bizToken`'s first dash-separated part (`PASS-`, `FAIL1001-`,
/// `PEND2-`, `PENDX-`, `EXPD-`, `ILLG-`), so ``scripted(_:eventId:key:region:occurredAt:metadata:)`` builds an
/// event that ends in a chosen status.
public struct TestInputEvent: Sendable, Hashable {
    /// The event's `eventId` (the output's CloudEvents `id`).
    public var eventId: String
    /// The FaceID `BizToken`.
    public var bizToken: String
    /// The Kafka key; the contract recommends the `bizToken`, and the output carries it over.
    public var key: String?
    /// `region`, omitted from the JSON when `nil`.
    public var region: String?
    /// `occurredAt`, omitted when `nil`.
    public var occurredAt: String?
    /// `metadata`, omitted when `nil`; passed through verbatim by the service.
    public var metadata: JSONValue?

    /// An event with every field given.
    public init(
        eventId: String,
        bizToken: String,
        key: String?,
        region: String? = nil,
        occurredAt: String? = "2026-11-24T10:00:00Z",
        metadata: JSONValue? = nil
    ) {
        self.eventId = eventId
        self.bizToken = bizToken
        self.key = key
        self.region = region
        self.occurredAt = occurredAt
        self.metadata = metadata
    }

    /// An event whose token starts with `prefix` (e.g. `"PASS"`, `"FAIL1001"`, `"PEND2"`, `"EXPD"`), a unique
    /// suffix, a unique `eventId` unless given, and the token as key unless given.
    public static func scripted(
        _ prefix: String,
        eventId: String? = nil,
        key: String? = nil,
        region: String? = nil,
        occurredAt: String? = "2026-11-24T10:00:00Z",
        metadata: JSONValue? = nil
    ) -> TestInputEvent {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let token = "\(prefix)-\(suffix)"
        return TestInputEvent(
            eventId: eventId ?? "evt-\(token)",
            bizToken: token,
            key: key ?? token,
            region: region,
            occurredAt: occurredAt,
            metadata: metadata
        )
    }

    /// The event as the JSON object the contract specifies (fields in the documented order).
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            (key: "eventId", value: .string(eventId)), (key: "bizToken", value: .string(bizToken)),
        ]
        if let region { members.append((key: "region", value: .string(region))) }
        if let occurredAt { members.append((key: "occurredAt", value: .string(occurredAt))) }
        if let metadata { members.append((key: "metadata", value: metadata)) }
        return .object(members)
    }

    /// The Kafka record value: the JSON serialized as UTF-8.
    public var value: [UInt8] { json.serializedBytes }

    /// The Kafka record key as bytes.
    public var keyBytes: [UInt8]? { key.map { Array($0.utf8) } }
}
