extension FaceIDClientConfiguration {
    /// `FACEID_ENDPOINT`: the API base URL when `--endpoint` is not given.
    public static let endpointVariable = "FACEID_ENDPOINT"
    /// `TENCENTCLOUD_REGION`: the default region when `--region` is not given.
    public static let regionVariable = "TENCENTCLOUD_REGION"
    /// `FACEID_ACTION`: the action when `--action` is not given.
    public static let actionVariable = "FACEID_ACTION"
    /// The default endpoint, `https://faceid.tencentcloudapi.com`.
    public static let defaultEndpoint = FaceIDAction.getWebVerificationResult.documentedEndpoint

    /// Resolves the FaceID settings the way every subcommand does: a flag (non-`nil`
    /// argument) wins over its environment variable, which wins over the contract's default;
    /// then validates each and resolves the credentials from `environment`.
    ///
    /// Errors name the flag and the variable the bad value came from, and never a secret; the
    /// executable prints the message and exits 2.
    public static func resolve(
        endpoint: String?,
        region: String?,
        action: String?,
        environment: [String: String]
    ) throws(TencentCloudConfigurationError) -> FaceIDClientConfiguration {
        func pick(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag.trimmingSpaces }
            if let value = environment[variable]?.trimmingSpaces, !value.isEmpty { return value }
            return nil
        }
        func named(_ error: TencentCloudConfigurationError, _ flag: String, _ variable: String)
            -> TencentCloudConfigurationError
        {
            TencentCloudConfigurationError(kind: error.kind, message: "\(flag) / \(variable): \(error.message)")
        }

        let parsedEndpoint: TencentCloudEndpoint
        do {
            parsedEndpoint = try TencentCloudEndpoint(parsing: pick(endpoint, endpointVariable) ?? defaultEndpoint)
        } catch {
            throw named(error, "--endpoint", endpointVariable)
        }
        let parsedRegion: Region
        do {
            parsedRegion = try Region(validating: pick(region, regionVariable) ?? Region.singapore.rawValue)
        } catch {
            throw named(error, "--region", regionVariable)
        }
        let parsedAction: FaceIDAction
        do {
            parsedAction = try FaceIDAction(
                validating: pick(action, actionVariable) ?? FaceIDAction.getWebVerificationResult.rawValue
            )
        } catch {
            throw named(error, "--action", actionVariable)
        }
        let credentials = try TencentCloudCredentials.resolve(environment: environment)
        return FaceIDClientConfiguration(
            endpoint: parsedEndpoint,
            action: parsedAction,
            credentials: credentials,
            defaultRegion: parsedRegion
        )
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
