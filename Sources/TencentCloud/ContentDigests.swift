import COpenSSL

/// The MD5 and the SHA-256 of a byte stream, computed in one pass as the bytes go by.
///
/// Media archiving downloads a video in chunks and never holds it whole: MD5 is what FaceID
/// reports (`VideoMd5`) and what the archive is checked against; SHA-256 is what S3 wants in
/// `x-amz-content-sha256` when the object is uploaded (skipped when nothing needs it: it costs
/// about as much CPU as the MD5). ``Digest`` covers whole buffers; this covers streams, with
/// OpenSSL's `EVP_DigestUpdate`.
///
/// Not `Sendable`: one owner feeds it (the download's sink, on the HTTP client's thread).
/// ``finish()`` may be called once; updates after it are ignored.
public final class ContentDigests {
    private let md5Context: OpaquePointer
    /// `nil` when only the MD5 is wanted (a video stored in a directory needs no SHA-256).
    private let sha256Context: OpaquePointer?
    private var isFinished = false
    /// Bytes fed so far.
    public private(set) var byteCount: Int = 0

    /// Fresh digests of the empty stream; without `includingSHA256`, only the MD5 is computed (it
    /// costs about as much CPU again, and only an S3 upload needs it).
    public init(includingSHA256: Bool = true) {
        // EVP_MD_CTX_new and EVP_DigestInit_ex fail only when libcrypto cannot allocate or the
        // algorithm is unavailable (MD5 disabled by a FIPS provider): a broken installation,
        // not a runtime condition, as for ``Digest``.
        guard let md5 = EVP_MD_CTX_new() else { preconditionFailure("OpenSSL EVP_MD_CTX_new failed") }
        precondition(EVP_DigestInit_ex(md5, EVP_md5(), nil) == 1, "OpenSSL MD5 init failed")
        md5Context = md5
        if includingSHA256 {
            guard let sha256 = EVP_MD_CTX_new() else { preconditionFailure("OpenSSL EVP_MD_CTX_new failed") }
            precondition(EVP_DigestInit_ex(sha256, EVP_sha256(), nil) == 1, "OpenSSL SHA-256 init failed")
            sha256Context = sha256
        } else {
            sha256Context = nil
        }
    }

    deinit {
        EVP_MD_CTX_free(md5Context)
        if let sha256Context { EVP_MD_CTX_free(sha256Context) }
    }

    /// Feeds the next bytes of the stream.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard !isFinished, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(EVP_DigestUpdate(md5Context, base, bytes.count) == 1, "OpenSSL MD5 update failed")
        if let sha256Context {
            precondition(EVP_DigestUpdate(sha256Context, base, bytes.count) == 1, "OpenSSL SHA-256 update failed")
        }
        byteCount += bytes.count
    }

    /// Feeds the next bytes of the stream.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digests of everything fed: MD5 (16 bytes) and SHA-256 (32 bytes; empty when not computed).
    public func finish() -> (md5: [UInt8], sha256: [UInt8]) {
        isFinished = true
        return (Self.final(md5Context, length: 16), sha256Context.map { Self.final($0, length: 32) } ?? [])
    }

    private static func final(_ context: OpaquePointer, length expected: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(status == 1 && Int(length) == expected, "OpenSSL EVP_DigestFinal_ex failed")
        return Array(output.prefix(expected))
    }
}
