import TencentCloud

/// The temporary media URLs the simulator hands out and later serves, shaped like COS's
/// presigned URLs:
/// `BASE/faceid-media/{region}/{bizToken}/{file}?q-sign-algorithm=sha1&q-sign-time=S;E&…&q-signature=…`.
///
/// `BASE` is where the client reached the API (`http://` + the request's `Host`, unless
/// ``SimulatorConfiguration/mediaBaseURL`` says otherwise), so the URLs point back at this
/// simulator however it is addressed (loopback port, a compose service name). The signature is an
/// HMAC under a key of this simulator over the path and the validity window, so a URL cannot be
/// stretched past its expiry or pointed at another token's media.
struct SimulatedMediaLink: Sendable {
    /// The path prefix media is served under.
    static let pathPrefix = "/faceid-media/"
    static let bestFrameFile = "best_frame.jpg"
    static let videoFile = "video.mp4"

    /// What a media GET asks for, once its URL checked out.
    struct Target: Sendable, Hashable {
        var region: String
        var bizToken: String
        var file: String
    }

    /// Why a media GET is refused, with COS's answer.
    enum Refusal: Error, Sendable, Hashable {
        /// Not a media path of this simulator, or no such file: 404 `NoSuchKey`.
        case notFound
        /// The signature does not match: 403 `SignatureDoesNotMatch`.
        case badSignature
        /// Past the end of the window: 403 `AccessDenied` ("Request has expired").
        case expired
    }

    let key: [UInt8]

    /// The URL of `file` of `bizToken`'s media, valid from `now` (Unix seconds) for `ttl` seconds.
    func url(base: String, region: String, bizToken: String, file: String, now: Int64, ttl: Int64) -> String {
        let path = Self.pathPrefix + [region, bizToken, file].map(Self.encode).joined(separator: "/")
        let window = "\(now);\(now + ttl)"
        let root = base.hasSuffix("/") ? String(base.dropLast()) : base
        return root + path
            + "?q-sign-algorithm=sha1&q-ak=AKIDfaceidsimulator&q-sign-time=\(window)&q-key-time=\(window)"
            + "&q-header-list=host&q-url-param-list=&q-signature=\(signature(path: path, window: window))"
    }

    /// Checks a GET of `path` with `query` at `now` (Unix seconds).
    func target(path: String, query: String, now: Int64) -> Result<Target, Refusal> {
        guard path.hasPrefix(Self.pathPrefix) else { return .failure(.notFound) }
        let parts = path.dropFirst(Self.pathPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let region = parts[0].removingPercentEncoding,
            let token = parts[1].removingPercentEncoding, let file = parts[2].removingPercentEncoding,
            [Self.bestFrameFile, Self.videoFile].contains(file)
        else { return .failure(.notFound) }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let item = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            parameters[String(item[0])] = item.count == 2 ? String(item[1]) : ""
        }
        guard let window = parameters["q-sign-time"]?.replacingPercentSemicolon,
            parameters["q-signature"] == signature(path: path, window: window)
        else { return .failure(.badSignature) }
        let bounds = window.split(separator: ";").compactMap { Int64($0) }
        guard bounds.count == 2, now >= bounds[0] - 300 else { return .failure(.badSignature) }
        guard now <= bounds[1] else { return .failure(.expired) }
        return .success(Target(region: region, bizToken: token, file: file))
    }

    private func signature(path: String, window: String) -> String {
        Digest.hex(Digest.hmacSHA256(key: key, message: "get\n\(path)\n\(window)")).prefix(40).lowercased()
    }

    /// A path segment with everything but `A-Z a-z 0-9 - _ .` percent-encoded.
    static func encode(_ segment: String) -> String {
        var out = ""
        for byte in segment.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
            {
                out.unicodeScalars.append(scalar)
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}

extension String {
    /// `q-sign-time` with a percent-encoded `;` (as some clients re-encode it) decoded.
    fileprivate var replacingPercentSemicolon: String {
        split(separator: "%3B", omittingEmptySubsequences: false).joined(separator: ";")
            .split(separator: "%3b", omittingEmptySubsequences: false).joined(separator: ";")
    }
}
