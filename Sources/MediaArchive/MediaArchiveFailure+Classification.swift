import CurlHTTP
import Foundation
import Pipeline

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one table that turns what went wrong while archiving into the pipeline's classification.
///
/// The media's own faults are ``FetchFailure/Kind/retryable`` (backoff, then the DLQ): the bytes
/// may arrive whole next time, and expired URLs are replaced. The store's faults that an operator
/// must fix — unreachable, TLS, missing bucket or directory, access denied, no space — are
/// ``FetchFailure/Kind/halting`` (the event is held and readiness fails, like bad API credentials);
/// the store's transient faults (5xx, `SlowDown`, timeouts, a body corrupted in transit) are
/// retryable. Codes come from a bounded set; messages never hold a URL, query string or key.
extension MediaArchiveFailure {
    /// The downloaded bytes do not have the MD5 Tencent reported.
    static func md5Mismatch(_ kind: MediaKind) -> MediaArchiveFailure {
        MediaArchiveFailure(
            kind: .retryable,
            code: "Media.MD5Mismatch",
            message: "\(kind.rawValue): the downloaded bytes' MD5 differs from \(kind.md5Member)"
        )
    }

    /// The media URL's scheme is not allowed (https only, unless the API endpoint is http).
    static func insecureURL(_ kind: MediaKind) -> MediaArchiveFailure {
        MediaArchiveFailure(
            kind: .retryable,
            code: "Media.InsecureURL",
            message: "\(kind.rawValue): the media URL is not https (http is allowed only with an http --endpoint)"
        )
    }

    /// The URLs are past `mediaExpiresAt` (or too close to it to start a download).
    static func expired(_ kind: MediaKind) -> MediaArchiveFailure {
        MediaArchiveFailure(
            kind: .retryable,
            code: "Media.URLExpired",
            message: "\(kind.rawValue): the media URL expired before the download could begin",
            needsFreshURLs: true
        )
    }

    /// The Intl action's inline media is not valid base64.
    static func invalidBase64(_ kind: MediaKind) -> MediaArchiveFailure {
        MediaArchiveFailure(
            kind: .retryable,
            code: "Media.InvalidBase64",
            message: "\(kind.rawValue): \(kind.base64Member) is not valid base64"
        )
    }

    /// The media host answered `status` instead of the media.
    static func downloadStatus(_ status: Int, _ kind: MediaKind) -> MediaArchiveFailure {
        switch status {
        case 403:
            // COS answers 403 for an expired signature: ask the API for fresh URLs.
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Media.Forbidden",
                message: "\(kind.rawValue): the media URL answered HTTP 403 (expired or revoked)",
                needsFreshURLs: true
            )
        case 404:
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Media.NotFound",
                message: "\(kind.rawValue): the media URL answered HTTP 404"
            )
        default:
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Media.HTTPStatus",
                message: "\(kind.rawValue): the media URL answered HTTP \(status)"
            )
        }
    }

    /// The download produced no complete body.
    static func download(_ error: HTTPClientError, _ kind: MediaKind) -> MediaArchiveFailure {
        // libcurl's own text may name the host: only the kind and the code are kept.
        let curl = error.curlCode.map { " (curl code \($0))" } ?? ""
        switch error.kind {
        case .connectionReset:
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Media.Truncated",
                message: "\(kind.rawValue): the download ended before the whole body arrived\(curl)"
            )
        case .bodyTooLarge:
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Media.TooLarge",
                message: "\(kind.rawValue): \(error.message)"
            )
        default:
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Media.Download",
                message: "\(kind.rawValue): the download failed: \(error.kind.rawValue)\(curl)"
            )
        }
    }

    /// A local file operation on the staging area failed (disk full, permissions): the host needs an operator.
    static func staging(_ operation: String, errno code: Int32) -> MediaArchiveFailure {
        MediaArchiveFailure(
            kind: .halting,
            code: "Staging.IOError",
            message: "cannot \(operation): \(describe(errno: code))"
        )
    }

    /// A file store operation failed with `errno`.
    static func fileStore(_ operation: String, errno code: Int32) -> MediaArchiveFailure {
        let storeCode: String
        switch code {
        case EACCES, EPERM, EROFS: storeCode = "Store.AccessDenied"
        case ENOSPC, EDQUOT: storeCode = "Store.NoSpace"
        case ENOENT, ENOTDIR: storeCode = "Store.NoSuchDirectory"
        default: storeCode = "Store.IOError"
        }
        return MediaArchiveFailure(
            kind: .halting,
            code: storeCode,
            message: "cannot \(operation): \(describe(errno: code))"
        )
    }

    /// The S3 request produced no response.
    static func s3Transport(_ error: HTTPClientError) -> MediaArchiveFailure {
        let curl = error.curlCode.map { " (curl code \($0))" } ?? ""
        switch error.kind {
        case .connectFailed, .tls:
            return MediaArchiveFailure(
                kind: .halting,
                code: error.kind == .tls ? "Store.TLS" : "Store.Unreachable",
                message: "the store cannot be reached: \(error.kind.rawValue)\(curl)"
            )
        case .invalidRequest:
            return MediaArchiveFailure(kind: .halting, code: "Store.InvalidRequest", message: error.message)
        default:
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Store.Transfer",
                message: "the upload failed: \(error.kind.rawValue)\(curl)"
            )
        }
    }

    /// S3 codes that an operator must fix (credentials, policy, bucket, region, clock).
    static let haltingS3Codes: Set<String> = [
        "AccessDenied", "AccountProblem", "AllAccessDisabled", "AuthorizationHeaderMalformed", "ExpiredToken",
        "InvalidAccessKeyId", "InvalidBucketName", "InvalidToken", "NoSuchBucket", "PermanentRedirect",
        "RequestTimeTooSkewed", "SignatureDoesNotMatch", "TokenRefreshRequired", "InvalidBucketState",
        "KMS.AccessDeniedException", "KMS.DisabledException", "NotSignedUp", "QuotaExceeded",
    ]

    /// S3 codes worth another try soon.
    static let retryableS3Codes: Set<String> = [
        "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "BadDigest",
        "XAmzContentSHA256Mismatch", "IncompleteBody", "OperationAborted",
    ]

    /// The S3 answer `status` with the error document `body`.
    static func s3Status(_ status: Int, body: [UInt8]) -> MediaArchiveFailure {
        let document = String(decoding: body.prefix(16 * 1024), as: UTF8.self)
        let s3Code = element("Code", in: document)
        let s3Message = element("Message", in: document).map { String($0.prefix(200)) }
        let detail = "HTTP \(status)" + (s3Code.map { " \($0)" } ?? "") + (s3Message.map { ": \($0)" } ?? "")
        if let s3Code, retryableS3Codes.contains(s3Code) {
            return MediaArchiveFailure(
                kind: .retryable,
                code: "Store.\(s3Code)",
                message: "the store answered \(detail)"
            )
        }
        if let s3Code, haltingS3Codes.contains(s3Code) {
            return MediaArchiveFailure(kind: .halting, code: "Store.\(s3Code)", message: "the store answered \(detail)")
        }
        // Unknown codes: a 5xx is the store's passing trouble; anything else is taken as a
        // configuration problem, held rather than dead-lettered (the media itself is fine).
        let kind: FetchFailure.Kind = status >= 500 ? .retryable : .halting
        return MediaArchiveFailure(kind: kind, code: "Store.HTTP\(status)", message: "the store answered \(detail)")
    }

    /// The text of the first `<name>…</name>` in `document`, single-lined.
    static func element(_ name: String, in document: String) -> String? {
        guard let open = document.range(of: "<\(name)>"),
            let close = document.range(of: "</\(name)>", range: open.upperBound..<document.endIndex)
        else { return nil }
        let text = document[open.upperBound..<close.lowerBound].split(whereSeparator: \.isNewline).joined(
            separator: " "
        )
        return text.isEmpty ? nil : text
    }

    static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
