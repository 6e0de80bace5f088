public import EnricherJSON

/// Fetches one web verification result from FaceID. The pipeline calls it once per attempt and
/// does the rate limiting, retrying and joining itself, so an implementation makes exactly one
/// signed API call per invocation.
public protocol VerificationFetcher: Sendable {
    /// Calls `GetWebVerificationResult` (or its Intl successor) for `bizToken` in `region` and
    /// returns the API's `Response` object verbatim. An answer carrying `Response.Error` or a
    /// transport failure is thrown as a classified ``FetchFailure``.
    func fetch(bizToken: String, region: String) async throws(FetchFailure) -> JSONValue
}
