import TencentCloud
import Testing

@Suite("Error classification table")
struct ErrorClassificationTests {
    @Test(
        "API codes map to the contract's categories",
        arguments: [
            ("ResourceUnavailable", TencentCloudError.Category.retryable),
            ("InternalError", .retryable),
            ("InternalError.Backend", .retryable),
            ("ServiceUnavailable", .retryable),
            ("RequestLimitExceeded", .rateLimited),
            ("RequestLimitExceeded.UinLimitExceeded", .rateLimited),
            ("RequestLimitExceeded.GlobalRegionUinLimitExceeded", .rateLimited),
            ("ResourceUnavailable.InArrears", .halting),
            ("ResourceUnavailable.ResourcePackageRunOut", .halting),
            ("AuthFailure", .halting),
            ("AuthFailure.SignatureFailure", .halting),
            ("AuthFailure.SignatureExpire", .halting),
            ("AuthFailure.SecretIdNotFound", .halting),
            ("UnauthorizedOperation", .halting),
            ("UnauthorizedOperation.Arrears", .halting),
            ("UnauthorizedOperation.Nonactivated", .halting),
            ("OperationDenied", .halting),
            ("OperationDenied.UserNotActivated", .halting),
            ("InvalidAction", .halting),
            ("NoSuchVersion", .halting),
            ("UnsupportedRegion", .halting),
            ("MissingParameter", .halting),
            ("InvalidParameterValue.BizTokenExpired", .final),
            ("InvalidParameterValue.BizTokenIllegal", .final),
            ("InvalidParameter", .final),
            ("InvalidParameter.RuleId", .final),
            ("InvalidParameterValue", .final),
            ("InvalidParameterValue.Other", .final),
        ]
    )
    func apiCodes(code: String, category: TencentCloudError.Category) {
        #expect(TencentCloudError.classify(code: TencentCloudError.Code(rawValue: code)) == category)
        let error = TencentCloudError(
            kind: .api,
            code: TencentCloudError.Code(rawValue: code),
            message: "m",
            httpStatus: 200
        )
        #expect(error.category == category)
        #expect(error.isRetryable == (category == .retryable || category == .rateLimited))
        #expect(error.isRateLimited == (category == .rateLimited))
        #expect(error.isHalting == (category == .halting))
        #expect(error.isFinal == (category == .final))
    }

    @Test(
        "unknown codes, and sub-codes of the bare ResourceUnavailable, are retryable within the budget",
        arguments: [
            "FailedOperation.UnKnown", "FailedOperation", "SomethingNew.Later", "ResourceUnavailable.Other",
            "RequestLimitExceededX", "AuthFailureX",
        ]
    )
    func unknownCodes(code: String) {
        #expect(TencentCloudError.classify(code: TencentCloudError.Code(rawValue: code)) == .retryable)
    }

    @Test(
        "HTTP statuses: 5xx and 408 retry, 429 slows down, other statuses halt",
        arguments: [
            (500, TencentCloudError.Category.retryable), (502, .retryable), (503, .retryable), (599, .retryable),
            (408, .retryable), (429, .rateLimited), (400, .halting), (401, .halting), (403, .halting),
            (404, .halting), (407, .halting),
        ]
    )
    func httpStatuses(status: Int, category: TencentCloudError.Category) {
        let error = TencentCloudError(kind: .httpStatus, code: .clientHTTPStatus, message: "m", httpStatus: status)
        #expect(error.category == category)
    }

    @Test("transport failures are retryable, except TLS failures, which halt")
    func transportKinds() {
        let retryable: [TencentCloudError.Kind] = [
            .timeout, .connectionFailed, .connectionReset, .invalidResponse, .responseTooLarge, .cancelled, .transport,
        ]
        for kind in retryable {
            #expect(
                TencentCloudError(kind: kind, code: .clientTransport, message: "m").category == .retryable,
                "\(kind)"
            )
        }
        #expect(TencentCloudError(kind: .tls, code: .clientTLS, message: "m").category == .halting)
    }

    @Test("codes expose their family")
    func codeFamily() {
        #expect(TencentCloudError.Code.authFailureSignatureFailure.family == "AuthFailure")
        #expect(TencentCloudError.Code.internalError.family == "InternalError")
        #expect(TencentCloudError.Code("RequestLimitExceeded.X").isInFamily("RequestLimitExceeded"))
        #expect(!TencentCloudError.Code("RequestLimitExceededX").isInFamily("RequestLimitExceeded"))
    }
}
