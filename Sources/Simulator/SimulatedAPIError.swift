/// An error the simulator answers in Tencent's envelope:
/// `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` with HTTP 200.
struct SimulatedAPIError: Error, Sendable, Equatable {
    /// Tencent's dotted error code, e.g. `AuthFailure.SignatureFailure`.
    var code: String
    /// A human-readable message; never contains a signature, a key or a media URL.
    var message: String

    static func missingParameter(_ name: String) -> SimulatedAPIError {
        SimulatedAPIError(code: "MissingParameter", message: "The request is missing a required parameter `\(name)`.")
    }

    static func invalidParameter(_ message: String) -> SimulatedAPIError {
        SimulatedAPIError(code: "InvalidParameter", message: message)
    }

    static let invalidAuthorization = SimulatedAPIError(
        code: "AuthFailure.InvalidAuthorization",
        message: "The Authorization header is not a valid TC3-HMAC-SHA256 authorization."
    )

    static let secretIDNotFound = SimulatedAPIError(
        code: "AuthFailure.SecretIdNotFound",
        message: "The SecretId is not found, please ensure that your SecretId is correct."
    )

    static func signatureFailure(_ reason: String) -> SimulatedAPIError {
        SimulatedAPIError(code: "AuthFailure.SignatureFailure", message: "The provided credentials could not be validated. \(reason)")
    }

    static func signatureExpire(timestamp: Int64, serverTime: Int64) -> SimulatedAPIError {
        SimulatedAPIError(
            code: "AuthFailure.SignatureExpire",
            message: "Signature expire. Request timestamp \(timestamp) differs from server time \(serverTime) by more than the allowed skew."
        )
    }

    static func invalidAction(_ action: String) -> SimulatedAPIError {
        SimulatedAPIError(code: "InvalidAction", message: "The requested action `\(action)` does not exist.")
    }

    static func noSuchVersion(_ version: String) -> SimulatedAPIError {
        SimulatedAPIError(code: "NoSuchVersion", message: "The requested version `\(version)` of service `faceid` does not exist.")
    }

    static func unsupportedRegion(_ region: String) -> SimulatedAPIError {
        SimulatedAPIError(code: "UnsupportedRegion", message: "The action does not support region `\(region)`.")
    }

    static let requestLimitExceeded = SimulatedAPIError(
        code: "RequestLimitExceeded",
        message: "Your current request times exceeds the limit, please try again later."
    )

    static let bizTokenExpired = SimulatedAPIError(
        code: "InvalidParameterValue.BizTokenExpired",
        message: "BizToken expired."
    )

    static let bizTokenIllegal = SimulatedAPIError(
        code: "InvalidParameterValue.BizTokenIllegal",
        message: "BizToken illegal."
    )

    static let resourceUnavailable = SimulatedAPIError(
        code: "ResourceUnavailable",
        message: "The resource is temporarily unavailable."
    )

    static let inArrears = SimulatedAPIError(
        code: "ResourceUnavailable.InArrears",
        message: "The account is in arrears."
    )

    static let internalError = SimulatedAPIError(
        code: "InternalError",
        message: "An internal error has occurred. Retry your request."
    )
}
