/// An API base URL, `http(s)://host[:port][/]`, and the `Host` value derived from it.
///
/// The `Host` header is signed, so it must be exactly what the server sees: the URL's
/// `host[:port]`, lower-cased. Tests point the client at `http://127.0.0.1:PORT`, which works
/// only because the port is part of the signed host.
public struct TencentCloudEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The URL requests are POSTed to (always ending in `/`).
    public let url: String
    /// `host[:port]` as sent in the `Host` header and signed.
    public let host: String

    /// Parses `text`; throws when it is not an http(s) URL with a host and no path, query or
    /// credentials.
    public init(parsing text: String) throws(TencentCloudConfigurationError) {
        let invalid = TencentCloudConfigurationError(
            kind: .invalidEndpoint,
            message:
                "invalid endpoint '\(text)': expected http(s)://host[:port], e.g. https://faceid.tencentcloudapi.com"
        )
        let scheme: String
        if text.lowercased().hasPrefix("https://") {
            scheme = "https"
        } else if text.lowercased().hasPrefix("http://") {
            scheme = "http"
        } else {
            throw invalid
        }
        var rest = Substring(text.dropFirst(scheme.count + 3))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-:[]")
        let host = rest.lowercased()
        guard !host.isEmpty, host.allSatisfy({ allowed.contains($0) }), !host.hasPrefix(":"), !host.hasSuffix(":")
        else {
            throw invalid
        }
        self.host = host
        self.url = "\(scheme)://\(host)/"
    }

    /// The URL.
    public var description: String { url }
}
