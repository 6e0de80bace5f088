/// Why an event went to the dead-letter topic; the raw value is the `x-dlq-reason` header and a
/// metric label, both part of the contract (and what `replay --reason` filters on).
public enum DeadLetterReason: String, Sendable, Hashable, CaseIterable {
    /// The input value broke a rule of the input contract.
    case malformed
    /// The API kept failing for `retryMaxElapsed`, or failed for good with a code no status describes.
    case retriesExhausted = "retries_exhausted"
}
