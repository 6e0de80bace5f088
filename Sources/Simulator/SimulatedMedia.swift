import Foundation
import TencentCloud

/// The media a verification "recorded" for one BizToken: a small JPEG-like best frame and an
/// MP4-like video (a few KiB by default, any size asked for), derived from the token so every
/// call for it returns the same bytes, MD5s and base64 text, as Tencent's stored media would.
struct SimulatedMedia: Sendable {
    /// The video size when none is configured: an `ftyp` box and 4 KiB.
    static let defaultVideoSize = 24 + 4096

    /// The best frame: JPEG markers around pseudo-random bytes.
    var bestFrame: [UInt8]
    /// The video: an MP4 `ftyp` box followed by pseudo-random bytes.
    var video: [UInt8]
    /// A stable id for this verification (Tencent's `Seq`), UUID-shaped.
    var sequence: String
    /// 0…1, stable per token: picks the similarity score.
    var score: Double

    init(bizToken: String, videoSize: Int = SimulatedMedia.defaultVideoSize) {
        let digest = Digest.md5(Array(bizToken.utf8))
        var seed: UInt64 = 0
        for byte in digest.prefix(8) { seed = seed << 8 | UInt64(byte) }
        var random = SeededRandom(seed: seed)

        let jpegHeader: [UInt8] = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
            0x00,
        ]
        bestFrame = jpegHeader + Self.bytes(count: 256, from: &random) + [0xFF, 0xD9]

        let ftyp: [UInt8] = [0x00, 0x00, 0x00, 0x18] + Array("ftypisom".utf8) + [0x00, 0x00, 0x02, 0x00]
            + Array("isomiso2".utf8)
        var video = ftyp + Self.bytes(count: 4096, from: &random)

        let hex = Digest.hex(digest)
        let chars = Array(hex)
        sequence = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
        score = Double(random.next() % 10_000) / 10_000

        // A larger video: one more pseudo-random block, repeated (cheap to build at megabytes).
        if videoSize > video.count {
            let block = Self.bytes(count: min(64 * 1024, videoSize - video.count), from: &random)
            video.reserveCapacity(videoSize)
            while video.count < videoSize { video += block.prefix(videoSize - video.count) }
        } else {
            video = Array(video.prefix(max(ftyp.count, videoSize)))
        }
        self.video = video
    }

    var bestFrameMD5: String { Digest.md5Hex(bestFrame) }
    var videoMD5: String { Digest.md5Hex(video) }
    var bestFrameBase64: String { Data(bestFrame).base64EncodedString() }
    var videoBase64: String { Data(video).base64EncodedString() }

    /// The bytes of the file a media URL names (`best_frame.jpg`, `video.mp4`), with its type.
    func file(named name: String) -> (bytes: [UInt8], contentType: String)? {
        switch name {
        case SimulatedMediaLink.bestFrameFile: (bestFrame, "image/jpeg")
        case SimulatedMediaLink.videoFile: (video, "video/mp4")
        default: nil
        }
    }

    private static func bytes(count: Int, from random: inout SeededRandom) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            var word = random.next()
            for _ in 0..<8 where out.count < count {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return out
    }
}
