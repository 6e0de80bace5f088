import Foundation

extension TencentCloudCredentials {
    /// The environment variable holding the `SecretId` (the official SDKs' name).
    public static let secretIDVariable = "TENCENTCLOUD_SECRET_ID"
    /// The environment variable holding the `SecretKey`.
    public static let secretKeyVariable = "TENCENTCLOUD_SECRET_KEY"
    /// The environment variable holding an STS session token (optional).
    public static let sessionTokenVariable = "TENCENTCLOUD_SESSION_TOKEN"
    /// The environment variable naming a profile file other than `~/.tencentcloud/credentials`.
    public static let credentialsFileVariable = "TENCENTCLOUD_CREDENTIALS_FILE"

    /// Finds credentials the way the official SDKs do, from `environment` (pass
    /// `ProcessInfo.processInfo.environment`; tests pass a dictionary).
    ///
    /// 1. `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY` (plus the optional
    ///    `TENCENTCLOUD_SESSION_TOKEN`). Setting only one of the two is an error rather than
    ///    a silent fall-through to a file: it is almost certainly a deployment mistake.
    /// 2. Otherwise the profile file `TENCENTCLOUD_CREDENTIALS_FILE` names, or
    ///    `$HOME/.tencentcloud/credentials`: an INI file whose `[default]` section has
    ///    `secret_id` and `secret_key`.
    ///
    /// Throws a ``TencentCloudConfigurationError`` naming what is missing; its message never
    /// contains a secret.
    public static func resolve(environment: [String: String]) throws(TencentCloudConfigurationError)
        -> TencentCloudCredentials
    {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
            else { return nil }
            return text
        }
        switch (value(secretIDVariable), value(secretKeyVariable)) {
        case (let id?, let key?):
            return TencentCloudCredentials(secretID: id, secretKey: key, sessionToken: value(sessionTokenVariable))
        case (nil, .some):
            throw TencentCloudConfigurationError(
                kind: .missingCredentials,
                message: "\(secretKeyVariable) is set but \(secretIDVariable) is not"
            )
        case (.some, nil):
            throw TencentCloudConfigurationError(
                kind: .missingCredentials,
                message: "\(secretIDVariable) is set but \(secretKeyVariable) is not"
            )
        case (nil, nil):
            break
        }

        if let named = value(credentialsFileVariable) {
            return try fromProfileFile(atPath: named, isExplicit: true)
        }
        guard let home = value("HOME") else {
            throw TencentCloudConfigurationError(
                kind: .missingCredentials,
                message: "no credentials: set \(secretIDVariable) and \(secretKeyVariable), "
                    + "or \(credentialsFileVariable) to a profile file"
            )
        }
        let path = home.hasSuffix("/") ? "\(home).tencentcloud/credentials" : "\(home)/.tencentcloud/credentials"
        return try fromProfileFile(atPath: path, isExplicit: false)
    }

    /// Reads the `[default]` profile of an official-SDK credentials file.
    static func fromProfileFile(atPath path: String, isExplicit: Bool) throws(TencentCloudConfigurationError)
        -> TencentCloudCredentials
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            if isExplicit || FileManager.default.fileExists(atPath: path) {
                throw TencentCloudConfigurationError(
                    kind: .invalidProfileFile,
                    message: "cannot read the credentials file \(path)"
                )
            }
            throw TencentCloudConfigurationError(
                kind: .missingCredentials,
                message: "no credentials: set \(secretIDVariable) and \(secretKeyVariable), "
                    + "or create \(path) with a [default] section holding secret_id and secret_key"
            )
        }
        let profile = parseProfile(String(decoding: data, as: UTF8.self), section: "default")
        guard let id = profile["secret_id"], !id.isEmpty else {
            throw TencentCloudConfigurationError(
                kind: .invalidProfileFile,
                message: "the credentials file \(path) has no secret_id in its [default] section"
            )
        }
        guard let key = profile["secret_key"], !key.isEmpty else {
            throw TencentCloudConfigurationError(
                kind: .invalidProfileFile,
                message: "the credentials file \(path) has no secret_key in its [default] section"
            )
        }
        return TencentCloudCredentials(secretID: id, secretKey: key)
    }

    /// The `key = value` pairs of one `[section]` of an INI document (`#`/`;` comments,
    /// whitespace around keys and values ignored, later keys win).
    static func parseProfile(_ text: String, section wanted: String) -> [String: String] {
        var current: String?
        var values: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current == wanted, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            values[key] = value
        }
        return values
    }
}
