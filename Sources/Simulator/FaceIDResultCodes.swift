/// The meanings of FaceID's web verification `ErrorCode`s, from Tencent Cloud's eKYC
/// (Mobile HTML5) error code table, so a scripted failure reads like a real one.
enum FaceIDResultCodes {
    /// The `ErrorMsg` Tencent sends with `code`; a generic text for codes not in the table.
    static func message(for code: Int) -> String {
        table[code] ?? "Verification failed (error code \(code))"
    }

    /// Whether a failure with `code` happened after the camera captured the person, so
    /// Tencent still has a video and a best frame to return.
    static func hasCapturedMedia(_ code: Int) -> Bool { code >= 1000 }

    /// Whether `code` belongs to the liveness step (1xxx) rather than the comparison step (2xxx).
    static func isLivenessCode(_ code: Int) -> Bool { (1000..<2000).contains(code) }

    private static let table: [Int: String] = [
        0: "Succeed",
        1: "Invalid parameter",
        2: "Incorrect parameter value",
        3: "Bad request",
        4: "Internal service error",
        8: "Internal service error",
        9: "Internal service error",
        10: "Internal service error",
        11: "Internal service error",
        14: "Verification has been completed",
        15: "Token expired",
        16: "Retry limit has been reached",
        202: "Failed to get video",
        1001: "Failed to call the liveness engine",
        1002: "Suspected spoofed recording",
        1003: "Real person detection failed",
        1004: "Face detection failed",
        1005: "Liveness detection failed",
        1409: "Verification process timed out",
        1410: "User exited voluntarily",
        2004: "Failed to extract a photo from the video",
        2012: "Multiple faces detected",
        2015: "Face comparison failed",
        2016: "The similarity did not reach the passing standard",
    ]
}
