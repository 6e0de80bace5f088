public import EnricherJSON

/// Keeps the evidence of a verification: downloads (or decodes) the best frame and the video a
/// result names, checks them against Tencent's MD5 and stores them, before the result is published.
///
/// The pipeline calls it between resolving a result and publishing it, so a committed offset means
/// the media is stored; it knows nothing of HTTP, S3 or files. Failures come back classified
/// (``MediaArchiveFailure``): retried with backoff, retried after asking the API for fresh URLs,
/// or holding the event like a configuration error.
public protocol MediaArchiver: Sendable {
    /// Stores the media of `request.response` and describes what was stored; throws when any of it
    /// could not be stored and verified (nothing is then published for the event).
    func archive(_ request: MediaArchiveRequest) async throws(MediaArchiveFailure) -> ArchivedMedia
}

/// What to archive: one resolved result and where its media must end up.
public struct MediaArchiveRequest: Sendable, Hashable {
    /// The input event's `bizToken` (the first part of every object key).
    public var bizToken: String
    /// The region the result was fetched in.
    public var region: String
    /// The API's `Response`, verbatim: media URLs and MD5s, or the Intl action's inline base64.
    public var response: JSONValue
    /// When the media URLs stop working (`fetchedAt` + 10 minutes); a download must begin before.
    /// `nil` when the result has no URLs.
    public var mediaExpiresAt: UTCTimestamp?

    /// A request for `response`, fetched for `bizToken` in `region`.
    public init(bizToken: String, region: String, response: JSONValue, mediaExpiresAt: UTCTimestamp?) {
        self.bizToken = bizToken
        self.region = region
        self.response = response
        self.mediaExpiresAt = mediaExpiresAt
    }

    /// How long before ``mediaExpiresAt`` a download is no longer started: Tencent signs the URLs
    /// with its clock and they are read against ours, so a download starting in the last seconds
    /// could meet a 403.
    public static let downloadDeadlineMargin: Duration = .seconds(10)

    /// Whether a download of these URLs may still begin at `now`.
    public func isDownloadable(at now: UTCTimestamp) -> Bool {
        guard let mediaExpiresAt else { return true }
        return now < mediaExpiresAt.advanced(by: .zero - Self.downloadDeadlineMargin)
    }

    /// The `Response` members that carry media: the URL action's and the Intl action's.
    public static let mediaMembers = ["VideoBestFrameUrl", "VideoUrl", "BestFrameBase64", "VideoBase64"]

    /// Whether `response` carries any media to archive (a non-empty URL or inline base64 member).
    public static func hasMedia(_ response: JSONValue) -> Bool {
        mediaMembers.contains { !(response[$0]?.stringValue ?? "").isEmpty }
    }
}

/// Where a result's media was stored: the output event's `data.media`.
public struct ArchivedMedia: Sendable, Hashable {
    /// The best frame, when the result had one.
    public var bestFrame: ArchivedMediaObject?
    /// The video, when the result had one.
    public var video: ArchivedMediaObject?

    /// Media stored as `bestFrame` and `video`.
    public init(bestFrame: ArchivedMediaObject? = nil, video: ArchivedMediaObject? = nil) {
        self.bestFrame = bestFrame
        self.video = video
    }

    /// `{ "bestFrame": {…}, "video": {…} }`, each member present when that media was stored.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let bestFrame { members.append(("bestFrame", bestFrame.json)) }
        if let video { members.append(("video", video.json)) }
        return .object(members)
    }
}

/// One stored, verified object.
public struct ArchivedMediaObject: Sendable, Hashable {
    /// Where it is: `s3://BUCKET/KEY` or `file:///PATH`.
    public var uri: String
    /// Its MD5, lower-case hex: what Tencent reported and what was stored.
    public var md5: String
    /// Its size in bytes.
    public var bytes: Int
    /// Its content type (`image/jpeg`, `video/mp4`).
    public var contentType: String

    /// An object stored at `uri`.
    public init(uri: String, md5: String, bytes: Int, contentType: String) {
        self.uri = uri
        self.md5 = md5
        self.bytes = bytes
        self.contentType = contentType
    }

    /// `{ "uri", "md5", "bytes", "contentType" }`.
    public var json: JSONValue {
        ["uri": .string(uri), "md5": .string(md5), "bytes": .integer(bytes), "contentType": .string(contentType)]
    }
}
