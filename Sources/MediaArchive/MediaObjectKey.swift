/// The deterministic key of an archived object, `PREFIX/{bizToken}/{RequestId}/best-frame.{ext}`
/// (and `video.{ext}`): a retry or a redelivery of the same result overwrites the same object
/// instead of adding another.
///
/// Every part is reduced to `A-Z a-z 0-9 _ -` (a `bizToken` already is; a `RequestId` is a UUID),
/// so nothing a response carries can climb out of the prefix or need escaping.
struct MediaObjectKey: Sendable, Hashable, CustomStringConvertible {
    /// The key below the store's root: the prefix (if any), then the parts, joined by `/`.
    var path: String

    init(prefix: String, bizToken: String, requestID: String, kind: MediaKind, fileExtension: String) {
        let parts =
            [Self.safe(bizToken), Self.safe(requestID.isEmpty ? "no-request-id" : requestID)]
            + ["\(kind.objectName).\(Self.safe(fileExtension))"]
        path = ((prefix.isEmpty ? [] : [prefix]) + parts).joined(separator: "/")
    }

    /// The key with every segment percent-encoded as S3's canonical URI wants it (unreserved
    /// characters kept, `/` kept between segments).
    var s3Encoded: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { Self.percentEncode(String($0)) }
            .joined(separator: "/")
    }

    var description: String { path }

    static func safe(_ part: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        let mapped = String(part.prefix(128).map { allowed.contains($0) ? $0 : "_" })
        return mapped.isEmpty ? "_" : mapped
    }

    /// AWS's URI encoding: `A-Z a-z 0-9 - _ . ~` as they are, every other byte as `%XX`.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
