import Logging
import Synchronization
import TencentCloud
import TestSupport
import Testing

@Suite("FaceIDClient logging")
struct FaceIDClientLoggingTests {
    @Test("debug logs name the action, request id and error code, never a secret, signature, token or media URL")
    func logsAreClean() async throws {
        let recorder = LogRecorder()
        let logger = recorder.logger()
        let signatures = Mutex<[String]>([])
        try await LoopbackHTTPServer.withServer(handler: { request in
            if let header = request.header("Authorization"), let parsed = TC3Authorization(parsing: header) {
                signatures.withLock { $0.append(parsed.signature) }
            }
            if request.header("X-TC-Region") == "ap-jakarta" {
                return .json(
                    #"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"req-err"}}"#
                )
            }
            return .json(
                #"{"Response":{"ErrorCode":0,"ErrorMsg":"Succeed","VideoUrl":"https://media.example/v.mp4","VideoBestFrameUrl":"https://media.example/f.jpg","RequestId":"req-ok"}}"#
            )
        }) { server in
            let client = try FaceIDClient(
                configuration: FaceIDClientConfiguration(
                    endpoint: TencentCloudEndpoint(parsing: server.baseURL),
                    credentials: TencentCloudCredentials(
                        secretID: "AKIDlog",
                        secretKey: "log-secret",
                        sessionToken: "log-token"
                    )
                ),
                logger: logger
            )
            _ = try await client.getWebVerificationResult(bizToken: "PASS-1")
            do throws(TencentCloudError) {
                _ = try await client.getWebVerificationResult(bizToken: "PASS-2", region: .jakarta)
                Issue.record("the API error was not thrown")
            } catch {
                #expect(error.code == .authFailureSignatureFailure)
            }
            await client.shutdown()
        }
        let lines = recorder.recorded
        #expect(lines.count == 2)
        #expect(lines.contains { $0.contains("tencentcloud.request_id=req-ok") })
        #expect(
            lines.contains {
                $0.contains("tencentcloud.error.code=AuthFailure.SignatureFailure") && $0.contains("req-err")
            }
        )
        let forbidden = ["log-secret", "log-token", "media.example"] + signatures.withLock { $0 }
        #expect(forbidden.count == 5)
        for line in lines {
            for secret in forbidden {
                #expect(!line.contains(secret), "\(line)")
            }
        }
    }
}
