import CurlHTTP
import EnricherJSON
public import Logging

/// Calls FaceID `GetWebVerificationResult` (or `GetWebVerificationResultIntl`) over TC3-signed
/// HTTPS, one attempt per call.
///
/// Retrying is the caller's job (the pipeline owns the retry policy and the rate limit); what
/// this client guarantees is that every call is signed afresh with the clock's current time,
/// so a retried call never replays an old signature. Calls run concurrently over kept-alive
/// connections (``CurlHTTPClient``). Call ``shutdown()`` when done.
///
/// Logs go to the injected logger at debug level, with the request id and error code as
/// metadata; never the secret key, the signature, the session token or a media URL.
public final class FaceIDClient: Sendable {
    /// This program's version, sent in `X-TC-RequestClient`.
    public static let version = "0.1.0"

    /// The configuration this client was created with.
    public let configuration: FaceIDClientConfiguration
    private let http: CurlHTTPClient
    private let signer: TC3Signer
    private let logger: Logger

    /// A client for `configuration`; throws if the HTTP transport cannot start.
    public init(
        configuration: FaceIDClientConfiguration,
        logger: Logger = Logger(label: "faceid-enricher.tencentcloud")
    ) throws(TencentCloudConfigurationError) {
        self.configuration = configuration
        self.signer = TC3Signer(credentials: configuration.credentials, service: FaceIDAction.service)
        self.logger = logger
        let httpConfiguration = HTTPClientConfiguration(
            connectTimeout: configuration.connectTimeout,
            totalTimeout: configuration.requestTimeout,
            idleConnectionTimeout: configuration.idleConnectionTimeout,
            maximumResponseBodySize: configuration.maximumResponseSize
                ?? configuration.action.defaultMaximumResponseSize
        )
        do {
            self.http = try CurlHTTPClient(configuration: httpConfiguration)
        } catch {
            throw TencentCloudConfigurationError(
                kind: .transportUnavailable,
                message: "cannot start HTTP client: \(error)"
            )
        }
    }

    /// Fetches the result of the verification `bizToken` names, in `region` (the configured
    /// default when `nil`).
    ///
    /// Returns the API's `Response` object; a result whose `ErrorCode` is `null` (not finished
    /// yet) is a result, not an error. Throws ``TencentCloudError`` with the API's `Code`,
    /// `Message` and `RequestId` when the API answers with `Response.Error`, or a transport
    /// error (timeout, connection, non-200 status, body that is not the API's JSON, body over
    /// the cap). Its ``TencentCloudError/category`` says what to do next.
    public func getWebVerificationResult(
        bizToken: String,
        region: Region? = nil
    ) async throws(TencentCloudError) -> WebVerificationResult {
        let region = region ?? configuration.defaultRegion
        let body = JSONValue.members(["BizToken": .string(bizToken)]).serializedBytes
        let response = try await call(action: configuration.action.rawValue, region: region, payload: body)
        return WebVerificationResult(response: response)
    }

    /// Closes connections and stops the transport; calls still running or made later fail
    /// with a ``TencentCloudError/Kind/transport`` error.
    public func shutdown() async {
        await http.shutdown()
    }

    /// One signed API 3.0 call: returns the `Response` object, or throws its `Error`.
    func call(action: String, region: Region, payload: [UInt8]) async throws(TencentCloudError) -> JSONValue {
        let timestamp = configuration.clock.now()
        let request = TC3Request(
            host: configuration.endpoint.host,
            action: action,
            version: FaceIDAction.version,
            region: region.rawValue,
            language: configuration.language,
            requestClient: configuration.requestClient,
            payload: payload
        )
        let headers = signer.headers(for: request, at: timestamp)
        let httpResponse: HTTPResponse
        do {
            httpResponse = try await http.execute(
                HTTPRequest(method: .post, url: configuration.endpoint.url, headers: headers, body: payload)
            )
        } catch {
            let failure = TencentCloudError(transport: error)
            log(failure, action: action)
            throw failure
        }
        do {
            let response = try FaceIDClient.decode(httpResponse)
            logger.debug(
                "FaceID call succeeded",
                metadata: [
                    "tencentcloud.action": "\(action)",
                    "tencentcloud.request_id": "\(response["RequestId"]?.stringValue ?? "")",
                ]
            )
            return response
        } catch {
            log(error, action: action)
            throw error
        }
    }

    private func log(_ error: TencentCloudError, action: String) {
        var metadata: Logger.Metadata = [
            "tencentcloud.action": "\(action)",
            "tencentcloud.error.code": "\(error.code.rawValue)",
            "tencentcloud.error.category": "\(error.category.rawValue)",
        ]
        if let requestID = error.requestID { metadata["tencentcloud.request_id"] = "\(requestID)" }
        if let status = error.httpStatus { metadata["http.status"] = "\(status)" }
        logger.debug("FaceID call failed", metadata: metadata)
    }
}
