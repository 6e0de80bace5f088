import Foundation
import TencentCloud
import Testing

/// One known-answer case from `tc3-vectors.json` (computed by Tencent's official Python SDK).
struct TC3Vector: Decodable, Sendable, CustomTestStringConvertible {
    struct Inputs: Decodable, Sendable {
        var secret_id: String
        var secret_key: String
        var token: String?
        var timestamp: Int64
        var host: String
        var service: String
        var action: String
        var version: String
        var region: String
        var language: String?
    }
    struct Request: Decodable, Sendable {
        var method: String
        var path: String
        var query: String
        var body_hex: String
    }
    var name: String
    var inputs: Inputs
    var request: Request
    var sdk_headers: [String: String]
    var hashed_payload: String
    var canonical_request: String
    var credential_scope: String
    var string_to_sign: String
    var signature: String
    var authorization: String

    var testDescription: String { name }

    var body: [UInt8] {
        let hex = Array(request.body_hex.utf8)
        return stride(from: 0, to: hex.count - 1, by: 2).compactMap { index in
            UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16)
        }
    }

    var credentials: TencentCloudCredentials {
        TencentCloudCredentials(secretID: inputs.secret_id, secretKey: inputs.secret_key, sessionToken: inputs.token)
    }

    static let all: [TC3Vector] = {
        struct File: Decodable { var vectors: [TC3Vector]; var doc_examples: [TC3Vector] }
        guard let url = Bundle.module.url(forResource: "tc3-vectors", withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.vectors + file.doc_examples
    }()
}

@Suite("TC3-HMAC-SHA256 signing")
struct TC3SigningTests {
    @Test("the vectors file loads, with every SDK case and the documentation example")
    func vectorsLoad() {
        #expect(TC3Vector.all.count == 7)
        #expect(TC3Vector.all.contains { $0.name == "doc_en_example_keys" })
    }

    @Test("every intermediate value matches the official SDK byte for byte", arguments: TC3Vector.all)
    func knownAnswer(vector: TC3Vector) {
        let body = vector.body
        #expect(body.count * 2 == vector.request.body_hex.count)
        #expect(Digest.sha256Hex(body) == vector.hashed_payload)

        let contentType = vector.sdk_headers["Content-Type"] ?? ""
        let canonical = TC3Signing.canonicalRequest(
            method: vector.request.method,
            path: vector.request.path,
            query: vector.request.query,
            signedHeaders: [("Host", vector.inputs.host), ("Content-Type", contentType)],
            payload: body
        )
        #expect(canonical == vector.canonical_request)

        let scope = TC3Signing.credentialScope(timestamp: vector.inputs.timestamp, service: vector.inputs.service)
        #expect(scope == vector.credential_scope)

        let toSign = TC3Signing.stringToSign(
            timestamp: vector.inputs.timestamp,
            credentialScope: scope,
            canonicalRequest: canonical
        )
        #expect(toSign == vector.string_to_sign)

        let signature = TC3Signing.signature(
            secretKey: vector.inputs.secret_key,
            timestamp: vector.inputs.timestamp,
            service: vector.inputs.service,
            stringToSign: toSign
        )
        #expect(signature == vector.signature)

        let authorization = TC3Signing.authorization(
            secretID: vector.inputs.secret_id,
            credentialScope: scope,
            signedHeaders: "content-type;host",
            signature: signature
        )
        #expect(authorization == vector.authorization)
        #expect(authorization == vector.sdk_headers["Authorization"])
    }

    @Test("the signer produces the SDK's headers for every case", arguments: TC3Vector.all)
    func signerHeaders(vector: TC3Vector) {
        let signer = TC3Signer(credentials: vector.credentials, service: vector.inputs.service)
        let request = TC3Request(
            host: vector.inputs.host,
            action: vector.inputs.action,
            version: vector.inputs.version,
            region: vector.inputs.region,
            language: vector.inputs.language,
            requestClient: nil,
            contentType: vector.sdk_headers["Content-Type"] ?? "",
            payload: vector.body
        )
        let headers = signer.headers(for: request, at: vector.inputs.timestamp)
        let byName = Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        for (name, expected) in vector.sdk_headers where name != "X-TC-TraceId" && name != "X-TC-RequestClient" {
            #expect(byName[name] == expected, "header \(name)")
        }
        #expect(byName["X-TC-Token"] == vector.inputs.token)
    }

    @Test("a verifier parses the SDK's Authorization header back into its parts", arguments: TC3Vector.all)
    func authorizationParses(vector: TC3Vector) throws {
        let parsed = try #require(TC3Authorization(parsing: vector.authorization))
        #expect(parsed.secretID == vector.inputs.secret_id)
        #expect(parsed.credentialScope == vector.credential_scope)
        #expect(parsed.service == vector.inputs.service)
        #expect(parsed.signedHeaders == "content-type;host")
        #expect(parsed.signature == vector.signature)
        #expect(!parsed.description.contains(vector.signature))
    }

    @Test("malformed Authorization headers are rejected")
    func malformedAuthorization() {
        #expect(TC3Authorization(parsing: "") == nil)
        #expect(TC3Authorization(parsing: "HMAC Credential=a/b/c/tc3_request, SignedHeaders=x, Signature=y") == nil)
        #expect(TC3Authorization(parsing: "TC3-HMAC-SHA256 Credential=a/2023-01-01/faceid/tc3_request") == nil)
        #expect(
            TC3Authorization(parsing: "TC3-HMAC-SHA256 Credential=a/2023-01-01/faceid/x, SignedHeaders=h, Signature=s")
                == nil
        )
    }

    @Test(
        "the credential scope uses the UTC date, also at midnight boundaries",
        arguments: [
            (Int64(0), "1970-01-01"),
            (1_704_067_199, "2023-12-31"),
            (1_704_067_200, "2024-01-01"),
            (951_782_400, "2000-02-29"),
            (4_107_542_399, "2100-02-28"),
            (-1, "1969-12-31"),
        ]
    )
    func utcDate(timestamp: Int64, date: String) {
        #expect(TC3Signing.utcDate(timestamp: timestamp) == date)
        #expect(TC3Signing.credentialScope(timestamp: timestamp, service: "faceid") == "\(date)/faceid/tc3_request")
    }

    @Test("a change to any signed byte changes the signature")
    func signatureCoversPayloadAndHost() {
        let signer = TC3Signer(
            credentials: TencentCloudCredentials(secretID: "AKIDx", secretKey: "key"),
            service: "faceid"
        )
        let base = signer.authorization(
            host: "h",
            contentType: "application/json",
            payload: Array("{}".utf8),
            timestamp: 1
        )
        let otherBody = signer.authorization(
            host: "h",
            contentType: "application/json",
            payload: Array("{ }".utf8),
            timestamp: 1
        )
        let otherHost = signer.authorization(
            host: "h:1",
            contentType: "application/json",
            payload: Array("{}".utf8),
            timestamp: 1
        )
        let otherTime = signer.authorization(
            host: "h",
            contentType: "application/json",
            payload: Array("{}".utf8),
            timestamp: 2
        )
        #expect(Set([base, otherBody, otherHost, otherTime]).count == 4)
    }

    @Test("digests match well-known values")
    func digests() {
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.md5Hex(Array("".utf8)) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Digest.md5Hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        // RFC 4231 test case 2.
        let mac = Digest.hmacSHA256(key: Array("Jefe".utf8), message: "what do ya want for nothing?")
        #expect(Digest.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231 test case 6: a key longer than the block is hashed first.
        let longKey = Digest.hmacSHA256(
            key: [UInt8](repeating: 0xaa, count: 131),
            message: "Test Using Larger Than Block-Size Key - Hash Key First"
        )
        #expect(Digest.hex(longKey) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        // A message over several blocks, hashed in one update.
        let long = Array(repeating: UInt8(ascii: "a"), count: 1_000)
        #expect(Digest.sha256Hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("a signer reusing its signing key still signs each day with that day's key")
    func signingKeyFollowsTheUTCDate() {
        let credentials = TencentCloudCredentials(secretID: "AKIDexample", secretKey: "secret-example")
        let signer = TC3Signer(credentials: credentials, service: "faceid")
        let beforeMidnight: Int64 = 1_764_115_199  // 2025-11-25T23:59:59Z
        for timestamp in [beforeMidnight, beforeMidnight + 1, beforeMidnight, beforeMidnight + 86_400] {
            let header = signer.authorization(
                host: "faceid.tencentcloudapi.com",
                contentType: "application/json",
                payload: Array("{}".utf8),
                timestamp: timestamp
            )
            let scope = TC3Signing.credentialScope(timestamp: timestamp, service: "faceid")
            let canonical = TC3Signing.canonicalRequest(
                method: "POST",
                path: "/",
                query: "",
                signedHeaders: [("content-type", "application/json"), ("host", "faceid.tencentcloudapi.com")],
                payload: Array("{}".utf8)
            )
            let signature = TC3Signing.signature(
                secretKey: credentials.secretKey,
                timestamp: timestamp,
                service: "faceid",
                stringToSign: TC3Signing.stringToSign(
                    timestamp: timestamp,
                    credentialScope: scope,
                    canonicalRequest: canonical
                )
            )
            #expect(header.hasSuffix("Signature=\(signature)"))
            #expect(header.contains("Credential=AKIDexample/\(scope)"))
        }
    }
}
