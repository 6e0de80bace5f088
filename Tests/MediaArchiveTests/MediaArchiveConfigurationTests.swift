@testable import MediaArchive
import Pipeline
import Testing

@Suite("Media archive configuration: --media-archive, --s3-endpoint, --s3-addressing, --media-concurrency, AWS_*")
struct MediaArchiveConfigurationTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-example"]

    @Test("s3://BUCKET/PREFIX and file:///DIR parse; other forms are refused naming the form expected")
    func locations() throws {
        #expect(
            try MediaArchiveLocation(parsing: "s3://kyc-evidence/faceid/media/")
                == .s3(bucket: "kyc-evidence", prefix: "faceid/media")
        )
        #expect(try MediaArchiveLocation(parsing: "s3://kyc-evidence") == .s3(bucket: "kyc-evidence", prefix: ""))
        #expect(try MediaArchiveLocation(parsing: "file:///var/lib/faceid/") == .file(directory: "/var/lib/faceid"))
        #expect(try MediaArchiveLocation(parsing: "file:///srv/my%20media") == .file(directory: "/srv/my media"))
        for bad in [
            "s3://", "s3://UPPER/x", "s3://a/x", "s3://ok-bucket/../up", "file://relative/dir", "file:///a/../b",
            "file:///a/%2E%2E/b", "file:///bad%zz", "file:///not-utf8%FF",
            "https://bucket", "/var/lib",
        ] {
            #expect(throws: MediaArchiveConfigurationError.self, "\(bad)") { try MediaArchiveLocation(parsing: bad) }
        }
    }

    @Test("off unless --media-archive or MEDIA_ARCHIVE names an archive; the flag wins over the variable")
    func offByDefault() throws {
        #expect(try resolve(environment: Self.credentials) == nil)
        let fromEnvironment = try #require(try resolve(environment: ["MEDIA_ARCHIVE": "file:///tmp"]))
        #expect(fromEnvironment.store == .file(directory: "/tmp"))
        #expect(fromEnvironment.concurrency == MediaArchiveConfiguration.defaultConcurrency)
        let flagWins = try #require(try resolve(archive: "file:///srv", environment: ["MEDIA_ARCHIVE": "file:///tmp"]))
        #expect(flagWins.store == .file(directory: "/srv"))
    }

    @Test(
        "S3 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; region from AWS_REGION, AWS_DEFAULT_REGION, else us-east-1"
    )
    func s3Credentials() throws {
        #expect(throws: MediaArchiveConfigurationError.self) {
            try resolve(archive: "s3://kyc-evidence", environment: [:])
        }
        let plain = try #require(try resolve(archive: "s3://kyc-evidence/p", environment: Self.credentials))
        guard case .s3(let s3) = plain.store else { Issue.record("not an S3 store"); return }
        #expect(s3.region == "us-east-1")
        #expect(s3.endpoint == "https://s3.us-east-1.amazonaws.com")
        #expect(s3.credentials.sessionToken == nil)
        var environment = Self.credentials
        environment["AWS_DEFAULT_REGION"] = "eu-west-1"
        environment["AWS_REGION"] = "ap-southeast-1"
        environment["AWS_SESSION_TOKEN"] = "token-example"
        let regional = try #require(try resolve(archive: "s3://kyc-evidence", environment: environment))
        guard case .s3(let s3) = regional.store else { Issue.record("not an S3 store"); return }
        #expect(s3.region == "ap-southeast-1")
        #expect(s3.credentials.sessionToken == "token-example")
        let text = "\(s3.credentials) \(String(reflecting: s3.credentials))"
        #expect(!text.contains("secret-example") && !text.contains("token-example"), "credentials are redacted")
    }

    @Test("addressing: virtual-hosted on AWS and COS, path-style elsewhere, unless told; URLs follow")
    func addressing() throws {
        let aws = try S3StoreConfiguration(bucket: "kyc-evidence", region: "ap-southeast-1", credentials: credentials)
        #expect(aws.objectURL(encodedKey: "a/b.jpg") == "https://kyc-evidence.s3.ap-southeast-1.amazonaws.com/a/b.jpg")
        let cos = try S3StoreConfiguration(
            bucket: "evidence-1250000000",
            endpoint: "https://cos.ap-singapore.myqcloud.com",
            region: "ap-singapore",
            credentials: credentials
        )
        #expect(cos.objectURL(encodedKey: "k") == "https://evidence-1250000000.cos.ap-singapore.myqcloud.com/k")
        let minio = try S3StoreConfiguration(
            bucket: "evidence",
            endpoint: "http://127.0.0.1:9000/",
            credentials: credentials
        )
        #expect(minio.objectURL(encodedKey: "k") == "http://127.0.0.1:9000/evidence/k")
        let dotted = try S3StoreConfiguration(bucket: "kyc.evidence", credentials: credentials)
        #expect(!dotted.usesVirtualHostedStyle, "a dotted bucket breaks the TLS wildcard")
        let forced = try S3StoreConfiguration(
            bucket: "evidence",
            endpoint: "https://minio.internal",
            addressing: .virtual,
            credentials: credentials
        )
        #expect(forced.objectURL(encodedKey: "k") == "https://evidence.minio.internal/k")
        #expect(throws: MediaArchiveConfigurationError.self) {
            try S3StoreConfiguration(bucket: "b", endpoint: "minio.internal:9000", credentials: credentials)
        }
        #expect(throws: MediaArchiveConfigurationError.self) {
            try resolve(archive: "s3://kyc-evidence", addressing: "sideways", environment: Self.credentials)
        }
    }

    @Test("--media-concurrency is a whole number from 1 to 1024")
    func concurrency() throws {
        #expect(try resolve(archive: "file:///tmp", concurrency: "3", environment: [:])?.concurrency == 3)
        #expect(try resolve(archive: "file:///tmp", environment: ["MEDIA_CONCURRENCY": "40"])?.concurrency == 40)
        for bad in ["0", "-1", "many", "2000"] {
            #expect(throws: MediaArchiveConfigurationError.self) {
                try resolve(archive: "file:///tmp", concurrency: bad, environment: [:])
            }
        }
    }

    @Test("object keys: PREFIX/{bizToken}/{RequestId}/best-frame.{ext}; nothing in a response can climb out")
    func keys() {
        let key = MediaObjectKey(
            prefix: "faceid/media",
            bizToken: "PASS-abc_1",
            requestID: "3c2a1f0e-7b6d",
            kind: .bestFrame,
            fileExtension: "jpg"
        )
        #expect(key.path == "faceid/media/PASS-abc_1/3c2a1f0e-7b6d/best-frame.jpg")
        let hostile = MediaObjectKey(
            prefix: "",
            bizToken: "T",
            requestID: "../../etc/passwd",
            kind: .video,
            fileExtension: "mp4"
        )
        #expect(hostile.path == "T/______etc_passwd/video.mp4")
        let spaced = MediaObjectKey(
            prefix: "my media",
            bizToken: "T",
            requestID: "R",
            kind: .video,
            fileExtension: "mp4"
        )
        #expect(spaced.s3Encoded == "my%20media/T/R/video.mp4")
    }

    @Test("the extension follows the content type, else the first bytes")
    func contentTypes() {
        #expect(MediaContentType.resolve(header: "image/jpeg; charset=binary", leadingBytes: []).fileExtension == "jpg")
        #expect(MediaContentType.resolve(header: "video/mp4", leadingBytes: []).fileExtension == "mp4")
        let mp4 = [0, 0, 0, 0x18] + Array("ftypisom".utf8)
        let sniffed = MediaContentType.resolve(header: "application/octet-stream", leadingBytes: mp4)
        #expect(sniffed == MediaContentType(contentType: "video/mp4", fileExtension: "mp4"))
        #expect(
            MediaContentType.resolve(header: nil, leadingBytes: [0xFF, 0xD8, 0xFF, 0xE0]).contentType == "image/jpeg"
        )
        #expect(MediaContentType.resolve(header: nil, leadingBytes: [1, 2, 3]).fileExtension == "bin")
    }

    @Test("base64: encoding for Content-MD5, streaming decoding in chunks, invalid text refused")
    func base64() {
        #expect(Base64Encoding.encode([]) == "")
        #expect(Base64Encoding.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64Encoding.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        let bytes = (0..<100_001).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let text = Base64Encoding.encode(bytes)
        var decoded: [UInt8] = []
        var chunks = 0
        #expect(
            Base64Encoding.decode(text, chunkSize: 4096) { chunk in
                decoded += chunk
                chunks += 1
                return true
            }
        )
        #expect(decoded == bytes)
        #expect(chunks > 10)
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9v!mFy"] {
            #expect(!Base64Encoding.decode(bad) { _ in true }, "\(bad)")
        }
    }

    @Test("S3 answers are classified: credentials, policy and bucket hold; 5xx and integrity retry")
    func s3Classification() {
        func failure(_ status: Int, _ code: String) -> MediaArchiveFailure {
            .s3Status(status, body: Array("<Error><Code>\(code)</Code><Message>m</Message></Error>".utf8))
        }
        #expect(failure(403, "AccessDenied").kind == .halting)
        #expect(failure(403, "AccessDenied").code == "Store.AccessDenied")
        #expect(failure(404, "NoSuchBucket").kind == .halting)
        #expect(failure(403, "SignatureDoesNotMatch").kind == .halting)
        #expect(failure(503, "SlowDown").kind == .retryable)
        #expect(failure(400, "BadDigest").kind == .retryable)
        #expect(failure(502, "Whatever").code == "Store.HTTP502")
        #expect(failure(502, "Whatever").kind == .retryable)
        #expect(failure(409, "Whatever").kind == .halting)
        #expect(MediaArchiveFailure.downloadStatus(403, .video).needsFreshURLs)
        #expect(!MediaArchiveFailure.downloadStatus(404, .video).needsFreshURLs)
    }

    var credentials: S3Credentials { S3Credentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "secret-example") }

    func resolve(
        archive: String? = nil,
        addressing: String? = nil,
        concurrency: String? = nil,
        environment: [String: String]
    ) throws -> MediaArchiveConfiguration? {
        try MediaArchiveConfiguration.resolve(
            archive: archive,
            s3Endpoint: nil,
            s3Addressing: addressing,
            concurrency: concurrency,
            environment: environment,
            allowsPlainHTTPMediaURLs: false
        )
    }
}
