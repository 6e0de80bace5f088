extension TencentCloudError {
    /// A Tencent Cloud error code, open-ended: Tencent adds codes, so any string is a code, and
    /// the ones this project reacts to have constants.
    public struct Code: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The code as the API spells it, e.g. `RequestLimitExceeded.UinLimitExceeded`.
        public var rawValue: String

        /// The code `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The code `value`.
        public init(stringLiteral value: String) { self.rawValue = value }

        /// The code text.
        public var description: String { rawValue }

        /// The family: the part before the first dot (`AuthFailure` for `AuthFailure.SignatureExpire`).
        public var family: String {
            rawValue.split(separator: ".", maxSplits: 1).first.map(String.init) ?? rawValue
        }

        /// `true` when this code is `family` itself or one of its dotted sub-codes.
        public func isInFamily(_ family: String) -> Bool {
            rawValue == family || rawValue.hasPrefix(family + ".")
        }

        // MARK: Codes the API sends.

        /// The bare code: a transient lack of resources. Its sub-codes mean other things.
        public static let resourceUnavailable: Code = "ResourceUnavailable"
        /// The account is in arrears: nothing will succeed until it is paid.
        public static let resourceUnavailableInArrears: Code = "ResourceUnavailable.InArrears"
        /// The prepaid resource package is used up.
        public static let resourceUnavailableResourcePackageRunOut: Code = "ResourceUnavailable.ResourcePackageRunOut"
        /// Too many requests (a family: `RequestLimitExceeded.*`).
        public static let requestLimitExceeded: Code = "RequestLimitExceeded"
        /// A server-side failure.
        public static let internalError: Code = "InternalError"
        /// The service is temporarily unavailable.
        public static let serviceUnavailable: Code = "ServiceUnavailable"
        /// The signature does not verify.
        public static let authFailureSignatureFailure: Code = "AuthFailure.SignatureFailure"
        /// The signature's timestamp is too old (or the clock is off by more than 5 minutes).
        public static let authFailureSignatureExpire: Code = "AuthFailure.SignatureExpire"
        /// The SecretId does not exist.
        public static let authFailureSecretIdNotFound: Code = "AuthFailure.SecretIdNotFound"
        /// The action name is unknown.
        public static let invalidAction: Code = "InvalidAction"
        /// The API version is unknown.
        public static let noSuchVersion: Code = "NoSuchVersion"
        /// The region is not served.
        public static let unsupportedRegion: Code = "UnsupportedRegion"
        /// A required parameter is missing.
        public static let missingParameter: Code = "MissingParameter"
        /// A parameter is wrong.
        public static let invalidParameter: Code = "InvalidParameter"
        /// The BizToken has expired: a definitive answer for this verification.
        public static let bizTokenExpired: Code = "InvalidParameterValue.BizTokenExpired"
        /// The BizToken is not one FaceID issued: a definitive answer.
        public static let bizTokenIllegal: Code = "InvalidParameterValue.BizTokenIllegal"

        // MARK: Codes for failures detected by this client (never sent by Tencent).

        /// The call timed out.
        public static let clientTimeout: Code = "Client.Timeout"
        /// No connection could be made.
        public static let clientConnectionFailed: Code = "Client.ConnectionFailed"
        /// The connection broke mid-response.
        public static let clientConnectionReset: Code = "Client.ConnectionReset"
        /// A non-200 HTTP status.
        public static let clientHTTPStatus: Code = "Client.HTTPStatus"
        /// A body that is not the API's JSON envelope.
        public static let clientInvalidResponse: Code = "Client.InvalidResponse"
        /// A body over the configured cap.
        public static let clientResponseTooLarge: Code = "Client.ResponseTooLarge"
        /// A TLS failure.
        public static let clientTLS: Code = "Client.TLS"
        /// The calling task was cancelled.
        public static let clientCancelled: Code = "Client.Cancelled"
        /// Another transport failure.
        public static let clientTransport: Code = "Client.Transport"
    }
}
