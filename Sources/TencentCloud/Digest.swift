import COpenSSL

/// Hash and MAC primitives over bytes, computed by OpenSSL's libcrypto.
///
/// TC3-HMAC-SHA256 needs SHA-256 and HMAC-SHA256; the FaceID simulator and the pipeline also
/// need MD5 to describe media (`VideoMd5`, the `{ bytes, md5 }` summary of inline base64).
/// Everything here is a pure function over bytes, so the signer, the simulator's verifier and
/// tests all compute exactly the same values. OpenSSL 3's one-shot `SHA256()`/`MD5()` are
/// deprecated; `EVP_Digest` and `HMAC(EVP_sha256(), …)` are the supported calls.
public enum Digest {
    /// The SHA-256 digest (32 bytes) of `bytes`.
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        evpDigest(bytes, algorithm: EVP_sha256(), length: 32)
    }

    /// The SHA-256 digest of `bytes` as 64 lower-case hex digits (TC3's `HashedRequestPayload`).
    public static func sha256Hex(_ bytes: some Collection<UInt8>) -> String {
        hex(sha256(bytes))
    }

    /// The SHA-256 digest of the UTF-8 bytes of `text`, as lower-case hex.
    public static func sha256Hex(_ text: String) -> String {
        hex(sha256(Array(text.utf8)))
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
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let produced = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    HMAC(
                        EVP_sha256(),
                        keyBuffer.baseAddress,
                        Int32(keyBuffer.count),
                        messageBuffer.baseAddress,
                        messageBuffer.count,
                        outputBuffer.baseAddress,
                        &length
                    ) != nil
                }
            }
        }
        // HMAC only fails on allocation failure or an unknown digest; neither can be handled
        // meaningfully by a caller, and a wrong MAC would be rejected by the server anyway.
        precondition(produced && length == 32, "OpenSSL HMAC-SHA256 failed")
        return Array(output.prefix(Int(length)))
    }

    /// HMAC-SHA256 of the UTF-8 bytes of `message` under `key`.
    public static func hmacSHA256(key: some Collection<UInt8>, message: String) -> [UInt8] {
        hmacSHA256(key: key, message: Array(message.utf8))
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
