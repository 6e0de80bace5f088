import Foundation
import TencentCloud

/// The media a verification "recorded" for one BizToken: a small JPEG-like best frame and a
/// few KiB of MP4-like video, derived from the token so every call for it returns the same
/// bytes, MD5s and base64 text, as Tencent's stored media would.
struct SimulatedMedia: Sendable {
    /// The best frame: JPEG markers around pseudo-random bytes.
    var bestFrame: [UInt8]
    /// The video: an MP4 `ftyp` box followed by pseudo-random bytes.
    var video: [UInt8]
    /// A stable id for this verification (Tencent's `Seq`), UUID-shaped.
    var sequence: String
    /// 0…1, stable per token: picks the similarity score.
    var score: Double

    init(bizToken: String) {
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
        video = ftyp + Self.bytes(count: 4096, from: &random)

        let hex = Digest.hex(digest)
        let chars = Array(hex)
        sequence = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
        score = Double(random.next() % 10_000) / 10_000
    }

    var bestFrameMD5: String { Digest.md5Hex(bestFrame) }
    var videoMD5: String { Digest.md5Hex(video) }
    var bestFrameBase64: String { Data(bestFrame).base64EncodedString() }
    var videoBase64: String { Data(video).base64EncodedString() }

    /// A temporary COS URL shaped like the ones FaceID returns (valid 10 minutes from `now`).
    func url(file: String, region: String, now: Int64) -> String {
        let bucket = region == "ap-jakarta" ? "faceid-jkt-1254418846" : "faceid-sg-1254418846"
        let signature = Digest.sha256Hex("\(sequence)/\(file)/\(now)").prefix(40)
        return "https://\(bucket).cos.\(region).myqcloud.com/web/\(sequence)/\(file)"
            + "?q-sign-algorithm=sha1&q-sign-time=\(now);\(now + 600)&q-key-time=\(now);\(now + 600)"
            + "&q-header-list=&q-url-param-list=&q-signature=\(signature)"
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
