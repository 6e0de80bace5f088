public import EnricherJSON

/// A FaceID web verification result: the API's `Response` object verbatim, with typed
/// accessors for the fields the pipeline reads.
///
/// The object is kept as ``JSONValue`` (member order and number text preserved) because the
/// enriched event republishes it whole, including fields Tencent adds later. ``description``
/// omits the media URLs and inline media (they grant access to a person's face for ten
/// minutes), so a result can be logged.
public struct WebVerificationResult: Sendable, Hashable, CustomStringConvertible {
    /// The `Response` object exactly as the API sent it.
    public var response: JSONValue

    /// Wraps a `Response` object.
    public init(response: JSONValue) {
        self.response = response
    }

    /// `ErrorCode`: 0 passed, another number failed, `nil` while the person has not finished
    /// (JSON `null`) or when absent.
    public var errorCode: Int? { response["ErrorCode"]?.intValue }

    /// `ErrorMsg`, the text for ``errorCode``.
    public var errorMessage: String? { response["ErrorMsg"]?.stringValue }

    /// `true` when FaceID has a verdict (``errorCode`` is a number).
    public var hasVerdict: Bool { errorCode != nil }

    /// `VerificationDetailList`: the attempts the person made, verbatim.
    public var verificationDetailList: JSONValue? { response["VerificationDetailList"] }

    /// `VideoBestFrameUrl`: the best frame, valid for 10 minutes. Never log it.
    public var videoBestFrameURL: String? { response["VideoBestFrameUrl"]?.stringValue }

    /// `VideoBestFrameMd5`.
    public var videoBestFrameMD5: String? { response["VideoBestFrameMd5"]?.stringValue }

    /// `VideoUrl`: the video, valid for 10 minutes. Never log it.
    public var videoURL: String? { response["VideoUrl"]?.stringValue }

    /// `VideoMd5`.
    public var videoMD5: String? { response["VideoMd5"]?.stringValue }

    /// `BestFrameBase64` (Intl action only): the best frame inline.
    public var bestFrameBase64: String? { response["BestFrameBase64"]?.stringValue }

    /// `VideoBase64` (Intl action only): the video inline.
    public var videoBase64: String? { response["VideoBase64"]?.stringValue }

    /// `true` when the result carries a media URL (they expire 10 minutes after the call).
    public var hasMediaURLs: Bool {
        [videoBestFrameURL, videoURL].contains { !($0 ?? "").isEmpty }
    }

    /// `RequestId`, for Tencent support.
    public var requestID: String? { response["RequestId"]?.stringValue }

    /// Code, message and request id; no media.
    public var description: String {
        let code = errorCode.map(String.init) ?? "null"
        return "WebVerificationResult(ErrorCode: \(code), ErrorMsg: \(errorMessage ?? "-"), "
            + "RequestId: \(requestID ?? "-"))"
    }
}
