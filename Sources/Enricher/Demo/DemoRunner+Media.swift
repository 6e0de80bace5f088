import Foundation
import TencentCloud

extension DemoRunner {
    /// What the demo found when it read the archived media back.
    public struct MediaCheck: Sendable, Hashable {
        /// Where the demo archived media.
        public var directory: String
        /// Objects the outputs name.
        public var objects = 0
        /// Objects whose file exists and whose bytes have the MD5 the output and Tencent reported.
        public var verified = 0
        /// Bytes of the verified objects.
        public var bytes = 0
    }

    /// A fresh directory for the demo's media archive.
    static func makeMediaDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "faceid-enricher-demo-media-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Reads every archived object the outputs name back from `directory`, as an auditor would:
    /// the file must be there and hash to the MD5 in `data.media` and in Tencent's result.
    static func checkMedia(of outputs: [DemoObservedEvent], in directory: String) -> MediaCheck {
        var check = MediaCheck(directory: directory)
        for object in outputs.flatMap(\.media) {
            check.objects += 1
            guard object.uri.hasPrefix("file://"),
                let path = String(object.uri.dropFirst("file://".count)).removingPercentEncoding,
                path.hasPrefix(directory + "/"),
                let digest = md5(ofFileAt: path)
            else { continue }
            if digest.md5 == object.md5, object.reportedMD5 == nil || object.reportedMD5 == digest.md5,
                digest.bytes == object.bytes
            {
                check.verified += 1
                check.bytes += digest.bytes
            }
        }
        return check
    }

    /// The MD5 and size of a file, read in chunks.
    static func md5(ofFileAt path: String) -> (md5: String, bytes: Int)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let digests = ContentDigests()
        while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            chunk.withUnsafeBytes { digests.update($0) }
        }
        return (Digest.hex(digests.finish().md5), digests.byteCount)
    }
}
