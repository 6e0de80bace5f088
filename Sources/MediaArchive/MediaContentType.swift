/// The content type and file extension of a stored object: from the download's `Content-Type`,
/// or, when that is missing or generic (`application/octet-stream`, inline base64), from the
/// first bytes (JPEG, PNG, WebP, MP4/QuickTime, WebM).
struct MediaContentType: Sendable, Hashable {
    var contentType: String
    var fileExtension: String

    private static let known: [String: String] = [
        "image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif",
        "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv",
        "video/3gpp": "3gp",
    ]

    /// The type for a body announced as `header` (may be `nil`) starting with `leadingBytes`.
    static func resolve(header: String?, leadingBytes: [UInt8]) -> MediaContentType {
        let announced = header?.split(separator: ";").first.map { String($0).trimmingWhitespace.lowercased() }
        if let announced, let fileExtension = known[announced] {
            return MediaContentType(
                contentType: announced == "image/jpg" ? "image/jpeg" : announced,
                fileExtension: fileExtension
            )
        }
        if let sniffed = sniff(leadingBytes) { return sniffed }
        return MediaContentType(contentType: "application/octet-stream", fileExtension: "bin")
    }

    /// The type the magic numbers at the start of a file say, if any.
    static func sniff(_ bytes: [UInt8]) -> MediaContentType? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + magic.count && Array(bytes[offset..<offset + magic.count]) == magic
        }
        if starts([0xFF, 0xD8, 0xFF]) { return MediaContentType(contentType: "image/jpeg", fileExtension: "jpg") }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return MediaContentType(contentType: "image/png", fileExtension: "png") }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) {
            return MediaContentType(contentType: "image/webp", fileExtension: "webp")
        }
        if starts(Array("ftypqt".utf8), at: 4) {
            return MediaContentType(contentType: "video/quicktime", fileExtension: "mov")
        }
        if starts(Array("ftyp".utf8), at: 4) { return MediaContentType(contentType: "video/mp4", fileExtension: "mp4") }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) {
            return MediaContentType(contentType: "video/webm", fileExtension: "webm")
        }
        return nil
    }
}
