import EnricherJSON

/// The two pieces of evidence a FaceID result carries, where each is found in the `Response`,
/// and what it is called in the archive, the output event and the metrics.
public enum MediaKind: String, Sendable, Hashable, CaseIterable {
    /// The best frame of the liveness video, a still image.
    case bestFrame
    /// The liveness video.
    case video

    /// The object's base name: `best-frame.{ext}`, `video.{ext}`.
    public var objectName: String { self == .bestFrame ? "best-frame" : "video" }
    /// The metric label value (`kind="best_frame"`).
    public var metricLabel: String { self == .bestFrame ? "best_frame" : "video" }
    /// The `Response` member with the temporary URL (`GetWebVerificationResult`).
    var urlMember: String { self == .bestFrame ? "VideoBestFrameUrl" : "VideoUrl" }
    /// The `Response` member with Tencent's MD5 of the URL's content.
    var md5Member: String { self == .bestFrame ? "VideoBestFrameMd5" : "VideoMd5" }
    /// The `Response` member with the inline base64 (`GetWebVerificationResultIntl`).
    var base64Member: String { self == .bestFrame ? "BestFrameBase64" : "VideoBase64" }

    /// Where `response` has this media: a URL with its MD5, inline base64, or nowhere.
    func source(in response: JSONValue) -> MediaSource? {
        if let url = response[urlMember]?.stringValue, !url.isEmpty {
            let md5 = response[md5Member]?.stringValue.flatMap { $0.isEmpty ? nil : $0.lowercased() }
            return .url(url, md5: md5)
        }
        if let base64 = response[base64Member]?.stringValue, !base64.isEmpty {
            return .inline(base64)
        }
        return nil
    }
}

/// Where one piece of media comes from.
enum MediaSource: Sendable, Hashable {
    /// A temporary URL, and the MD5 Tencent reports for its content (when it sent one).
    case url(String, md5: String?)
    /// The Intl action's inline base64.
    case inline(String)
}
