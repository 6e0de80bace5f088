/// The steps of Tencent Cloud API 3.0 request signing (`TC3-HMAC-SHA256`), as pure functions.
///
/// Each step is exposed on its own so that two sides can share one implementation: the client
/// signs with ``TC3Signer``, and the FaceID simulator *verifies* by recomputing the same
/// canonical request and string to sign from what it received and comparing signatures. The
/// known-answer tests check every intermediate value against Tencent's official SDK.
///
/// The signature covers the HTTP method, the path, the query string, the signed headers
/// (`content-type` and `host` in practice), the SHA-256 of the exact body bytes, the
/// `X-TC-Timestamp` and the *UTC* date of that timestamp plus the service name. Other `X-TC-*`
/// headers (action, version, region, token, language) are sent but not signed.
public enum TC3Signing {
    /// The algorithm name that starts the string to sign and the `Authorization` header.
    public static let algorithm = "TC3-HMAC-SHA256"

    /// The canonical request: method, path, query, canonical headers, signed header names and
    /// the hex SHA-256 of `payload`, joined by newlines.
    ///
    /// Header names and values are lower-cased and trimmed, and the headers sorted by name, so
    /// the order and case the caller passes do not matter. `payload` must be the exact bytes
    /// sent on the wire.
    public static func canonicalRequest(
        method: String,
        path: String,
        query: String,
        signedHeaders: [(name: String, value: String)],
        payload: some Collection<UInt8>
    ) -> String {
        canonicalRequest(
            method: method,
            path: path,
            query: query,
            canonicalHeaders: canonicalized(signedHeaders),
            payload: payload
        )
    }

    /// The canonical request for headers already canonicalized (``canonicalized(_:)``), so a
    /// signer that also needs the signed header names canonicalizes once.
    static func canonicalRequest(
        method: String,
        path: String,
        query: String,
        canonicalHeaders headers: [(name: String, value: String)],
        payload: some Collection<UInt8>
    ) -> String {
        var text = method.uppercased()
        text += "\n"
        text += path
        text += "\n"
        text += query
        text += "\n"
        for header in headers {
            text += header.name
            text += ":"
            text += header.value
            text += "\n"
        }
        text += "\n"
        text += names(of: headers)
        text += "\n"
        text += Digest.sha256Hex(payload)
        return text
    }

    /// `;`-joined names of canonicalized headers.
    static func names(of canonicalHeaders: [(name: String, value: String)]) -> String {
        canonicalHeaders.map(\.name).joined(separator: ";")
    }

    /// The `SignedHeaders` value: the lower-cased header names, sorted, joined by `;`.
    public static func signedHeaderNames(_ signedHeaders: [(name: String, value: String)]) -> String {
        names(of: canonicalized(signedHeaders))
    }

    /// The credential scope `YYYY-MM-DD/<service>/tc3_request`, dated by the UTC date of
    /// `timestamp` (never the local date: at 23:59:59Z Singapore is already on the next day).
    public static func credentialScope(timestamp: Int64, service: String) -> String {
        credentialScope(date: utcDate(timestamp: timestamp), service: service)
    }

    /// The credential scope of a UTC date already formatted by ``utcDate(timestamp:)``.
    static func credentialScope(date: String, service: String) -> String {
        date + "/" + service + "/tc3_request"
    }

    /// The string to sign: algorithm, timestamp, credential scope and the hex SHA-256 of the
    /// canonical request, joined by newlines.
    public static func stringToSign(timestamp: Int64, credentialScope: String, canonicalRequest: String) -> String {
        "\(algorithm)\n\(timestamp)\n\(credentialScope)\n\(Digest.sha256Hex(canonicalRequest))"
    }

    /// The derived signing key: HMAC chain `"TC3" + secretKey` → UTC date → service → `tc3_request`.
    ///
    /// Exposed so a verifier can cache it per (key, date, service); it is as sensitive as the
    /// secret key itself and must never be logged.
    public static func signingKey(secretKey: String, timestamp: Int64, service: String) -> [UInt8] {
        let secretDate = Digest.hmacSHA256(key: Array("TC3\(secretKey)".utf8), message: utcDate(timestamp: timestamp))
        let secretService = Digest.hmacSHA256(key: secretDate, message: service)
        return Digest.hmacSHA256(key: secretService, message: "tc3_request")
    }

    /// The request signature: hex HMAC-SHA256 of `stringToSign` under the derived signing key.
    public static func signature(secretKey: String, timestamp: Int64, service: String, stringToSign: String) -> String {
        let key = signingKey(secretKey: secretKey, timestamp: timestamp, service: service)
        return Digest.hex(Digest.hmacSHA256(key: key, message: stringToSign))
    }

    /// The `Authorization` header value:
    /// `TC3-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<names>, Signature=<hex>`.
    public static func authorization(
        secretID: String,
        credentialScope: String,
        signedHeaders: String,
        signature: String
    ) -> String {
        "\(algorithm) Credential=\(secretID)/\(credentialScope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The UTC calendar date (`YYYY-MM-DD`) of a Unix timestamp in seconds.
    public static func utcDate(timestamp: Int64) -> String {
        let days = timestamp >= 0 ? timestamp / 86_400 : (timestamp - 86_399) / 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        guard (0...9999).contains(year) else {
            return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
        }
        // Digit by digit: every signature needs it, and interpolating padded strings was the
        // costliest part of building the string to sign.
        return String(unsafeUninitializedCapacity: 10) { buffer in
            for (value, end) in [(year, 4), (month, 7), (day, 10)] {
                var v = value
                let width = end == 4 ? 4 : 2
                for position in stride(from: end - 1, through: end - width, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                    v /= 10
                }
            }
            buffer[4] = UInt8(ascii: "-")
            buffer[7] = UInt8(ascii: "-")
            return 10
        }
    }

    static func canonicalized(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers
            .map { (name: trimmed($0.name).lowercased(), value: trimmed($0.value).lowercased()) }
            .sorted { $0.name < $1.name }
    }

    private static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    private static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
