import EnricherJSON

/// Builds the `Response` objects the simulator answers, with the fields, order and null
/// conventions of the real `GetWebVerificationResult` / `GetWebVerificationResultIntl`.
enum SimulatedResult {
    /// What the verification produced, as the scripted outcome decided for this call.
    enum Verdict: Sendable, Equatable {
        case passed
        case failed(code: Int)
        /// No result yet: `ErrorCode` null.
        case pending
    }

    /// The `Response` object (without the `{"Response": …}` wrapper) for a result.
    /// `mediaURL` gives the temporary URL of a media file (`best_frame.jpg`, `video.mp4`).
    static func response(
        verdict: Verdict,
        action: SimulatedAction,
        bizToken: String,
        region: String,
        now: Int64,
        requestID: String,
        videoSize: Int = SimulatedMedia.defaultVideoSize,
        mediaURL: (String) -> String
    ) -> JSONValue {
        // Built only for answers that carry media (an MD5 and a few KiB of bytes each).
        lazy var media = SimulatedMedia(bizToken: bizToken, videoSize: videoSize)
        let errorCode: JSONValue
        let errorMessage: JSONValue
        let details: JSONValue
        let hasMedia: Bool
        switch verdict {
        case .passed:
            errorCode = 0
            errorMessage = "Succeed"
            details = .array([detail(code: 0, media: media, now: now)])
            hasMedia = true
        case .failed(let code):
            errorCode = .integer(code)
            errorMessage = .string(FaceIDResultCodes.message(for: code))
            hasMedia = FaceIDResultCodes.hasCapturedMedia(code)
            details = hasMedia ? .array([detail(code: code, media: media, now: now)]) : .array([])
        case .pending:
            errorCode = .null
            errorMessage = .null
            details = .array([])
            hasMedia = false
        }

        switch action {
        case .getWebVerificationResult:
            return .members([
                "ErrorCode": errorCode,
                "ErrorMsg": errorMessage,
                "VideoBestFrameUrl": hasMedia ? .string(mediaURL(SimulatedMediaLink.bestFrameFile)) : .null,
                "VideoBestFrameMd5": hasMedia ? .string(media.bestFrameMD5) : .null,
                "VerificationDetailList": details,
                "VideoUrl": hasMedia ? .string(mediaURL(SimulatedMediaLink.videoFile)) : .null,
                "VideoMd5": hasMedia ? .string(media.videoMD5) : .null,
                "RequestId": .string(requestID),
            ])
        case .getWebVerificationResultIntl:
            let ocr: JSONValue = hasMedia ? .array([ocrResult(passed: verdict == .passed, requestID: requestID)]) : .array([])
            return .members([
                "ErrorCode": errorCode,
                "ErrorMsg": errorMessage,
                "VerificationDetailList": details,
                "VideoBase64": hasMedia ? .string(media.videoBase64) : .null,
                "BestFrameBase64": hasMedia ? .string(media.bestFrameBase64) : .null,
                "OCRResult": ocr,
                "Extra": .string("faceid-simulator"),
                "RequestId": .string(requestID),
            ])
        }
    }

    /// The error envelope's `Response` object.
    static func error(_ error: SimulatedAPIError, requestID: String) -> JSONValue {
        .members([
            "Error": .members(["Code": .string(error.code), "Message": .string(error.message)]),
            "RequestId": .string(requestID),
        ])
    }

    /// One `VerificationDetail`: the attempt's overall, liveness and comparison results.
    private static func detail(code: Int, media: SimulatedMedia, now: Int64) -> JSONValue {
        let message = JSONValue.string(FaceIDResultCodes.message(for: code))
        let succeed: JSONValue = "Succeed"
        let livenessFailed = FaceIDResultCodes.isLivenessCode(code)
        let livenessCode: JSONValue = livenessFailed ? .integer(code) : 0
        let livenessMessage = livenessFailed ? message : succeed
        // A failed liveness step never reaches the comparison.
        let compareCode: JSONValue = livenessFailed ? .null : .integer(code)
        let compareMessage: JSONValue = livenessFailed ? .null : (code == 0 ? succeed : message)
        let similarity: JSONValue
        if livenessFailed {
            similarity = .null
        } else if code == 0 {
            similarity = .number(twoDecimals(80 + media.score * 19.99))
        } else {
            similarity = .number(twoDecimals(20 + media.score * 49.99))
        }
        return .members([
            "ErrorCode": .integer(code),
            "ErrorMsg": code == 0 ? succeed : message,
            "LivenessErrorCode": livenessCode,
            "LivenessErrorMsg": livenessMessage,
            "CompareErrorCode": compareCode,
            "CompareErrorMsg": compareMessage,
            "ReqTimestamp": .integer((now - 42) * 1000 + 317),
            "Similarity": similarity,
            "Seq": .string(media.sequence),
        ])
    }

    /// One `OCRResult` entry of the Intl action (document images omitted, as when not requested).
    private static func ocrResult(passed: Bool, requestID: String) -> JSONValue {
        .members([
            "IsPass": .bool(passed),
            "CardImageBase64": .null,
            "CardInfo": .null,
            "NormalCardInfo": .null,
            "RequestId": .string(requestID),
            "CardCutImageBase64": .null,
            "CardBackCutImageBase64": .null,
            "WarnCardInfos": .array([]),
        ])
    }

    private static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
