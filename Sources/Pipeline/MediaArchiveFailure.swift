/// Why a result's media could not be archived, classified so the pipeline knows what to do next
/// without knowing HTTP, S3 or file systems.
///
/// The classification reuses ``FetchFailure/Kind``: ``FetchFailure/Kind/retryable`` for the media
/// itself (an MD5 mismatch, a truncated body, 404, 5xx, a URL that is not https) — retried with
/// backoff within `--retry-max-elapsed`, then dead-lettered as `retries_exhausted`; and
/// ``FetchFailure/Kind/halting`` for the store (unreachable, bucket missing, access denied) — the
/// event is held, readiness fails, and the store is retried with long backoff, like bad
/// credentials. ``needsFreshURLs`` says the URLs expired (or answered 403): the pipeline asks the
/// API again before the next try.
public struct MediaArchiveFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Retried with backoff (``FetchFailure/Kind/retryable``) or held (``FetchFailure/Kind/halting``).
    public var kind: FetchFailure.Kind
    /// The media URLs are no good any more: fetch the result again for fresh ones.
    public var needsFreshURLs: Bool
    /// A short code from a bounded set (`Media.MD5Mismatch`, `Store.AccessDenied`, …): the halt
    /// code `/readyz` shows and the start of `x-dlq-error`.
    public var code: String
    /// What went wrong, in one line. Never a URL, a query string, a key or a signature.
    public var message: String

    /// A failure of `kind` with `code` and `message`.
    public init(kind: FetchFailure.Kind, code: String, message: String, needsFreshURLs: Bool = false) {
        self.kind = kind
        self.code = code
        self.message = message
        self.needsFreshURLs = needsFreshURLs
    }

    /// The same failure as the pipeline's ``FetchFailure``, for halting, logs and the DLQ.
    public var fetchFailure: FetchFailure { FetchFailure(kind: kind, code: code, message: message) }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
