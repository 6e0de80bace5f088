/// Standard base64 (RFC 4648, with `=` padding) for the small values S3 wants encoded
/// (`Content-MD5`), and a streaming decoder for the Intl action's inline media, which turns a
/// video's base64 text into bytes chunk by chunk instead of building the whole video at once.
enum Base64Encoding {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// `bytes` in base64.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let a = bytes[index]
            let b = index + 1 < bytes.count ? bytes[index + 1] : 0
            let c = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 0x03) << 4 | b >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b & 0x0F) << 2 | c >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(c & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `text` (whitespace ignored, `=` padding only at the end) and hands the bytes to
    /// `sink` in chunks of about `chunkSize`; `false` when `text` is not valid base64 or `sink` refused.
    static func decode(_ text: String, chunkSize: Int = 48 * 1024, into sink: ([UInt8]) -> Bool) -> Bool {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(chunkSize + 3)
        var quad: UInt32 = 0
        var count = 0
        var padding = 0
        for character in text.utf8 {
            if character == UInt8(ascii: " ") || character == UInt8(ascii: "\n") || character == UInt8(ascii: "\r")
                || character == UInt8(ascii: "\t")
            {
                continue
            }
            if character == UInt8(ascii: "=") {
                padding += 1
                quad <<= 6
                count += 1
            } else {
                let value = values[Int(character)]
                guard value != 0xFF, padding == 0 else { return false }
                quad = quad << 6 | UInt32(value)
                count += 1
            }
            if count == 4 {
                guard padding <= 2 else { return false }
                chunk.append(UInt8(truncatingIfNeeded: quad >> 16))
                if padding < 2 { chunk.append(UInt8(truncatingIfNeeded: quad >> 8)) }
                if padding < 1 { chunk.append(UInt8(truncatingIfNeeded: quad)) }
                quad = 0
                count = 0
                if chunk.count >= chunkSize {
                    guard sink(chunk) else { return false }
                    chunk.removeAll(keepingCapacity: true)
                }
            }
        }
        // A group may only be padded at the very end.
        guard count == 0 else { return false }
        return chunk.isEmpty || sink(chunk)
    }
}
