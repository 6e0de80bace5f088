/// The two FaceID actions the simulator serves.
public enum SimulatedAction: String, Sendable, Hashable, CaseIterable {
    /// `GetWebVerificationResult`: result with media URLs (valid 10 minutes) and their MD5s.
    case getWebVerificationResult = "GetWebVerificationResult"
    /// `GetWebVerificationResultIntl`: result with inline base64 media, `OCRResult` and `Extra`.
    case getWebVerificationResultIntl = "GetWebVerificationResultIntl"
}
