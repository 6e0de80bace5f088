public import EnricherJSON
public import KafkaClient

/// An output-topic record as a downstream consumer sees it: the CloudEvents envelope parsed, with the fields
/// tests assert on pulled out (`nil` when absent or of the wrong type, so a shape bug fails an expectation
/// instead of crashing the test).
public struct ObservedOutput: Sendable {
    /// The raw record (topic, partition, offset, key, value, headers).
    public var message: KafkaMessage
    /// The whole CloudEvent.
    public var event: JSONValue

    /// Parses `message`'s value; `nil` when it is not a JSON object.
    public init?(_ message: KafkaMessage) {
        guard let value = message.value, let event = try? JSONValue(parsing: value), event.objectMembers != nil else {
            return nil
        }
        self.message = message
        self.event = event
    }

    /// The `data` object.
    public var data: JSONValue? { event["data"] }
    /// `data.eventId` — the input event this result is for.
    public var eventId: String? { data?["eventId"]?.stringValue }
    /// CloudEvents `id` (must equal the input `eventId`).
    public var id: String? { event["id"]?.stringValue }
    /// `data.status`: `passed`, `failed`, `incomplete`, `expired` or `invalid_token`.
    public var status: String? { data?["status"]?.stringValue }
    /// `data.bizToken`.
    public var bizToken: String? { data?["bizToken"]?.stringValue }
    /// `data.result`: the API's `Response` object, or JSON `null`.
    public var result: JSONValue? { data?["result"] }
    /// `data.error`: `{code, message, requestId}` or JSON `null`.
    public var error: JSONValue? { data?["error"] }
    /// `data.attempts`: API calls made for this event.
    public var attempts: Int? { data?["attempts"]?.intValue }
    /// `data.source.topic`.
    public var sourceTopic: String? { data?["source"]?["topic"]?.stringValue }
    /// `data.source.partition`.
    public var sourcePartition: Int? { data?["source"]?["partition"]?.intValue }
    /// `data.source.offset`.
    public var sourceOffset: Int? { data?["source"]?["offset"]?.intValue }
    /// The record key as text.
    public var key: String? { message.key.map { String(decoding: $0, as: UTF8.self) } }
    /// The `content-type` header's value (the contract says `application/cloudevents+json`).
    public var contentType: String? { message.header("content-type") }
}
