import EnricherJSON
import Foundation
import MediaArchive
import MetricsTestKit
import Pipeline
import TencentCloud
import TestSupport
import Testing

/// The archive end to end over real HTTP (a loopback media host) into the file store.
@Suite("Media archive into a directory: download, MD5 check, atomic store, faults")
struct FileStoreArchiveTests {
    @Test("both objects are stored under PREFIX/{bizToken}/{RequestId}/ byte for byte, and described for data.media")
    func storesBothObjects() async throws {
        let metrics = TestMetrics()
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
            try await MediaFixture.withDirectory { directory in
                let media = try await MediaFixture.withService(.file(directory: directory), metrics: metrics) {
                    service in
                    try await service.archive(MediaFixture.request(MediaFixture.response(base: host.baseURL)))
                }
                let frame = try #require(media.bestFrame)
                let video = try #require(media.video)
                let framePath = directory + "/PASS-media-1/req-1/best-frame.jpg"
                let videoPath = directory + "/PASS-media-1/req-1/video.mp4"
                #expect(
                    frame
                        == ArchivedMediaObject(
                            uri: "file://" + framePath,
                            md5: Digest.md5Hex(MediaFixture.bestFrame),
                            bytes: MediaFixture.bestFrame.count,
                            contentType: "image/jpeg"
                        )
                )
                #expect(
                    video
                        == ArchivedMediaObject(
                            uri: "file://" + videoPath,
                            md5: Digest.md5Hex(MediaFixture.video),
                            bytes: MediaFixture.video.count,
                            contentType: "video/mp4"
                        )
                )
                #expect(MediaFixture.contents(framePath) == MediaFixture.bestFrame)
                #expect(MediaFixture.contents(videoPath) == MediaFixture.video)
                #expect(
                    MediaFixture.files(under: directory) == [
                        "PASS-media-1/req-1/best-frame.jpg", "PASS-media-1/req-1/video.mp4",
                    ],
                    "nothing left in the staging area"
                )
            }
        }
        #expect(
            try metrics.expectCounter(MediaMetricNames.objects, [("kind", "video"), ("result", "stored")]).totalValue
                == 1
        )
        #expect(
            try metrics.expectCounter(MediaMetricNames.objects, [("kind", "best_frame"), ("result", "stored")])
                .totalValue == 1
        )
        #expect(
            try metrics.expectCounter(MediaMetricNames.bytes, [("kind", "video")]).totalValue
                == Int64(MediaFixture.video.count)
        )
        #expect(try metrics.expectTimer(MediaMetricNames.archiveDuration).values.count == 1)
    }

    @Test("archiving the same result again overwrites the same objects instead of adding others")
    func retriesOverwrite() async throws {
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
            try await MediaFixture.withDirectory { directory in
                try await MediaFixture.withService(.file(directory: directory)) { service in
                    let request = MediaFixture.request(MediaFixture.response(base: host.baseURL))
                    let first = try await service.archive(request)
                    let second = try await service.archive(request)
                    #expect(first == second)
                }
                #expect(MediaFixture.files(under: directory).count == 2)
            }
        }
    }

    @Test("the Intl action's inline base64 is decoded and archived the same way, types from the bytes")
    func inlineMedia() async throws {
        try await MediaFixture.withDirectory { directory in
            let media = try await MediaFixture.withService(.file(directory: directory)) { service in
                try await service.archive(MediaFixture.request(MediaFixture.intlResponse(), bizToken: "PASS-intl"))
            }
            #expect(media.video?.contentType == "video/mp4")
            #expect(media.bestFrame?.contentType == "image/jpeg")
            #expect(media.video?.md5 == Digest.md5Hex(MediaFixture.video))
            #expect(MediaFixture.contents(directory + "/PASS-intl/req-intl/video.mp4") == MediaFixture.video)
            #expect(MediaFixture.contents(directory + "/PASS-intl/req-intl/best-frame.jpg") == MediaFixture.bestFrame)
        }
    }

    @Test("bytes that do not match Tencent's MD5 are not stored: a retryable Media.MD5Mismatch, counted")
    func md5Mismatch() async throws {
        let metrics = TestMetrics()
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
            try await MediaFixture.withDirectory { directory in
                let failure = try await MediaFixture.withService(.file(directory: directory), metrics: metrics) {
                    service in
                    await MediaFixture.failure(
                        service,
                        MediaFixture.request(MediaFixture.response(base: host.baseURL, directory: "/corrupt/"))
                    )
                }
                #expect(failure?.code == "Media.MD5Mismatch")
                #expect(failure?.kind == .retryable)
                #expect(failure?.needsFreshURLs == false)
                #expect(MediaFixture.files(under: directory).isEmpty, "nothing stored, nothing left staged")
            }
        }
        #expect(try metrics.expectCounter(MediaMetricNames.md5Mismatches, [("kind", "best_frame")]).totalValue == 1)
        #expect(
            try metrics.expectCounter(MediaMetricNames.objects, [("kind", "best_frame"), ("result", "md5_mismatch")])
                .totalValue == 1
        )
    }

    @Test("404, a truncated body and 403 are retryable; 403 asks for fresh URLs; messages hold no URL")
    func downloadFaults() async throws {
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
            try await MediaFixture.withDirectory { directory in
                try await MediaFixture.withService(.file(directory: directory)) { service in
                    let cases: [(String, String, Bool)] = [
                        ("/missing/", "Media.NotFound", false), ("/truncated/", "Media.Truncated", false),
                        ("/expired/", "Media.Forbidden", true),
                    ]
                    for (path, code, fresh) in cases {
                        let failure = await MediaFixture.failure(
                            service,
                            MediaFixture.request(MediaFixture.response(base: host.baseURL, directory: path))
                        )
                        #expect(failure?.code == code, "\(path)")
                        #expect(failure?.kind == .retryable, "\(path)")
                        #expect(failure?.needsFreshURLs == fresh, "\(path)")
                        #expect(
                            failure.map {
                                !$0.description.contains("127.0.0.1") && !$0.description.contains("q-signature")
                            } == true
                        )
                    }
                }
                #expect(MediaFixture.files(under: directory).isEmpty)
            }
        }
    }

    @Test("an http media URL is refused unless allowed, and URLs past mediaExpiresAt are not even requested")
    func refusedBeforeDownloading() async throws {
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
            try await MediaFixture.withDirectory { directory in
                let response = MediaFixture.response(base: host.baseURL)
                let insecure = try await MediaFixture.withService(.file(directory: directory), allowsPlainHTTP: false) {
                    service in
                    await MediaFixture.failure(service, MediaFixture.request(response))
                }
                #expect(insecure?.code == "Media.InsecureURL")
                #expect(insecure?.kind == .retryable)
                let nearlyExpired = WallClock.system.now().advanced(by: .seconds(5))
                let expired = try await MediaFixture.withService(.file(directory: directory)) { service in
                    await MediaFixture.failure(service, MediaFixture.request(response, expiresAt: nearlyExpired))
                }
                #expect(expired?.code == "Media.URLExpired")
                #expect(expired?.needsFreshURLs == true)
            }
            #expect(host.requestsReceived == 0)
        }
    }

    @Test("a missing archive directory, or a file in its place, holds the pipeline: Store.NoSuchDirectory")
    func missingDirectory() async throws {
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler()) { host in
            try await MediaFixture.withDirectory { directory in
                let notADirectory = directory + "/plain-file"
                #expect(FileManager.default.createFile(atPath: notADirectory, contents: Data("x".utf8)))
                for root in [directory + "/not-mounted", notADirectory] {
                    let failure = try await MediaFixture.withService(.file(directory: root)) { service in
                        await MediaFixture.failure(
                            service,
                            MediaFixture.request(MediaFixture.response(base: host.baseURL))
                        )
                    }
                    #expect(failure?.code == "Store.NoSuchDirectory", "\(root)")
                    #expect(failure?.kind == .halting, "\(root)")
                }
                #expect(
                    !FileManager.default.fileExists(atPath: directory + "/not-mounted"),
                    "the root is never created"
                )
            }
            #expect(host.requestsReceived == 0)
        }
    }

    @Test("--media-concurrency caps archives in flight; the others wait their turn")
    func concurrencyCap() async throws {
        let probe = ConcurrencyProbe()
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler(delay: .milliseconds(150), probe: probe))
        { host in
            try await MediaFixture.withDirectory { directory in
                try await MediaFixture.withService(.file(directory: directory), concurrency: 2) { service in
                    try await withThrowingTaskGroup(of: ArchivedMedia.self) { group in
                        for index in 0..<6 {
                            group.addTask {
                                try await service.archive(
                                    MediaFixture.request(
                                        MediaFixture.response(base: host.baseURL, requestID: "req-\(index)")
                                    )
                                )
                            }
                        }
                        var stored = 0
                        for try await media in group where media.video != nil { stored += 1 }
                        #expect(stored == 6)
                    }
                }
                #expect(MediaFixture.files(under: directory).count == 12)
            }
        }
        #expect(probe.maximum == 2, "at most two archives downloading at once (saw \(probe.maximum))")
    }

    @Test("a video far larger than a chunk streams through to the store intact")
    func largeVideo() async throws {
        // 8 MiB built from a repeated 64 KiB block: a per-byte loop in a debug build would hold a
        // cooperative thread for seconds and starve the tests running beside this one.
        let block = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var video: [UInt8] = [0, 0, 0, 0x18] + Array("ftypisom".utf8)
        video.reserveCapacity(video.count + 128 * block.count)
        for _ in 0..<128 { video.append(contentsOf: block) }
        try await LoopbackHTTPServer.withServer(handler: MediaFixture.handler(video: video)) { host in
            try await MediaFixture.withDirectory { directory in
                let media = try await MediaFixture.withService(.file(directory: directory)) { service in
                    try await service.archive(
                        MediaFixture.request(MediaFixture.response(base: host.baseURL, video: video))
                    )
                }
                #expect(media.video?.bytes == video.count)
                #expect(media.video?.md5 == Digest.md5Hex(video))
                let stored = try #require(MediaFixture.contents(directory + "/PASS-media-1/req-1/video.mp4"))
                #expect(stored.count == video.count)
                #expect(Digest.md5Hex(stored) == Digest.md5Hex(video))
            }
        }
    }
}
