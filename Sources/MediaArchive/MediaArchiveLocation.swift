import Foundation

/// Where archived media goes, as `--media-archive` names it: an S3-compatible bucket and key
/// prefix (`s3://BUCKET/PREFIX`), or a local directory (`file:///DIR`).
public enum MediaArchiveLocation: Sendable, Hashable, CustomStringConvertible {
    /// A bucket of an S3-compatible store, objects under `prefix` (no leading or trailing `/`;
    /// empty for the bucket's root).
    case s3(bucket: String, prefix: String)
    /// A directory (absolute path, no trailing `/`), objects in sub-directories of it.
    case file(directory: String)

    /// Parses `s3://BUCKET[/PREFIX]` or `file:///DIR`; throws with a message naming the form expected.
    public init(parsing text: String) throws(MediaArchiveConfigurationError) {
        let trimmed = text.trimmingWhitespace
        if trimmed.hasPrefix("s3://") {
            let rest = trimmed.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            guard Self.isValidBucketName(bucket) else {
                throw MediaArchiveConfigurationError(
                    "invalid --media-archive '\(text)': '\(bucket)' is not an S3 bucket name "
                        + "(3-63 characters: lower-case letters, digits, '.', '-')"
                )
            }
            let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
            guard !prefix.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
                throw MediaArchiveConfigurationError(
                    "invalid --media-archive '\(text)': the prefix must not contain '.' or '..'"
                )
            }
            self = .s3(bucket: bucket, prefix: prefix)
        } else if trimmed.hasPrefix("file://") {
            let path = String(trimmed.dropFirst("file://".count))
            guard path.hasPrefix("/"), path.count > 1 else {
                throw MediaArchiveConfigurationError(
                    "invalid --media-archive '\(text)': a file archive is file:///ABSOLUTE/DIR (three slashes)"
                )
            }
            // Decoded first, so that an encoded `%2E%2E` is refused like `..`.
            guard let decoded = path.removingPercentEncoding,
                !decoded.split(separator: "/").contains(where: { $0 == "." || $0 == ".." })
            else {
                throw MediaArchiveConfigurationError(
                    "invalid --media-archive '\(text)': the directory must be a plain absolute path"
                )
            }
            self = .file(directory: "/" + decoded.split(separator: "/").joined(separator: "/"))
        } else {
            throw MediaArchiveConfigurationError(
                "invalid --media-archive '\(text)': expected s3://BUCKET/PREFIX or file:///DIR"
            )
        }
    }

    /// The URI form, as parsed.
    public var description: String {
        switch self {
        case .s3(let bucket, let prefix): prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
        case .file(let directory): "file://\(directory)"
        }
    }

    /// S3's rules for new buckets: 3–63 of `a-z 0-9 . -`, starting and ending with a letter or digit.
    static func isValidBucketName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(name.count), name.allSatisfy({ allowed.contains($0) }),
            let first = name.first, let last = name.last, first != "." && first != "-", last != "." && last != "-"
        else { return false }
        return !name.contains("..")
    }
}

/// A media archive setting that cannot be used, with the one line to print before exiting.
public struct MediaArchiveConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The line.
    public var message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    /// The line.
    public var description: String { message }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s = s.dropFirst() }
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
