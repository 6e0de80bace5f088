/// Which FaceID action fetches a web verification result.
///
/// `GetWebVerificationResult` is the original action; Tencent's successor
/// `GetWebVerificationResultIntl` (same version) adds inline media (`BestFrameBase64`,
/// `VideoBase64`), `OCRResult` and `Extra`. Both take `{ "BizToken": … }`; the operator picks
/// one with `--action`.
public enum FaceIDAction: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `GetWebVerificationResult` (host `faceid.tencentcloudapi.com`).
    case getWebVerificationResult = "GetWebVerificationResult"
    /// `GetWebVerificationResultIntl` (documented host `faceid.intl.tencentcloudapi.com`).
    case getWebVerificationResultIntl = "GetWebVerificationResultIntl"

    /// The FaceID API version both actions belong to.
    public static let version = "2018-03-01"
    /// The service name in the TC3 credential scope.
    public static let service = "faceid"

    /// The action named `name`, or a configuration error listing the supported ones.
    public init(validating name: String) throws(TencentCloudConfigurationError) {
        guard let action = FaceIDAction(rawValue: name) else {
            throw TencentCloudConfigurationError(
                kind: .unsupportedAction,
                message: "unsupported action '\(name)' (supported: \(FaceIDAction.supportedNames))"
            )
        }
        self = action
    }

    /// The action names, comma-separated, for error messages.
    static var supportedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The endpoint Tencent documents for this action.
    public var documentedEndpoint: String {
        switch self {
        case .getWebVerificationResult: return "https://faceid.tencentcloudapi.com"
        case .getWebVerificationResultIntl: return "https://faceid.intl.tencentcloudapi.com"
        }
    }

    /// The response size cap that suits the action: the Intl action can inline a whole video
    /// as base64, so it gets far more room than the plain action's 1 MiB.
    public var defaultMaximumResponseSize: Int {
        switch self {
        case .getWebVerificationResult: return 1 << 20
        case .getWebVerificationResultIntl: return 64 << 20
        }
    }

    /// The action name as the API spells it.
    public var description: String { rawValue }
}
