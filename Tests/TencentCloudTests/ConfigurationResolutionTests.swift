import TencentCloud
import Testing

private let credentialsEnvironment = ["TENCENTCLOUD_SECRET_ID": "AKIDenv", "TENCENTCLOUD_SECRET_KEY": "env-key"]

@Suite("FaceID configuration: flags over environment over defaults")
struct ConfigurationResolutionTests {
    @Test("with nothing given, the contract's defaults apply")
    func defaults() throws {
        let configuration = try FaceIDClientConfiguration.resolve(
            endpoint: nil,
            region: nil,
            action: nil,
            environment: credentialsEnvironment
        )
        #expect(configuration.endpoint.url == "https://faceid.tencentcloudapi.com/")
        #expect(configuration.defaultRegion == .singapore)
        #expect(configuration.action == .getWebVerificationResult)
        #expect(configuration.credentials.secretID == "AKIDenv")
        #expect(configuration.requestClient == "faceid-enricher/\(FaceIDClient.version)")
        #expect(configuration.language == "en-US")
    }

    @Test("environment variables override defaults, flags override environment variables")
    func precedence() throws {
        var environment = credentialsEnvironment
        environment["FACEID_ENDPOINT"] = "http://127.0.0.1:9000"
        environment["TENCENTCLOUD_REGION"] = "ap-jakarta"
        environment["FACEID_ACTION"] = "GetWebVerificationResultIntl"
        let fromEnvironment = try FaceIDClientConfiguration.resolve(
            endpoint: nil,
            region: nil,
            action: nil,
            environment: environment
        )
        #expect(fromEnvironment.endpoint.host == "127.0.0.1:9000")
        #expect(fromEnvironment.defaultRegion == .jakarta)
        #expect(fromEnvironment.action == .getWebVerificationResultIntl)

        let fromFlags = try FaceIDClientConfiguration.resolve(
            endpoint: "http://127.0.0.1:9100",
            region: "ap-singapore",
            action: "GetWebVerificationResult",
            environment: environment
        )
        #expect(fromFlags.endpoint.host == "127.0.0.1:9100")
        #expect(fromFlags.defaultRegion == .singapore)
        #expect(fromFlags.action == .getWebVerificationResult)
    }

    @Test("a bad value is an error naming its flag and variable")
    func badValues() {
        func failure(endpoint: String? = nil, region: String? = nil, action: String? = nil)
            -> TencentCloudConfigurationError?
        {
            do {
                _ = try FaceIDClientConfiguration.resolve(
                    endpoint: endpoint,
                    region: region,
                    action: action,
                    environment: credentialsEnvironment
                )
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(region: "ap-tokyo")?.kind == .unsupportedRegion)
        #expect(failure(region: "ap-tokyo")?.message.hasPrefix("--region / TENCENTCLOUD_REGION: ") == true)
        #expect(failure(action: "Nope")?.kind == .unsupportedAction)
        #expect(failure(action: "Nope")?.message.hasPrefix("--action / FACEID_ACTION: ") == true)
        #expect(failure(endpoint: "faceid.tencentcloudapi.com")?.kind == .invalidEndpoint)
        #expect(failure(endpoint: "ftp://x")?.message.hasPrefix("--endpoint / FACEID_ENDPOINT: ") == true)
    }

    @Test("missing credentials are reported even when everything else is valid")
    func missingCredentials() {
        #expect(throws: TencentCloudConfigurationError.self) {
            try FaceIDClientConfiguration.resolve(endpoint: nil, region: nil, action: nil, environment: [:])
        }
    }
}
