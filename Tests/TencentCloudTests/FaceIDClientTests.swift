import EnricherJSON
import Synchronization
import TencentCloud
import TestSupport
import Testing

/// Records the requests a scripted server received.
final class RequestLog: Sendable {
    private let requests = Mutex<[LoopbackHTTPRequest]>([])
    func append(_ request: LoopbackHTTPRequest) { requests.withLock { $0.append(request) } }
    var all: [LoopbackHTTPRequest] { requests.withLock { $0 } }
}

/// A clock that advances one second per reading, to tell attempts apart.
final class TickingClock: Sendable {
    private let current: Mutex<Int64>
    init(start: Int64) { current = Mutex(start) }
    var clock: SigningClock {
        SigningClock { [self] in
            current.withLock { value in
                defer { value += 1 }; return value
            }
        }
    }
}

private let passed = """
    {"Response":{"ErrorCode":0,"ErrorMsg":"Succeed","VerificationDetailList":[{"ErrorCode":0,"Similarity":"98.50"}],\
    "VideoBestFrameUrl":"https://media.example/frame.jpg?sig=secret","VideoBestFrameMd5":"aa",\
    "VideoUrl":"https://media.example/video.mp4?sig=secret","VideoMd5":"bb","Future":1.10,"RequestId":"req-1"}}
    """

private let credentials = TencentCloudCredentials(secretID: "AKIDtest", secretKey: "test-secret-key")

private func client(
    _ server: LoopbackHTTPServer,
    action: FaceIDAction = .getWebVerificationResult,
    credentials: TencentCloudCredentials = credentials,
    clock: SigningClock = .fixed(1_700_000_000),
    maximumResponseSize: Int? = nil
) throws -> FaceIDClient {
    try FaceIDClient(
        configuration: FaceIDClientConfiguration(
            endpoint: TencentCloudEndpoint(parsing: server.baseURL),
            action: action,
            credentials: credentials,
            requestTimeout: .seconds(10),
            maximumResponseSize: maximumResponseSize,
            clock: clock
        )
    )
}

private func fetchError(_ client: FaceIDClient, bizToken: String = "PASS-1") async -> TencentCloudError? {
    do {
        _ = try await client.getWebVerificationResult(bizToken: bizToken)
        return nil
    } catch {
        return error
    }
}

@Suite("FaceIDClient against a scripted loopback server")
struct FaceIDClientTests {
    @Test("a result comes back verbatim with typed accessors, from a correctly signed request")
    func success() async throws {
        let log = RequestLog()
        try await LoopbackHTTPServer.withServer(handler: { request in
            log.append(request)
            return .json(passed)
        }) { server in
            let faceID = try client(server)
            let result = try await faceID.getWebVerificationResult(bizToken: "EE13636D-1985", region: .jakarta)
            await faceID.shutdown()

            #expect(result.response == (try JSONValue(parsing: passed))["Response"])
            #expect(result.response.serialized.contains("\"Future\":1.10"))
            #expect(result.errorCode == 0)
            #expect(result.errorMessage == "Succeed")
            #expect(result.hasVerdict)
            #expect(result.verificationDetailList?.arrayValue?.count == 1)
            #expect(result.videoBestFrameURL == "https://media.example/frame.jpg?sig=secret")
            #expect(result.videoBestFrameMD5 == "aa")
            #expect(result.videoURL == "https://media.example/video.mp4?sig=secret")
            #expect(result.videoMD5 == "bb")
            #expect(result.hasMediaURLs)
            #expect(result.requestID == "req-1")
            #expect(!result.description.contains("media.example"))

            let request = try #require(log.all.first)
            #expect(request.method == "POST")
            #expect(request.target == "/")
            #expect(String(decoding: request.body, as: UTF8.self) == #"{"BizToken":"EE13636D-1985"}"#)
            #expect(request.header("Host") == "127.0.0.1:\(server.port)")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("X-TC-Action") == "GetWebVerificationResult")
            #expect(request.header("X-TC-Version") == "2018-03-01")
            #expect(request.header("X-TC-Region") == "ap-jakarta")
            #expect(request.header("X-TC-Language") == "en-US")
            #expect(request.header("X-TC-RequestClient") == "faceid-enricher/\(FaceIDClient.version)")
            #expect(request.header("X-TC-Timestamp") == "1700000000")
            #expect(request.header("X-TC-Token") == nil)

            // Verify the signature the way a server does: recompute it from what arrived.
            let authorization = try #require(TC3Authorization(parsing: request.header("Authorization") ?? ""))
            #expect(authorization.secretID == "AKIDtest")
            let canonical = TC3Signing.canonicalRequest(
                method: request.method,
                path: request.target,
                query: "",
                signedHeaders: [
                    ("content-type", request.header("Content-Type") ?? ""), ("host", request.header("Host") ?? ""),
                ],
                payload: request.body
            )
            let toSign = TC3Signing.stringToSign(
                timestamp: 1_700_000_000,
                credentialScope: authorization.credentialScope,
                canonicalRequest: canonical
            )
            let expected = TC3Signing.signature(
                secretKey: "test-secret-key",
                timestamp: 1_700_000_000,
                service: "faceid",
                stringToSign: toSign
            )
            #expect(authorization.signature == expected)
        }
    }

    @Test("every call is signed afresh with the clock's current time")
    func freshSignaturePerAttempt() async throws {
        let log = RequestLog()
        try await LoopbackHTTPServer.withServer(handler: { request in
            log.append(request)
            return .json(#"{"Response":{"Error":{"Code":"InternalError","Message":"busy"},"RequestId":"r"}}"#)
        }) { server in
            let faceID = try client(server, clock: TickingClock(start: 1_704_067_199).clock)
            for _ in 0..<3 { _ = await fetchError(faceID) }
            await faceID.shutdown()
            let timestamps = log.all.map { $0.header("X-TC-Timestamp") }
            let authorizations = Set(log.all.compactMap { $0.header("Authorization") })
            #expect(timestamps == ["1704067199", "1704067200", "1704067201"])
            #expect(authorizations.count == 3)
            // The second attempt crossed UTC midnight: its scope is dated the new day.
            #expect(
                log.all.compactMap { TC3Authorization(parsing: $0.header("Authorization") ?? "")?.date }
                    == ["2023-12-31", "2024-01-01", "2024-01-01"]
            )
        }
    }

    @Test("the session token is sent as X-TC-Token; the Intl action and default region are used")
    func sessionTokenAndIntl() async throws {
        let log = RequestLog()
        try await LoopbackHTTPServer.withServer(handler: { request in
            log.append(request)
            return .json(#"{"Response":{"ErrorCode":null,"ErrorMsg":null,"RequestId":"r2"}}"#)
        }) { server in
            let temporary = TencentCloudCredentials(secretID: "AKIDtmp", secretKey: "k", sessionToken: "sts-token")
            let faceID = try client(server, action: .getWebVerificationResultIntl, credentials: temporary)
            let result = try await faceID.getWebVerificationResult(bizToken: "PEND1-x")
            await faceID.shutdown()
            #expect(result.errorCode == nil)
            #expect(!result.hasVerdict)
            #expect(!result.hasMediaURLs)
            let request = try #require(log.all.first)
            #expect(request.header("X-TC-Token") == "sts-token")
            #expect(request.header("X-TC-Action") == "GetWebVerificationResultIntl")
            #expect(request.header("X-TC-Region") == "ap-singapore")
        }
    }

    @Test("an API error envelope becomes a typed error with code, message and request id")
    func apiError() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in
            .json(
                #"{"Response":{"Error":{"Code":"InvalidParameterValue.BizTokenExpired","Message":"BizToken expired"},"RequestId":"req-9"}}"#
            )
        }) { server in
            let faceID = try client(server)
            let error = try #require(await fetchError(faceID))
            await faceID.shutdown()
            #expect(error.kind == .api)
            #expect(error.code == .bizTokenExpired)
            #expect(error.message == "BizToken expired")
            #expect(error.requestID == "req-9")
            #expect(error.category == .final)
            #expect(error.description == "InvalidParameterValue.BizTokenExpired: BizToken expired (RequestId req-9)")
        }
    }

    @Test("a 5xx with a non-JSON body is a retryable HTTP status error")
    func serverErrorStatus() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in .text("<html>bad gateway</html>", status: 502) }) {
            server in
            let faceID = try client(server)
            let error = try #require(await fetchError(faceID))
            await faceID.shutdown()
            #expect(error.kind == .httpStatus)
            #expect(error.httpStatus == 502)
            #expect(error.code == .clientHTTPStatus)
            #expect(error.isRetryable)
            #expect(!error.description.contains("bad gateway"))
        }
    }

    @Test("a truncated body, a dropped connection and non-JSON are retryable transport errors")
    func truncatedAndInvalid() async throws {
        try await LoopbackHTTPServer.withServer(handler: { request in
            switch request.header("X-TC-Region") {
            case "ap-jakarta":
                return LoopbackHTTPReply(body: Array(passed.utf8), ending: .truncateBody(after: 40))
            default:
                return .json(String(passed.prefix(40)))
            }
        }) { server in
            let faceID = try client(server)
            let truncated = await {
                do throws(TencentCloudError) {
                    _ = try await faceID.getWebVerificationResult(bizToken: "PASS-1", region: .jakarta)
                    return TencentCloudError?.none
                } catch { return error }
            }()
            let cutJSON = await fetchError(faceID)
            await faceID.shutdown()
            #expect(truncated?.kind == .connectionReset)
            #expect(truncated?.isRetryable == true)
            #expect(cutJSON?.kind == .invalidResponse)
            #expect(cutJSON?.isRetryable == true)
        }
        try await LoopbackHTTPServer.withServer(handler: { _ in .dropConnection }) { server in
            let faceID = try client(server)
            let dropped = await fetchError(faceID)
            await faceID.shutdown()
            #expect(dropped?.kind == .connectionReset)
        }
    }

    @Test("a response over the cap is rejected as too large")
    func oversized() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in .json(passed) }) { server in
            let faceID = try client(server, maximumResponseSize: 64)
            let error = await fetchError(faceID)
            await faceID.shutdown()
            #expect(error?.kind == .responseTooLarge)
            #expect(error?.code == .clientResponseTooLarge)
        }
    }

    @Test("JSON without a Response object is an invalid response")
    func missingEnvelope() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in .json(#"{"Result":{}}"#) }) { server in
            let faceID = try client(server)
            let error = await fetchError(faceID)
            await faceID.shutdown()
            #expect(error?.kind == .invalidResponse)
        }
    }

    @Test("errors carry no secret key, signature or session token")
    func noSecretsInErrors() async throws {
        let log = RequestLog()
        try await LoopbackHTTPServer.withServer(handler: { request in
            log.append(request)
            return .json(
                #"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"r"}}"#
            )
        }) { server in
            let temporary = TencentCloudCredentials(
                secretID: "AKIDtmp",
                secretKey: "very-secret",
                sessionToken: "tok-secret"
            )
            let faceID = try client(server, credentials: temporary)
            let error = try #require(await fetchError(faceID))
            await faceID.shutdown()
            let signature = try #require(TC3Authorization(parsing: log.all.first?.header("Authorization") ?? ""))
                .signature
            for text in [error.description, String(reflecting: error), "\(error.message)"] {
                #expect(!text.contains("very-secret"))
                #expect(!text.contains("tok-secret"))
                #expect(!text.contains(signature))
            }
            #expect(error.isHalting)
        }
    }
}
