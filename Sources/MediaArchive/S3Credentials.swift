/// An AWS-style key pair for an S3-compatible store, plus the session token of temporary
/// credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
///
/// The secret signs every request and the token authorises temporary credentials: both are as
/// good as a password, so `description`, `debugDescription` and the mirror show only the key id.
public struct S3Credentials: Sendable, Hashable {
    /// The access key id: names the key, sent in clear in every `Authorization`.
    public var accessKeyID: String
    /// The secret access key. Never logged, never put into an error.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`; `nil` for none.
    public var sessionToken: String?

    /// Credentials from their parts; an empty session token counts as none.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension S3Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `S3Credentials(accessKeyID: …, secretAccessKey: <redacted>[, sessionToken: <redacted>])`.
    public var description: String {
        let token = sessionToken == nil ? "" : ", sessionToken: <redacted>"
        return "S3Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>\(token))"
    }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the secrets, so `dump(_:)` redacts them too.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyID": accessKeyID,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
            ]
        )
    }
}
