import CurlHTTP
import EnricherJSON

extension FaceIDClient {
    /// The `Response` object of an API answer, or the error it carries.
    ///
    /// API errors arrive as HTTP 200 with `Response.Error`; any other status is a transport
    /// error whatever its body says. Bodies are never copied into errors (they may hold media).
    static func decode(_ response: HTTPResponse) throws(TencentCloudError) -> JSONValue {
        guard response.status == 200 else {
            throw TencentCloudError(
                kind: .httpStatus,
                code: .clientHTTPStatus,
                message: "HTTP status \(response.status) (\(response.contentType ?? "no content type"), "
                    + "\(response.body.count) bytes)",
                httpStatus: response.status
            )
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: response.body)
        } catch {
            throw TencentCloudError(
                kind: .invalidResponse,
                code: .clientInvalidResponse,
                message: "the response is not valid JSON (\(error.description); \(response.body.count) bytes)",
                httpStatus: response.status
            )
        }
        guard let body = document["Response"], body.objectMembers != nil else {
            throw TencentCloudError(
                kind: .invalidResponse,
                code: .clientInvalidResponse,
                message: "the response has no 'Response' object",
                httpStatus: response.status
            )
        }
        let requestID = body["RequestId"]?.stringValue
        if let error = body["Error"], error.objectMembers != nil {
            throw TencentCloudError(
                kind: .api,
                code: TencentCloudError.Code(rawValue: error["Code"]?.stringValue ?? "UnknownError"),
                message: error["Message"]?.stringValue ?? "",
                requestID: requestID,
                httpStatus: response.status
            )
        }
        return body
    }
}

extension TencentCloudError {
    /// The error for an HTTP transport failure, keeping its meaning (timeout, reset, …).
    init(transport error: HTTPClientError) {
        let (kind, code): (Kind, Code) =
            switch error.kind {
            case .timeout: (.timeout, .clientTimeout)
            case .connectFailed: (.connectionFailed, .clientConnectionFailed)
            case .connectionReset: (.connectionReset, .clientConnectionReset)
            case .bodyTooLarge: (.responseTooLarge, .clientResponseTooLarge)
            case .tls: (.tls, .clientTLS)
            case .cancelled: (.cancelled, .clientCancelled)
            case .shutdown, .invalidRequest, .other: (.transport, .clientTransport)
            }
        self.init(kind: kind, code: code, message: error.description)
    }
}
