/// One credential pair the simulator accepts.
///
/// Kept in its own type so that printing a configuration never prints a key: `description`
/// shows the SecretId only.
public struct SimulatorSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The public half, sent in the `Authorization` header's `Credential=`.
    public var secretID: String
    /// The private half, used only to recompute signatures.
    public var secretKey: String

    /// A credential pair the simulator will accept.
    public init(secretID: String, secretKey: String) {
        self.secretID = secretID
        self.secretKey = secretKey
    }

    /// Parses the `--secret ID=KEY` form; `nil` when either half is empty.
    public init?(parsing text: String) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let id = String(text[..<equals])
        let key = String(text[text.index(after: equals)...])
        guard !id.isEmpty, !key.isEmpty else { return nil }
        self.init(secretID: id, secretKey: key)
    }

    /// The SecretId and a redacted key.
    public var description: String { "SimulatorSecret(secretID: \(secretID), secretKey: <redacted>)" }

    /// Same as `description`: the key is never shown.
    public var debugDescription: String { description }

    /// What `dump` and debuggers show: the SecretId only.
    public var customMirror: Mirror {
        Mirror(self, children: ["secretID": secretID, "secretKey": "<redacted>"])
    }
}
