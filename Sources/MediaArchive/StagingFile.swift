import CurlHTTP
import Pipeline
import TencentCloud

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary file a piece of media is written into as it arrives (downloaded, or decoded from
/// base64), with its MD5 and SHA-256 computed on the way: the video is never held in memory.
///
/// `@unchecked Sendable` under a single-owner rule: the archiving task creates it; during a
/// download only the HTTP client's thread writes to it (``write(_:)``, one call at a time); after
/// the transfer returned — the continuation orders the accesses — only the task touches it again.
final class StagingFile: HTTPResponseBodySink, @unchecked Sendable {
    /// The file's path.
    let path: String
    private var descriptor: Int32
    private let digests: ContentDigests
    /// The `errno` of the first write that failed (disk full, …), if any.
    private(set) var writeError: Int32?
    /// The first bytes, for recognising the content type.
    private(set) var leadingBytes: [UInt8] = []

    private init(path: String, descriptor: Int32, computesSHA256: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.digests = ContentDigests(includingSHA256: computesSHA256)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// A new, empty file in `directory`, readable by its owner and group only (it holds a face); the
    /// SHA-256 is computed only when `computesSHA256` (an S3 upload signs it).
    static func create(in directory: String, computesSHA256: Bool) throws(MediaArchiveFailure) -> StagingFile {
        let name = "\(directory)/" + String(UInt64.random(in: 0...UInt64.max), radix: 16) + ".part"
        let descriptor = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw MediaArchiveFailure.staging("create a staging file", errno: errno) }
        return StagingFile(path: name, descriptor: descriptor, computesSHA256: computesSHA256)
    }

    /// Appends `bytes`, updating the digests; `false` once a write failed (the download aborts).
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard writeError == nil, descriptor >= 0 else { return false }
        if leadingBytes.count < 16 { leadingBytes += bytes.prefix(16 - leadingBytes.count) }
        digests.update(bytes)
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = systemWrite(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                writeError = errno
                return false
            }
            offset += written
        }
        return true
    }

    /// Bytes written so far.
    var byteCount: Int { digests.byteCount }

    /// Closes the file (after `fsync` when `syncs`, so a rename publishes complete bytes) and
    /// describes it. Blocks: run it through ``BlockingIO``.
    func finish(contentTypeHeader: String?, syncs: Bool) throws(MediaArchiveFailure) -> StagedMedia {
        if let writeError { throw MediaArchiveFailure.staging("write a staging file", errno: writeError) }
        if syncs, fsync(descriptor) != 0 { throw MediaArchiveFailure.staging("sync a staging file", errno: errno) }
        close(descriptor)
        descriptor = -1
        let (md5, sha256) = digests.finish()
        return StagedMedia(
            path: path,
            bytes: digests.byteCount,
            md5: md5,
            sha256: sha256,
            type: MediaContentType.resolve(header: contentTypeHeader, leadingBytes: leadingBytes)
        )
    }

    /// Closes and removes the file (after a failure, or once stored elsewhere).
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(path)
    }
}

/// A complete piece of media in a staging file, with what the store and the output need to know.
struct StagedMedia: Sendable, Hashable {
    var path: String
    var bytes: Int
    var md5: [UInt8]
    var sha256: [UInt8]
    var type: MediaContentType

    /// Lower-case hex MD5, as FaceID reports it.
    var md5Hex: String { Digest.hex(md5) }
    /// Base64 MD5, for S3's `Content-MD5` (the store then verifies the upload itself).
    var md5Base64: String { Base64Encoding.encode(md5) }
    /// Lower-case hex SHA-256, for S3's `x-amz-content-sha256`.
    var sha256Hex: String { Digest.hex(sha256) }
}

/// POSIX `write(2)`, named apart from ``StagingFile/write(_:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
