import EnricherJSON

/// Builds the enriched result: a CloudEvents 1.0 structured-mode event exactly as the contract
/// shows it (member order included), keyed like the input, with
/// `content-type: application/cloudevents+json`. Pure, so its output is checked against golden files.
public struct OutputEventBuilder: Sendable {
    /// The CloudEvents `type` of every result event.
    public static let eventType = "faceid.verification.result.v1"
    /// The `content-type` header value of every result event.
    public static let contentType = "application/cloudevents+json"
    /// How long Tencent's media URLs stay valid after the fetch.
    public static let mediaURLLifetime: Duration = .seconds(600)
    /// The Intl action's inline media members, replaced by a size and digest unless kept.
    public static let inlineMediaMembers: Set<String> = ["BestFrameBase64", "VideoBase64"]

    /// The output topic.
    public var topic: String
    /// The CloudEvents `source`.
    public var source: String
    /// Whether inline base64 media is published as is (`--keep-media-base64`).
    public var keepsMediaBase64: Bool
    /// Lower-case hex MD5 of bytes; injected so this module needs no crypto library.
    public var md5: @Sendable ([UInt8]) -> String

    /// A builder publishing to `topic`.
    public init(
        topic: String,
        source: String = "faceid-enricher",
        keepsMediaBase64: Bool = false,
        md5: @escaping @Sendable ([UInt8]) -> String
    ) {
        self.topic = topic
        self.source = source
        self.keepsMediaBase64 = keepsMediaBase64
        self.md5 = md5
    }

    /// The output record for `event`, read from `record`, with `outcome` after `attempts` API calls.
    /// `fetchedAt` is when the last answer arrived; `time` is when the event is emitted; `media` is
    /// where its media was archived (`data.media`, `null` when archiving is off or there is none).
    public func build(
        event: InputEvent,
        record: InputRecord,
        outcome: VerificationOutcome,
        attempts: Int,
        fetchedAt: UTCTimestamp,
        time: UTCTimestamp,
        media: ArchivedMedia? = nil
    ) -> OutgoingRecord {
        let result: JSONValue
        let error: JSONValue
        switch outcome {
        case .result(let response), .incomplete(let response):
            result = publishedResponse(response)
            error = .null
        case .apiError(_, let failure):
            result = .null
            error = [
                "code": .string(failure.code),
                "message": .string(failure.message),
                "requestId": failure.requestId.map { .string($0) } ?? .null,
            ]
        }
        let mediaExpiresAt: JSONValue =
            Self.hasMediaURLs(result) ? .string(fetchedAt.advanced(by: Self.mediaURLLifetime).rfc3339) : .null

        var data: [(key: String, value: JSONValue)] = [
            ("eventId", .string(event.eventId)),
            ("bizToken", .string(event.bizToken)),
            ("region", .string(event.region)),
            ("status", .string(outcome.status.rawValue)),
            ("result", result),
            ("error", error),
            ("attempts", .integer(attempts)),
            ("fetchedAt", .string(fetchedAt.rfc3339)),
            ("mediaExpiresAt", mediaExpiresAt),
            ("media", media?.json ?? .null),
            (
                "source",
                [
                    "topic": .string(record.topic),
                    "partition": .integer(record.partition),
                    "offset": .integer(record.offset),
                ]
            ),
        ]
        if let metadata = event.metadata { data.append(("metadata", metadata)) }

        let cloudEvent: JSONValue = [
            "specversion": "1.0",
            "id": .string(event.eventId),
            "source": .string(source),
            "type": .string(Self.eventType),
            "subject": .string(event.bizToken),
            "time": .string(time.rfc3339),
            "datacontenttype": "application/json",
            "data": .object(data),
        ]
        return OutgoingRecord(
            topic: topic,
            key: record.key,
            value: cloudEvent.serializedBytes,
            headers: [RecordHeader(key: "content-type", text: Self.contentType)]
        )
    }
}
