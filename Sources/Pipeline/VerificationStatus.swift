/// The `status` of an enriched result event, the field downstream consumers branch on.
/// The raw values are part of the product contract.
public enum VerificationStatus: String, Sendable, Hashable, CaseIterable {
    /// `result.ErrorCode == 0`.
    case passed
    /// `result.ErrorCode` is a number other than 0.
    case failed
    /// `result.ErrorCode` stayed `null` through the retry budget: the person never finished.
    case incomplete
    /// The API answered `InvalidParameterValue.BizTokenExpired`.
    case expired
    /// The API answered `InvalidParameterValue.BizTokenIllegal`, `InvalidParameter` or another
    /// `InvalidParameterValue*` code.
    case invalidToken = "invalid_token"

    /// The status a final API error code maps to, or `nil` when the code is not one the output
    /// event can describe (it then goes to the dead-letter topic).
    public init?(finalErrorCode code: String) {
        if code == "InvalidParameterValue.BizTokenExpired" {
            self = .expired
        } else if code == "InvalidParameter" || code == "InvalidParameterValue"
            || code.hasPrefix("InvalidParameterValue.") || code.hasPrefix("InvalidParameter.")
        {
            self = .invalidToken
        } else {
            return nil
        }
    }
}
