extension TencentCloudError {
    /// What the pipeline does with an event whose call failed with an error of this category
    /// (CONTRACT.md, "Transient failures" and "Errors that stop progress").
    public enum Category: String, Sendable, Hashable, CaseIterable {
        /// Transient: retry with backoff within the event's retry budget, then DLQ
        /// (`retries_exhausted`).
        case retryable
        /// The `RequestLimitExceeded` family: retryable, and the caller should also slow down.
        case rateLimited
        /// The service is misconfigured or the account cannot be served: produce nothing, hold
        /// the events uncommitted, report not-ready, retry with long backoff.
        case halting
        /// A definitive answer for this BizToken (expired, illegal, invalid): publish it.
        case final
    }

    /// How a rule in ``classificationTable`` matches a code.
    enum Match: Sendable {
        /// Exactly this code.
        case exact(String)
        /// This code or any dotted sub-code of it (`RequestLimitExceeded`, `RequestLimitExceeded.X`).
        case family(String)
        /// Any code starting with this text (`InvalidParameter` also covers `InvalidParameterValue.X`).
        case prefix(String)

        func matches(_ code: Code) -> Bool {
            switch self {
            case .exact(let text): return code.rawValue == text
            case .family(let text): return code.isInFamily(text)
            case .prefix(let text): return code.rawValue.hasPrefix(text)
            }
        }
    }

    /// THE classification of API error codes: the first matching rule wins, so exact codes that
    /// differ from their family come before the family.
    ///
    /// Codes no rule matches (say `FailedOperation.UnKnown`, or a code Tencent adds later) are
    /// ``Category/retryable``: the event is retried within its budget and then goes to the DLQ
    /// with the code in `x-dlq-error`, where an operator sees it and can `replay` it. That is
    /// what on-call wants from a code nobody has seen: not a silent drop (there is no status to
    /// publish it under), not a stop of the whole pipeline for one token, and a self-healing
    /// retry when it was a transient server-side failure (as `FailedOperation.UnKnown` is).
    static let classificationTable: [(match: Match, category: Category)] = [
        // Billing: the bare ResourceUnavailable is transient, these sub-codes are not.
        (.exact("ResourceUnavailable.InArrears"), .halting),
        (.exact("ResourceUnavailable.ResourcePackageRunOut"), .halting),
        (.exact("ResourceUnavailable"), .retryable),
        // Rate limiting, the whole family.
        (.family("RequestLimitExceeded"), .rateLimited),
        // Server-side trouble.
        (.family("InternalError"), .retryable),
        (.family("ServiceUnavailable"), .retryable),
        // Our configuration or account: every event would fail the same way.
        (.family("AuthFailure"), .halting),
        (.prefix("UnauthorizedOperation"), .halting),
        (.prefix("OperationDenied"), .halting),
        (.exact("InvalidAction"), .halting),
        (.exact("ActionOffline"), .halting),
        (.exact("NoSuchVersion"), .halting),
        (.exact("UnsupportedRegion"), .halting),
        (.family("MissingParameter"), .halting),
        (.exact("UnknownParameter"), .halting),
        // Definitive answers about the BizToken.
        (.exact("InvalidParameterValue.BizTokenExpired"), .final),
        (.exact("InvalidParameterValue.BizTokenIllegal"), .final),
        (.prefix("InvalidParameter"), .final),
    ]

    /// The category of an API error code, by ``classificationTable``; unknown codes are
    /// ``Category/retryable`` (see the table's documentation for why).
    public static func classify(code: Code) -> Category {
        classificationTable.first { $0.match.matches(code) }?.category ?? .retryable
    }

    /// The category of a non-200 HTTP answer without the API's envelope.
    ///
    /// 5xx and 408 are transient, 429 is rate limiting. Any other status (401/403 from a proxy
    /// or firewall, 404 from a wrong `--endpoint`) would repeat for every event: halting, so an
    /// operator is alerted instead of every event going to the DLQ.
    public static func classify(httpStatus: Int) -> Category {
        switch httpStatus {
        case 500...599, 408: return .retryable
        case 429: return .rateLimited
        default: return .halting
        }
    }
}
