import ArgumentParser
import TencentCloud

/// The FaceID flags shared by `fetch` and `run`: `--endpoint`, `--region`, `--action`.
///
/// Values stay optional so that a flag always wins and an absent one falls through to its
/// environment variable and then the default;
/// ``FaceIDClientConfiguration/resolve(endpoint:region:action:environment:)`` does that, with
/// the credentials, which come only from the environment or the profile file.
struct FaceIDOptions: ParsableArguments {
    @Option(help: "FaceID API base URL (env FACEID_ENDPOINT, default https://faceid.tencentcloudapi.com).")
    var endpoint: String?

    @Option(help: "Default region, ap-jakarta or ap-singapore (env TENCENTCLOUD_REGION, default ap-singapore).")
    var region: String?

    @Option(
        help: ArgumentHelp(
            "GetWebVerificationResult or GetWebVerificationResultIntl "
                + "(env FACEID_ACTION, default GetWebVerificationResult)."
        )
    )
    var action: String?

    /// The client configuration: these flags over `environment` over defaults, plus credentials
    /// from `TENCENTCLOUD_SECRET_ID`/`_KEY`/`_SESSION_TOKEN` or the profile file.
    func clientConfiguration(environment: [String: String]) throws(TencentCloudConfigurationError)
        -> FaceIDClientConfiguration
    {
        try FaceIDClientConfiguration.resolve(
            endpoint: endpoint,
            region: region,
            action: action,
            environment: environment
        )
    }
}
