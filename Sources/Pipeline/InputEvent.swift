public import EnricherJSON

/// A validated "verification completed" event: the fields the pipeline acts on, with the
/// region already defaulted. Produced only by ``InputValidator``, so holding one means every
/// contract rule on the input held.
public struct InputEvent: Sendable, Hashable {
    /// The producer's event id; becomes the output's CloudEvents `id` (the deduplication key).
    public var eventId: String
    /// The FaceID `BizToken` to fetch the result for.
    public var bizToken: String
    /// The region to call: the event's own, or the configured default.
    public var region: String
    /// When the verification completed, when the producer said so.
    public var occurredAt: UTCTimestamp?
    /// The producer's `metadata` object, verbatim, when present.
    public var metadata: JSONValue?

    /// A validated event.
    public init(
        eventId: String,
        bizToken: String,
        region: String,
        occurredAt: UTCTimestamp? = nil,
        metadata: JSONValue? = nil
    ) {
        self.eventId = eventId
        self.bizToken = bizToken
        self.region = region
        self.occurredAt = occurredAt
        self.metadata = metadata
    }
}
