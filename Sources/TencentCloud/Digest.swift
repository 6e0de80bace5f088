import COpenSSL

/// Hash and MAC primitives over bytes, computed by OpenSSL's libcrypto.
///
/// TC3-HMAC-SHA256 needs SHA-256 and HMAC-SHA256; the FaceID simulator and the pipeline also
/// need MD5 to describe media (`VideoMd5`, the `{ bytes, md5 }` summary of inline base64).
/// Everything here is a pure function over bytes, so the signer, the simulator's verifier and
/// tests all compute exactly the same values. OpenSSL 3's one-shot `SHA256()`/`MD5()` are
/// deprecated: SHA-256 goes through the EVP interface with the algorithm fetched once, HMAC is
/// built on it (RFC 2104), and MD5 uses `EVP_Digest`.
public enum Digest {
    /// The SHA-256 digest (32 bytes) of `bytes`.
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The SHA-256 digest of `bytes` as 64 lower-case hex digits (TC3's `HashedRequestPayload`).
    public static func sha256Hex(_ bytes: some Collection<UInt8>) -> String {
        hex(sha256(bytes))
    }

    /// The SHA-256 digest of the UTF-8 bytes of `text`, as lower-case hex.
    public static func sha256Hex(_ text: String) -> String {
        hex(sha256(text.utf8))
    }

    /// The MD5 digest (16 bytes) of `bytes`: only for content fingerprints, never for security.
    public static func md5(_ bytes: some Collection<UInt8>) -> [UInt8] {
        evpDigest(bytes, algorithm: EVP_md5(), length: 16)
    }

    /// The MD5 digest of `bytes` as 32 lower-case hex digits, as FaceID reports `VideoMd5`.
    public static func md5Hex(_ bytes: some Collection<UInt8>) -> String {
        hex(md5(bytes))
    }

    /// HMAC-SHA256 of `message` under `key` (32 bytes): the step function of TC3 key derivation.
    ///
    /// RFC 2104 over ``SHA256Hasher`` rather than OpenSSL's one-shot `HMAC()`: in OpenSSL 3 that call looks the
    /// MAC and the digest up in the provider store on every use, which cost more than the hashing itself (every
    /// API call signs, and the simulator verifies, with four of them).
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? sha256(key) : Array(key)
        block.append(contentsOf: repeatElement(0, count: blockSize - block.count))
        var inner = SHA256Hasher()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256Hasher()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// HMAC-SHA256 of the UTF-8 bytes of `message` under `key`.
    public static func hmacSHA256(key: some Collection<UInt8>, message: String) -> [UInt8] {
        hmacSHA256(key: key, message: message.utf8)
    }

    /// Lower-case hex of `bytes`, two digits per byte.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 as fetched once from libcrypto's default provider, shared by every hasher: an `EVP_MD` is
    /// immutable once fetched and safe to use from any thread. Fetching it per digest (what `EVP_sha256()` with
    /// `EVP_Digest` does in OpenSSL 3) was a provider-store lookup per hash.
    nonisolated(unsafe) static let sha256Algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    private static func evpDigest(
        _ bytes: some Collection<UInt8>,
        algorithm: OpaquePointer?,
        length expected: Int
    ) -> [UInt8] {
        let input = Array(bytes)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = input.withUnsafeBytes { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                EVP_Digest(
                    inputBuffer.baseAddress,
                    inputBuffer.count,
                    outputBuffer.baseAddress,
                    &length,
                    algorithm,
                    nil
                )
            }
        }
        // EVP_Digest fails only when libcrypto cannot allocate or the algorithm is unavailable
        // (e.g. MD5 disabled by a FIPS provider): a broken installation, not a runtime condition.
        precondition(status == 1 && Int(length) == expected, "OpenSSL EVP_Digest failed")
        return Array(output.prefix(Int(length)))
    }
}

/// An incremental SHA-256 over libcrypto's EVP interface with the algorithm fetched once, so signing can hash
/// a key block, then a message, without copying them together.
struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer?

    init() {
        context = EVP_MD_CTX_new()
        let algorithm = Digest.sha256Algorithm ?? EVP_sha256()
        let status = EVP_DigestInit_ex2(context, algorithm, nil)
        // Fails only when libcrypto cannot allocate or has no SHA-256: a broken installation.
        precondition(context != nil && status == 1, "OpenSSL SHA-256 initialisation failed")
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Hashes `bytes` next.
    mutating func update(_ bytes: some Collection<UInt8>) {
        let hashed = bytes.withContiguousStorageIfAvailable { buffer in
            EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
        let status = hashed ?? Array(bytes).withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        precondition(status == 1, "OpenSSL SHA-256 update failed")
    }

    /// The 32-byte digest of everything hashed.
    consuming func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(status == 1 && length == 32, "OpenSSL SHA-256 finalisation failed")
        return output
    }
}
