import EnricherJSON
import Foundation
import Logging
import MediaArchive
import MetricsTestKit
import Pipeline
import TencentCloud
import TestSupport
import Testing

/// A verification's media and a loopback host serving it the way COS does, with faults on
/// request: `/missing` (404), `/expired` (403), `/truncated` (the body cut short), `/corrupt`
/// (one byte flipped), plus a delay and a probe of concurrent downloads.
struct MediaFixture: Sendable {
    static let bestFrame: [UInt8] =
        [0xFF, 0xD8, 0xFF, 0xE0] + (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 13) } + [0xFF, 0xD9]
    static let video: [UInt8] =
        [0, 0, 0, 0x18] + Array("ftypisom".utf8) + (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }

    /// The handler: the file name picks the body, the directory picks the fault.
    static func handler(
        delay: Duration = .zero,
        probe: ConcurrencyProbe? = nil,
        video: [UInt8] = video
    ) -> LoopbackHTTPServer.Handler {
        { request in
            probe?.enter()
            defer { probe?.leave() }
            if delay > .zero {
                Thread.sleep(
                    forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
                )
            }
            let path = request.target.split(separator: "?").first.map(String.init) ?? request.target
            let isFrame = path.hasSuffix(".jpg")
            var body = isFrame ? bestFrame : video
            let type = isFrame ? "image/jpeg" : "video/mp4"
            if path.hasPrefix("/missing/") { return .text("<Error><Code>NoSuchKey</Code></Error>", status: 404) }
            if path.hasPrefix("/expired/") {
                return .text(
                    "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                    status: 403
                )
            }
            if path.hasPrefix("/corrupt/") { body[body.count / 2] ^= 0xFF }
            let ending: LoopbackHTTPReply.Ending =
                path.hasPrefix("/truncated/") ? .truncateBody(after: body.count / 2) : .complete
            return LoopbackHTTPReply(headers: [("Content-Type", type)], body: body, ending: ending)
        }
    }

    /// A `GetWebVerificationResult` response whose media URLs live under `base` + `directory`.
    static func response(
        base: String,
        directory: String = "/ok/",
        requestID: String = "req-1",
        video: [UInt8] = video
    ) -> JSONValue {
        [
            "ErrorCode": 0,
            "ErrorMsg": "Succeed",
            "VideoBestFrameUrl": .string(base + directory + "best_frame.jpg?q-sign-algorithm=sha1&q-signature=abc"),
            "VideoBestFrameMd5": .string(Digest.md5Hex(bestFrame)),
            "VerificationDetailList": [],
            "VideoUrl": .string(base + directory + "video.mp4?q-sign-algorithm=sha1&q-signature=def"),
            "VideoMd5": .string(Digest.md5Hex(video)),
            "RequestId": .string(requestID),
        ]
    }

    /// A `GetWebVerificationResultIntl` response carrying the media inline.
    static func intlResponse(requestID: String = "req-intl") -> JSONValue {
        [
            "ErrorCode": 0,
            "ErrorMsg": "Succeed",
            "VerificationDetailList": [],
            "VideoBase64": .string(Data(video).base64EncodedString()),
            "BestFrameBase64": .string(Data(bestFrame).base64EncodedString()),
            "RequestId": .string(requestID),
        ]
    }

    /// A request for `response` whose URLs expire ten minutes from now (or at `expiresAt`).
    static func request(
        _ response: JSONValue,
        bizToken: String = "PASS-media-1",
        expiresAt: UTCTimestamp? = nil
    ) -> MediaArchiveRequest {
        let now = WallClock.system.now()
        let hasURLs = response["VideoUrl"]?.stringValue != nil
        return MediaArchiveRequest(
            bizToken: bizToken,
            region: "ap-singapore",
            response: response,
            mediaExpiresAt: hasURLs ? (expiresAt ?? now.advanced(by: .seconds(600))) : nil
        )
    }

    /// A fresh directory under the temporary directory, removed after `body`.
    static func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = NSTemporaryDirectory() + "faceid-media-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// A service over `store`, run for `body`, then shut down.
    static func withService<T>(
        _ store: MediaArchiveConfiguration.Store,
        concurrency: Int = 4,
        allowsPlainHTTP: Bool = true,
        stagingDirectory: String? = nil,
        metrics: TestMetrics = TestMetrics(),
        _ body: (MediaArchiveService) async throws -> T
    ) async throws -> T {
        let service = try MediaArchiveService(
            configuration: MediaArchiveConfiguration(
                store: store,
                concurrency: concurrency,
                allowsPlainHTTPMediaURLs: allowsPlainHTTP,
                transferTimeout: .seconds(20),
                stagingDirectory: stagingDirectory
            ),
            metricsFactory: metrics,
            logger: Logger(label: "media-tests") { _ in SwiftLogNoOpLogHandler() }
        )
        do {
            let result = try await body(service)
            await service.shutdown()
            return result
        } catch {
            await service.shutdown()
            throw error
        }
    }

    /// The failure `archive` throws; `nil` (and a recorded issue) when it succeeds.
    static func failure(_ service: MediaArchiveService, _ request: MediaArchiveRequest) async -> MediaArchiveFailure? {
        do {
            _ = try await service.archive(request)
            Issue.record("the archive succeeded")
            return nil
        } catch {
            return error
        }
    }

    /// The bytes of the file at `path`.
    static func contents(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// Every regular file under `directory`, relative paths, sorted.
    static func files(under directory: String) -> [String] {
        (FileManager.default.subpaths(atPath: directory) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }
}
