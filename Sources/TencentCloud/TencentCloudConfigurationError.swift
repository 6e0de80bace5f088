/// Why a Tencent Cloud client could not be configured: a missing or unreadable credential, an
/// unsupported region, an unusable endpoint or action.
///
/// These are operator mistakes found before any request is sent; the executable prints
/// ``message`` as its one line on stderr and exits 2. Messages name what is missing (which
/// variable, which file, which key) and never contain a secret.
public struct TencentCloudConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of configuration problem this is.
    public enum Kind: Sendable, Hashable {
        /// No credentials in the environment and none in the profile file.
        case missingCredentials
        /// A profile file exists (or was named) but cannot be read or lacks a key.
        case invalidProfileFile
        /// A region other than `ap-jakarta` / `ap-singapore`.
        case unsupportedRegion
        /// The endpoint URL is not `http(s)://host[:port][/]`.
        case invalidEndpoint
        /// The action is neither `GetWebVerificationResult` nor `GetWebVerificationResultIntl`.
        case unsupportedAction
        /// The HTTP transport could not be started.
        case transportUnavailable
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// One line for an operator: what is wrong and how to fix it.
    public var message: String

    /// An error of `kind` described by `message` (which must not contain a secret).
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
