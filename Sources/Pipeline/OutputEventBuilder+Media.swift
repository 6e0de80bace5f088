public import EnricherJSON

extension OutputEventBuilder {
    /// The `Response` as published: verbatim, except that each inline media string
    /// (`BestFrameBase64`, `VideoBase64`) becomes `{ "bytes": N, "md5": "…" }` unless media is kept.
    /// A video does not belong in a Kafka message; its size and digest still let a consumer
    /// match it against a copy fetched elsewhere.
    public func publishedResponse(_ response: JSONValue) -> JSONValue {
        guard !keepsMediaBase64, var members = response.objectMembers else { return response }
        for index in members.indices where Self.inlineMediaMembers.contains(members[index].key) {
            guard let text = members[index].value.stringValue else { continue }
            let bytes = Base64.decode(text) ?? []
            members[index].value = ["bytes": .integer(bytes.count), "md5": .string(md5(bytes))]
        }
        return .object(members)
    }

    /// Whether a published result carries media URLs (a non-empty string member whose name ends
    /// in `Url`, such as `VideoBestFrameUrl` and `VideoUrl`); they expire ten minutes after the fetch.
    public static func hasMediaURLs(_ result: JSONValue) -> Bool {
        guard let members = result.objectMembers else { return false }
        return members.contains { member in
            (member.key.hasSuffix("Url") || member.key.hasSuffix("URL"))
                && !(member.value.stringValue ?? "").isEmpty
        }
    }
}
