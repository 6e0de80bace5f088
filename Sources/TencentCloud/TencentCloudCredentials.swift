/// A Tencent Cloud API key pair, plus the session token of temporary (STS) credentials.
///
/// The secret key signs requests and the session token authorises temporary credentials; both
/// are as good as a password, so this type's `description` and `debugDescription` show only
/// the `SecretId` (which names the key but grants nothing) and whether a token is present.
/// Interpolating credentials into a log line or an error message therefore cannot leak them.
public struct TencentCloudCredentials: Sendable, Hashable {
    /// The `SecretId` (`AKID…`): identifies the key, sent in clear in every `Authorization`.
    public var secretID: String
    /// The `SecretKey`: signs requests. Never logged, never put into an error.
    public var secretKey: String
    /// The STS session token of temporary credentials, sent as `X-TC-Token`; `nil` for a
    /// permanent key.
    public var sessionToken: String?

    /// Credentials from their parts; an empty session token counts as none.
    public init(secretID: String, secretKey: String, sessionToken: String? = nil) {
        self.secretID = secretID
        self.secretKey = secretKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension TencentCloudCredentials: CustomStringConvertible, CustomDebugStringConvertible {
    /// `TencentCloudCredentials(secretID: AKID…, secretKey: <redacted>[, sessionToken: <redacted>])`.
    public var description: String {
        let token = sessionToken == nil ? "" : ", sessionToken: <redacted>"
        return "TencentCloudCredentials(secretID: \(secretID), secretKey: <redacted>\(token))"
    }

    /// Same as ``description``: secrets are redacted in debug output too.
    public var debugDescription: String { description }
}

extension TencentCloudCredentials: CustomReflectable {
    /// A mirror without the secrets, so `dump(_:)` and debuggers' summaries redact them too.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "secretID": secretID,
                "secretKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
            ]
        )
    }
}
