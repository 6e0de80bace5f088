import Synchronization

/// Signs Tencent Cloud API 3.0 requests with `TC3-HMAC-SHA256`.
///
/// Signing is a pure function of the credentials, the request and a timestamp: the caller
/// passes the time explicitly, so every attempt of a retried call is signed afresh with the
/// time of that attempt (Tencent rejects signatures older than five minutes, and replaying an
/// old one is exactly what a retry must not do), and tests pin the clock.
public struct TC3Signer: Sendable {
    /// The key pair (and optional session token) that signs.
    public var credentials: TencentCloudCredentials
    /// The service name in the credential scope, e.g. `faceid` (the host's first label).
    public var service: String
    /// The derived signing key of the current UTC day, so a call costs one HMAC instead of four.
    private let signingKeys = TC3SigningKeyCache()

    /// A signer for `service` using `credentials`.
    public init(credentials: TencentCloudCredentials, service: String) {
        self.credentials = credentials
        self.service = service
    }

    /// The headers that sign `request` at `timestamp` (Unix seconds), in the order the official
    /// SDKs send them: `Content-Type`, `Host`, the `X-TC-*` headers, then `Authorization`.
    ///
    /// The transport adds `Content-Length` itself. The result contains the signature and any
    /// session token: never log it.
    public func headers(for request: TC3Request, at timestamp: Int64) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", request.contentType),
            ("Host", request.host),
            ("X-TC-Action", request.action),
        ]
        if let client = request.requestClient { headers.append(("X-TC-RequestClient", client)) }
        headers.append(("X-TC-Timestamp", String(timestamp)))
        headers.append(("X-TC-Version", request.version))
        if let region = request.region { headers.append(("X-TC-Region", region)) }
        if let token = credentials.sessionToken { headers.append(("X-TC-Token", token)) }
        if let language = request.language { headers.append(("X-TC-Language", language)) }
        let authorization = authorization(
            host: request.host,
            contentType: request.contentType,
            payload: request.payload,
            timestamp: timestamp
        )
        headers.append(("Authorization", authorization))
        return headers
    }

    /// The `Authorization` value for a request signing `content-type` and `host`, the two
    /// headers the official SDKs sign.
    public func authorization(
        method: String = "POST",
        host: String,
        path: String = "/",
        query: String = "",
        contentType: String,
        payload: some Collection<UInt8>,
        timestamp: Int64
    ) -> String {
        let signed = TC3Signing.canonicalized([("content-type", contentType), ("host", host)])
        let canonical = TC3Signing.canonicalRequest(
            method: method,
            path: path,
            query: query,
            canonicalHeaders: signed,
            payload: payload
        )
        let date = TC3Signing.utcDate(timestamp: timestamp)
        let scope = TC3Signing.credentialScope(date: date, service: service)
        let toSign = TC3Signing.stringToSign(timestamp: timestamp, credentialScope: scope, canonicalRequest: canonical)
        let key = signingKeys.key(secretKey: credentials.secretKey, service: service, date: date, timestamp: timestamp)
        let signature = Digest.hex(Digest.hmacSHA256(key: key, message: toSign))
        return TC3Signing.authorization(
            secretID: credentials.secretID,
            credentialScope: scope,
            signedHeaders: TC3Signing.names(of: signed),
            signature: signature
        )
    }
}

/// The last signing key a ``TC3Signer`` derived, with what it was derived from (secret key, service, UTC
/// date). The key changes once a day, so re-deriving it (three HMACs) for every call was wasted work.
/// It is as sensitive as the secret key: it lives only in memory and is never printed.
final class TC3SigningKeyCache: Sendable {
    private struct Entry {
        var secretKey: String
        var service: String
        var date: String
        var key: [UInt8]
    }

    private let entry = Mutex<Entry?>(nil)

    /// The signing key for `timestamp`'s UTC `date`: the cached one when it matches, else derived and cached.
    func key(secretKey: String, service: String, date: String, timestamp: Int64) -> [UInt8] {
        if let cached = entry.withLock({ cached -> [UInt8]? in
            guard let cached, cached.date == date, cached.service == service, cached.secretKey == secretKey else {
                return nil
            }
            return cached.key
        }) {
            return cached
        }
        let key = TC3Signing.signingKey(secretKey: secretKey, timestamp: timestamp, service: service)
        entry.withLock { $0 = Entry(secretKey: secretKey, service: service, date: date, key: key) }
        return key
    }
}
