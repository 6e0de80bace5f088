/// Signs a request with AWS Signature Version 4, computed by libcurl itself (`CURLOPT_AWS_SIGV4`),
/// for S3 and S3-compatible stores (Tencent COS, MinIO).
///
/// libcurl 7.88 (Debian bookworm) signs the method, path, query, `Host`, `x-amz-date` and every
/// header the request sets, and takes the payload hash from an `x-amz-content-sha256` header when
/// there is one; without it, it hashes only in-memory POST fields, which is wrong for a body read
/// from a file. So a caller uploading a file sets `x-amz-content-sha256` (the body's SHA-256, or
/// `UNSIGNED-PAYLOAD`), and `x-amz-security-token` for temporary credentials. A signed request
/// gets no `Expect:` suppression header: libcurl would sign an empty `expect` header it never sends.
///
/// ``description`` omits the secret.
public struct AWSSigV4Signing: Sendable, Hashable, CustomStringConvertible {
    /// The signing region, e.g. `us-east-1` or `ap-singapore`.
    public var region: String
    /// The signing service, `s3`.
    public var service: String
    /// The access key id.
    public var accessKeyID: String
    /// The secret access key. Never logged.
    public var secretAccessKey: String

    /// Signing parameters for `service` in `region` with the given key pair.
    public init(region: String, service: String = "s3", accessKeyID: String, secretAccessKey: String) {
        self.region = region
        self.service = service
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// libcurl's `CURLOPT_AWS_SIGV4` parameter: `provider1:provider2:region:service`.
    var curlParameter: String { "aws:amz:\(region):\(service)" }

    /// Region, service and key id; never the secret.
    public var description: String {
        "AWSSigV4Signing(region: \(region), service: \(service), accessKeyID: \(accessKeyID), "
            + "secretAccessKey: <redacted>)"
    }
}
