import CurlHTTP
import Foundation
import Pipeline

/// An S3-compatible bucket as the archive (`s3://BUCKET/PREFIX`): AWS S3, Tencent COS, MinIO.
///
/// One `PUT` per object, its body read from the staging file as it is sent, signed by libcurl's
/// `CURLOPT_AWS_SIGV4`. libcurl 7.88 takes the payload hash from `x-amz-content-sha256` and signs
/// every header set here; the store checks the body against that SHA-256 and against `Content-MD5`,
/// so what it stores is what was verified. TLS verification stays on.
struct S3MediaStore: MediaStore {
    let configuration: S3StoreConfiguration
    let http: CurlHTTPClient
    let timeout: Duration
    let stagingDirectory: String

    var syncsStagedFiles: Bool { false }
    var needsSHA256: Bool { true }

    func prepare() async throws(MediaArchiveFailure) {
        let staging = stagingDirectory
        try await BlockingIO.run { () throws(MediaArchiveFailure) in try StagingDirectory.prepare(staging) }
    }

    func store(_ media: StagedMedia, key: MediaObjectKey) async throws(MediaArchiveFailure) -> String {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", media.type.contentType),
            ("Content-MD5", media.md5Base64),
            ("x-amz-content-sha256", media.sha256Hex),
        ]
        if let token = configuration.credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        var request = HTTPRequest(
            method: .put,
            url: configuration.objectURL(encodedKey: key.s3Encoded),
            headers: headers,
            timeout: timeout
        )
        request.bodyFile = HTTPRequestBodyFile(path: media.path, length: Int64(media.bytes))
        request.awsSigV4 = AWSSigV4Signing(
            region: configuration.region,
            accessKeyID: configuration.credentials.accessKeyID,
            secretAccessKey: configuration.credentials.secretAccessKey
        )
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch {
            throw MediaArchiveFailure.s3Transport(error)
        }
        guard (200...299).contains(response.status) else {
            throw MediaArchiveFailure.s3Status(response.status, body: response.body)
        }
        return "s3://\(configuration.bucket)/\(key.path)"
    }

    /// The default staging directory for S3 uploads: the system's temporary directory.
    static var defaultStagingDirectory: String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/faceid-enricher-media"
    }
}
