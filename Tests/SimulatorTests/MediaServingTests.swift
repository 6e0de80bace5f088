import CurlHTTP
import EnricherJSON
import Foundation
import Simulator
import TencentCloud
import TestSupport
import Testing

/// The simulator serves the media its results name, like COS serves Tencent's temporary URLs.
@Suite("Simulator media: URLs that point back, real bytes, expiry, media faults")
struct MediaServingTests {
    /// GETs `url`: status, content type and body.
    static func get(_ url: String) async throws -> HTTPResponse {
        let client = try CurlHTTPClient()
        var request = HTTPRequest(method: .get, url: url, timeout: .seconds(10))
        request.maximumResponseBodySize = 16 << 20
        do {
            let response = try await client.execute(request)
            await client.shutdown()
            return response
        } catch {
            await client.shutdown()
            throw error
        }
    }

    static func configuration(
        faults: [SimulatorFault: Double] = [:],
        videoSize: Int = 24 + 4096,
        mediaBaseURL: String? = nil
    )
        -> SimulatorConfiguration
    {
        var configuration = TestAccount.configuration(faults: faults)
        configuration.videoSize = videoSize
        configuration.mediaBaseURL = mediaBaseURL
        return configuration
    }

    @Test("media URLs point back at the simulator and serve the bytes whose MD5 the result reports")
    func servesWhatTheResultNames() async throws {
        try await withSimulator(Self.configuration()) { simulator in
            let port = try #require(simulator.port)
            let response = try await SignedCall(bizToken: "PASS-media").response(from: simulator)
            let frameURL = try #require(response["VideoBestFrameUrl"]?.stringValue)
            let videoURL = try #require(response["VideoUrl"]?.stringValue)
            #expect(
                frameURL.hasPrefix(
                    "http://127.0.0.1:\(port)/faceid-media/ap-singapore/PASS-media/best_frame.jpg?q-sign-algorithm=sha1"
                )
            )
            #expect(videoURL.contains("q-signature="))
            let frame = try await Self.get(frameURL)
            let video = try await Self.get(videoURL)
            #expect(frame.status == 200 && video.status == 200)
            #expect(frame.contentType == "image/jpeg")
            #expect(video.contentType == "video/mp4")
            #expect(Digest.md5Hex(frame.body) == response["VideoBestFrameMd5"]?.stringValue)
            #expect(Digest.md5Hex(video.body) == response["VideoMd5"]?.stringValue)
            #expect(simulator.counters.mediaDownloads["served"] == 2)
            #expect(simulator.counters.totalRequests == 1, "media downloads are not API calls")
        }
    }

    @Test("--media-base-url sets where the URLs point; --media-video-bytes sets the video's size")
    func baseURLAndSize() async throws {
        try await withSimulator(Self.configuration(videoSize: 1 << 20, mediaBaseURL: "http://simulator:9000/")) {
            simulator in
            let response = try await SignedCall(bizToken: "PASS-big").response(from: simulator)
            let videoURL = try #require(response["VideoUrl"]?.stringValue)
            #expect(videoURL.hasPrefix("http://simulator:9000/faceid-media/ap-singapore/PASS-big/video.mp4?"))
            let port = try #require(simulator.port)
            let local = videoURL.replacingOccurrences(of: "http://simulator:9000", with: "http://127.0.0.1:\(port)")
            let video = try await Self.get(local)
            #expect(video.body.count == 1 << 20)
            #expect(Digest.md5Hex(video.body) == response["VideoMd5"]?.stringValue)
            #expect(Array(video.body[4..<8]) == Array("ftyp".utf8))
        }
    }

    @Test("a URL whose path or window was tampered with is refused with 403; an unknown file is 404")
    func tampering() async throws {
        try await withSimulator(Self.configuration()) { simulator in
            let response = try await SignedCall(bizToken: "PASS-owner").response(from: simulator)
            let videoURL = try #require(response["VideoUrl"]?.stringValue)
            let otherToken = videoURL.replacingOccurrences(of: "/PASS-owner/", with: "/PASS-other/")
            #expect(try await Self.get(otherToken).status == 403)
            let stretched = videoURL.replacingOccurrences(of: "q-sign-time=", with: "q-sign-time=1")
            #expect(try await Self.get(stretched).status == 403)
            let unknown = videoURL.replacingOccurrences(of: "/video.mp4?", with: "/audio.mp3?")
            #expect(try await Self.get(unknown).status == 404)
            #expect(simulator.counters.mediaDownloads["forbidden"] == 2)
        }
    }

    @Test(
        "media faults hit downloads only: corrupt bytes, an expired 403, a missing 404",
        arguments: [
            (SimulatorFault.mediaCorrupt, 200, "corrupt"), (.mediaExpired, 403, "expired"),
            (.mediaMissing, 404, "missing"),
        ]
    )
    func mediaFaults(fault: SimulatorFault, status: Int, outcome: String) async throws {
        try await withSimulator(Self.configuration(faults: [fault: 1])) { simulator in
            let response = try await SignedCall(bizToken: "PASS-faulty").response(from: simulator)
            #expect(response["ErrorCode"] == 0, "API calls are untouched by media faults")
            let videoURL = try #require(response["VideoUrl"]?.stringValue)
            let video = try await Self.get(videoURL)
            #expect(video.status == status)
            if fault == .mediaCorrupt {
                #expect(video.body.count == SimulatedMediaSize.defaultVideo)
                #expect(Digest.md5Hex(video.body) != response["VideoMd5"]?.stringValue)
            }
            #expect(simulator.counters.mediaDownloads[outcome] == 1)
            #expect(simulator.counters.faultsInjected[fault] == 1)
        }
    }

    @Test("the Intl action inlines the same media bytes")
    func intlInlinesTheSameBytes() async throws {
        try await withSimulator(Self.configuration()) { simulator in
            let plain = try await SignedCall(bizToken: "PASS-same").response(from: simulator)
            let intl = try await SignedCall(bizToken: "PASS-same", action: "GetWebVerificationResultIntl").response(
                from: simulator
            )
            let video = try #require(intl["VideoBase64"]?.stringValue.flatMap { Data(base64Encoded: $0) })
            #expect(Digest.md5Hex([UInt8](video)) == plain["VideoMd5"]?.stringValue)
        }
    }
}

/// Sizes the simulator uses by default.
enum SimulatedMediaSize {
    /// An `ftyp` box and 4 KiB.
    static let defaultVideo = 24 + 4096
}
