/// The parts of a received `Authorization: TC3-HMAC-SHA256 …` header.
///
/// A server (the FaceID simulator) parses the header, looks up the secret key for
/// ``secretID``, recomputes the signature with ``TC3Signing`` over what it received, and
/// compares it with ``signature``. Parsing is strict: anything but the exact three
/// comma-separated fields of the TC3 format yields `nil`.
public struct TC3Authorization: Sendable, Hashable {
    /// The `SecretId` that signed the request (not a secret: it names the key).
    public var secretID: String
    /// The credential scope `YYYY-MM-DD/<service>/tc3_request`.
    public var credentialScope: String
    /// The scope's UTC date, `YYYY-MM-DD`.
    public var date: String
    /// The scope's service, e.g. `faceid`.
    public var service: String
    /// The signed header names as sent, e.g. `content-type;host`.
    public var signedHeaders: String
    /// The hex signature (as sensitive as a bearer token until it expires; never log it).
    public var signature: String

    /// Parses an `Authorization` header value; `nil` when it is not a well-formed TC3 header.
    public init?(parsing header: String) {
        let prefix = TC3Signing.algorithm + " "
        guard header.hasPrefix(prefix) else { return nil }
        let fields = header.dropFirst(prefix.count).split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        var values: [String: String] = [:]
        for field in fields {
            let trimmedField = field.drop { $0 == " " }
            guard let equals = trimmedField.firstIndex(of: "=") else { return nil }
            values[String(trimmedField[..<equals])] = String(trimmedField[trimmedField.index(after: equals)...])
        }
        guard let credential = values["Credential"], let signedHeaders = values["SignedHeaders"],
            let signature = values["Signature"]
        else { return nil }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3] == "tc3_request", !parts[0].isEmpty else { return nil }
        self.secretID = String(parts[0])
        self.date = String(parts[1])
        self.service = String(parts[2])
        self.credentialScope = parts[1...].joined(separator: "/")
        self.signedHeaders = signedHeaders
        self.signature = signature
    }
}

extension TC3Authorization: CustomStringConvertible, CustomDebugStringConvertible {
    /// The scope and signed headers; the signature is redacted.
    public var description: String {
        "TC3Authorization(secretID: \(secretID), scope: \(credentialScope), "
            + "signedHeaders: \(signedHeaders), signature: <redacted>)"
    }

    /// Same as ``description``: the signature is redacted.
    public var debugDescription: String { description }
}
