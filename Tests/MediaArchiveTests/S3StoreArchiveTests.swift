import EnricherJSON
import Foundation
import MediaArchive
import MetricsTestKit
import Pipeline
import Synchronization
import TencentCloud
import TestSupport
import Testing

/// The archive into a real S3-compatible server (moto, with SigV4 verification on), read back by
/// a second client (boto3): libcurl's signing, the payload hash header, the store's error codes.
@Suite("Media archive into S3 (moto): signed uploads, read back by boto3, store errors hold")
struct S3StoreArchiveTests {
    static func store(
        _ moto: MotoServer,
        bucket: String,
        prefix: String = "faceid/media",
        account: MotoServer.Account? = nil,
        secret: String? = nil
    )
        throws -> MediaArchiveConfiguration.Store
    {
        let account = account ?? moto.writer
        return .s3(
            try S3StoreConfiguration(
                bucket: bucket,
                prefix: prefix,
                endpoint: moto.endpoint,
                region: "us-east-1",
                credentials: S3Credentials(
                    accessKeyID: account.accessKeyID,
                    secretAccessKey: secret ?? account.secretAccessKey
                )
            )
        )
    }

    static func uniqueBucket(_ tag: String) -> String { "media-\(tag)-\(UInt32.random(in: 0...UInt32.max))" }

    @Test("objects are PUT signed by libcurl and read back by boto3 with the same bytes, MD5 and content type")
    func storedAndReadBack() async throws {
        let bucket = Self.uniqueBucket("ok")
        let metrics = TestMetrics()
        try await withMotoServer(buckets: [bucket]) { moto in
            try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
                try await MediaFixture.withDirectory { staging in
                    let media = try await MediaFixture.withService(
                        try Self.store(moto, bucket: bucket),
                        stagingDirectory: staging,
                        metrics: metrics
                    ) { service in
                        // Twice: the second archive of the same result overwrites the same keys.
                        _ = try await service.archive(
                            MediaFixture.request(MediaFixture.response(base: host.baseURL), bizToken: "PASS-s3-1")
                        )
                        return try await service.archive(
                            MediaFixture.request(MediaFixture.response(base: host.baseURL), bizToken: "PASS-s3-1")
                        )
                    }
                    #expect(media.bestFrame?.uri == "s3://\(bucket)/faceid/media/PASS-s3-1/req-1/best-frame.jpg")
                    #expect(media.video?.uri == "s3://\(bucket)/faceid/media/PASS-s3-1/req-1/video.mp4")
                    #expect(MediaFixture.files(under: staging).isEmpty, "staged files are removed after upload")
                }
            }
            let objects = try await moto.objects(bucket: bucket, prefix: "faceid/media/")
            #expect(
                objects == [
                    MotoServer.StoredObject(
                        key: "faceid/media/PASS-s3-1/req-1/best-frame.jpg",
                        bytes: MediaFixture.bestFrame.count,
                        md5: Digest.md5Hex(MediaFixture.bestFrame),
                        contentType: "image/jpeg"
                    ),
                    MotoServer.StoredObject(
                        key: "faceid/media/PASS-s3-1/req-1/video.mp4",
                        bytes: MediaFixture.video.count,
                        md5: Digest.md5Hex(MediaFixture.video),
                        contentType: "video/mp4"
                    ),
                ]
            )
        }
        #expect(
            try metrics.expectCounter(MediaMetricNames.objects, [("kind", "video"), ("result", "stored")]).totalValue
                == 2
        )
    }

    @Test("a missing bucket, a wrong secret, a key without PutObject and an unreachable store hold the pipeline")
    func storeErrorsHalt() async throws {
        let bucket = Self.uniqueBucket("errors")
        try await withMotoServer(buckets: [bucket]) { moto in
            try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
                try await MediaFixture.withDirectory { staging in
                    let unreachable = MediaArchiveConfiguration.Store.s3(
                        try S3StoreConfiguration(
                            bucket: bucket,
                            endpoint: "http://127.0.0.1:\(try freePort())",
                            credentials: S3Credentials(
                                accessKeyID: moto.writer.accessKeyID,
                                secretAccessKey: moto.writer.secretAccessKey
                            )
                        )
                    )
                    let cases: [(String, MediaArchiveConfiguration.Store)] = [
                        ("Store.NoSuchBucket", try Self.store(moto, bucket: Self.uniqueBucket("absent"))),
                        ("Store.SignatureDoesNotMatch", try Self.store(moto, bucket: bucket, secret: "not-the-secret")),
                        ("Store.AccessDenied", try Self.store(moto, bucket: bucket, account: moto.denied)),
                        ("Store.Unreachable", unreachable),
                    ]
                    for (code, store) in cases {
                        let failure = try await MediaFixture.withService(store, stagingDirectory: staging) { service in
                            await MediaFixture.failure(
                                service,
                                MediaFixture.request(MediaFixture.response(base: host.baseURL))
                            )
                        }
                        #expect(failure?.code == code)
                        #expect(failure?.kind == .halting, "\(code)")
                        #expect(failure.map { !$0.description.contains(moto.writer.secretAccessKey) } == true)
                    }
                    #expect(MediaFixture.files(under: staging).isEmpty)
                }
            }
            #expect(try await moto.objects(bucket: bucket).isEmpty)
        }
    }

    @Test("the PUT carries the body's SHA-256 as the signed payload hash, Content-MD5 and a signed session token")
    func putHeaders() async throws {
        let puts = Mutex<[LoopbackHTTPRequest]>([])
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
            try await LoopbackHTTPServer.withServer(handler: { request in
                puts.withLock { $0.append(request) }
                return .text("")
            }) { s3 in
                try await MediaFixture.withDirectory { staging in
                    let store = MediaArchiveConfiguration.Store.s3(
                        try S3StoreConfiguration(
                            bucket: "evidence",
                            endpoint: s3.baseURL,
                            region: "ap-singapore",
                            credentials: S3Credentials(
                                accessKeyID: "AKIAEXAMPLE",
                                secretAccessKey: "s3cr3t",
                                sessionToken: "session-token-example"
                            )
                        )
                    )
                    _ = try await MediaFixture.withService(store, stagingDirectory: staging) { service in
                        try await service.archive(MediaFixture.request(MediaFixture.response(base: host.baseURL)))
                    }
                }
            }
        }
        let video = try #require(puts.withLock { $0 }.first { $0.target.hasSuffix("/video.mp4") })
        #expect(video.method == "PUT")
        #expect(video.target == "/evidence/PASS-media-1/req-1/video.mp4")
        #expect(video.body == MediaFixture.video)
        #expect(video.header("x-amz-content-sha256") == Digest.sha256Hex(MediaFixture.video))
        #expect(video.header("Content-MD5") == Data(Digest.md5(MediaFixture.video)).base64EncodedString())
        #expect(video.header("x-amz-security-token") == "session-token-example")
        let authorization = try #require(video.header("Authorization"))
        #expect(authorization.contains("/ap-singapore/s3/aws4_request"))
        #expect(authorization.contains("x-amz-content-sha256;x-amz-date;x-amz-security-token"))
        #expect(!authorization.contains("s3cr3t"))
    }

    /// A port nothing listens on.
    func freePort() throws -> Int {
        // Bound and released at once: nothing listens there for the moment the test needs.
        let server = try LoopbackHTTPServer.start { _ in .text("") }
        let port = server.port
        server.stop()
        return port
    }
}
