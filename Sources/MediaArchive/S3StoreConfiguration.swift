/// How to reach one S3-compatible bucket: endpoint, addressing style, signing region, credentials.
public struct S3StoreConfiguration: Sendable, Hashable {
    /// How the bucket appears in request URLs.
    public enum Addressing: String, Sendable, Hashable, CaseIterable {
        /// Virtual-hosted on AWS (`*.amazonaws.com`) and Tencent COS (`*.myqcloud.com`), which
        /// require or prefer it, unless the bucket name has dots (TLS certificates do not cover
        /// them); path-style on any other endpoint (MinIO, Ceph, moto).
        case auto
        /// `https://ENDPOINT/BUCKET/KEY`.
        case path
        /// `https://BUCKET.ENDPOINT/KEY`.
        case virtual
    }

    /// The bucket.
    public var bucket: String
    /// The key prefix (no leading or trailing `/`; may be empty).
    public var prefix: String
    /// The endpoint's scheme and authority, `https://host[:port]` (no path); AWS's regional
    /// endpoint when not configured.
    public var endpoint: String
    /// The addressing style asked for.
    public var addressing: Addressing
    /// The signing region (`AWS_REGION`).
    public var region: String
    /// The key pair.
    public var credentials: S3Credentials

    /// A bucket configuration; `endpoint` `nil` means AWS's `https://s3.REGION.amazonaws.com`.
    public init(
        bucket: String,
        prefix: String = "",
        endpoint: String? = nil,
        addressing: Addressing = .auto,
        region: String = "us-east-1",
        credentials: S3Credentials
    ) throws(MediaArchiveConfigurationError) {
        self.bucket = bucket
        self.prefix = prefix
        self.addressing = addressing
        self.region = region
        self.credentials = credentials
        self.endpoint = try Self.normalizedEndpoint(endpoint ?? "https://s3.\(region).amazonaws.com")
    }

    /// Whether requests name the bucket in the host rather than the path.
    public var usesVirtualHostedStyle: Bool {
        switch addressing {
        case .path: return false
        case .virtual: return true
        case .auto:
            let host = endpointHost.split(separator: ":").first.map(String.init) ?? endpointHost
            let isProvider = host.hasSuffix(".amazonaws.com") || host.hasSuffix(".myqcloud.com")
            return isProvider && !bucket.contains(".")
        }
    }

    /// The absolute URL of the object with the (already encoded) `encodedKey`.
    func objectURL(encodedKey: String) -> String {
        if usesVirtualHostedStyle {
            return "\(endpointScheme)://\(bucket).\(endpointHost)/\(encodedKey)"
        }
        return "\(endpointScheme)://\(endpointHost)/\(bucket)/\(encodedKey)"
    }

    var endpointScheme: String { endpoint.hasPrefix("https://") ? "https" : "http" }
    var endpointHost: String { String(endpoint.dropFirst(endpointScheme.count + 3)) }

    static func normalizedEndpoint(_ text: String) throws(MediaArchiveConfigurationError) -> String {
        let lowered = text.trimmingWhitespace.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https"
        } else if lowered.hasPrefix("http://") {
            scheme = "http"
        } else {
            throw MediaArchiveConfigurationError("invalid --s3-endpoint '\(text)': expected http(s)://host[:port]")
        }
        var host = Substring(lowered.dropFirst(scheme.count + 3))
        if host.hasSuffix("/") { host = host.dropLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-:[]")
        guard !host.isEmpty, host.allSatisfy({ allowed.contains($0) }), !host.hasPrefix(":") else {
            throw MediaArchiveConfigurationError(
                "invalid --s3-endpoint '\(text)': expected http(s)://host[:port] with no path or credentials"
            )
        }
        return "\(scheme)://\(host)"
    }
}
