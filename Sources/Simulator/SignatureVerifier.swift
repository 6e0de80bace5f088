import TencentCloud

/// Checks a request the way Tencent Cloud API 3.0 does: the common headers are present, the
/// action, version and region are served, the timestamp is fresh, the SecretId is known, and
/// the `TC3-HMAC-SHA256` signature recomputed from what was received matches.
///
/// Pure: it sees the request's parts and the current time, and the signing steps are the
/// `TencentCloud` module's own (`TC3Signing`), so client and simulator cannot drift apart.
struct SignatureVerifier: Sendable {
    /// The request as received, reduced to what verification needs.
    struct Received {
        var method: String
        var path: String
        var query: String
        /// Looks up a header by (case-insensitive) name; `nil` when absent.
        var header: (String) -> String?
        var body: [UInt8]
    }

    /// What a verified request is about.
    struct Verified: Sendable, Equatable {
        var action: SimulatedAction
        var region: String
        var secretID: String
    }

    static let service = "faceid"
    static let version = "2018-03-01"
    static let regions: Set<String> = ["ap-jakarta", "ap-singapore"]

    /// SecretId → SecretKey.
    var secrets: [String: String]
    /// The largest accepted difference between `X-TC-Timestamp` and `now`, in seconds.
    var maximumSkewSeconds: Int64

    /// The verified request, or the error Tencent would answer.
    func verify(_ request: Received, now: Int64) -> Result<Verified, SimulatedAPIError> {
        guard let actionName = nonEmpty(request.header("X-TC-Action")) else {
            return .failure(.missingParameter("Action"))
        }
        guard let version = nonEmpty(request.header("X-TC-Version")) else {
            return .failure(.missingParameter("Version"))
        }
        guard let timestampText = nonEmpty(request.header("X-TC-Timestamp")) else {
            return .failure(.missingParameter("Timestamp"))
        }
        guard let authorizationText = nonEmpty(request.header("Authorization")) else {
            return .failure(.missingParameter("Authorization"))
        }
        guard let action = SimulatedAction(rawValue: actionName) else {
            return .failure(.invalidAction(actionName))
        }
        guard version == Self.version else {
            return .failure(.noSuchVersion(version))
        }
        guard let timestamp = Int64(timestampText) else {
            return .failure(.invalidParameter("The parameter `Timestamp` is not a Unix timestamp in seconds."))
        }
        guard abs(now - timestamp) <= maximumSkewSeconds else {
            return .failure(.signatureExpire(timestamp: timestamp, serverTime: now))
        }
        guard let authorization = TC3Authorization(parsing: authorizationText) else {
            return .failure(.invalidAuthorization)
        }
        guard let secretKey = secrets[authorization.secretID] else {
            return .failure(.secretIDNotFound)
        }
        if let failure = checkSignature(request, authorization: authorization, secretKey: secretKey, timestamp: timestamp) {
            return .failure(failure)
        }
        guard let region = nonEmpty(request.header("X-TC-Region")) else {
            return .failure(.missingParameter("Region"))
        }
        guard Self.regions.contains(region) else {
            return .failure(.unsupportedRegion(region))
        }
        return .success(Verified(action: action, region: region, secretID: authorization.secretID))
    }

    private func checkSignature(
        _ request: Received,
        authorization: TC3Authorization,
        secretKey: String,
        timestamp: Int64
    ) -> SimulatedAPIError? {
        guard authorization.service == Self.service else {
            return .signatureFailure("The credential scope names service `\(authorization.service)`, not `faceid`.")
        }
        guard authorization.date == TC3Signing.utcDate(timestamp: timestamp) else {
            return .signatureFailure("The credential scope date is not the UTC date of X-TC-Timestamp.")
        }
        let names = authorization.signedHeaders.split(separator: ";").map { String($0).lowercased() }
        guard names.contains("content-type"), names.contains("host") else {
            return .signatureFailure("SignedHeaders must include content-type and host.")
        }
        var signedHeaders: [(name: String, value: String)] = []
        for name in names {
            guard let value = request.header(name) else {
                return .signatureFailure("The signed header `\(name)` is missing from the request.")
            }
            signedHeaders.append((name: name, value: value))
        }
        // An unsigned payload is hashed as the literal text, as Tencent's SDKs do.
        let unsignedPayload = request.header("X-TC-Content-SHA256") == "UNSIGNED-PAYLOAD"
        let canonical = TC3Signing.canonicalRequest(
            method: request.method,
            path: request.path,
            query: request.query,
            signedHeaders: signedHeaders,
            payload: unsignedPayload ? Array("UNSIGNED-PAYLOAD".utf8) : request.body
        )
        let stringToSign = TC3Signing.stringToSign(
            timestamp: timestamp,
            credentialScope: authorization.credentialScope,
            canonicalRequest: canonical
        )
        let expected = TC3Signing.signature(
            secretKey: secretKey,
            timestamp: timestamp,
            service: Self.service,
            stringToSign: stringToSign
        )
        guard constantTimeEquals(expected, authorization.signature) else {
            return .signatureFailure("Please check your signature is correct.")
        }
        return nil
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess was right.
    private func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
