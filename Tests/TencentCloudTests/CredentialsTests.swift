import Foundation
import TencentCloud
import Testing

/// A temporary directory removed when the test ends.
private func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "tc-credentials-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

private func configurationError(_ environment: [String: String]) -> TencentCloudConfigurationError? {
    do {
        _ = try TencentCloudCredentials.resolve(environment: environment)
        return nil
    } catch {
        return error
    }
}

@Suite("Credentials")
struct CredentialsTests {
    @Test("the environment variables win, with the optional session token")
    func fromEnvironment() throws {
        let credentials = try TencentCloudCredentials.resolve(environment: [
            "TENCENTCLOUD_SECRET_ID": "AKIDenv",
            "TENCENTCLOUD_SECRET_KEY": "env-key",
            "TENCENTCLOUD_SESSION_TOKEN": "env-token",
            "TENCENTCLOUD_CREDENTIALS_FILE": "/nonexistent/file",
        ])
        #expect(
            credentials == TencentCloudCredentials(secretID: "AKIDenv", secretKey: "env-key", sessionToken: "env-token")
        )
        let permanent = try TencentCloudCredentials.resolve(environment: [
            "TENCENTCLOUD_SECRET_ID": "AKIDenv", "TENCENTCLOUD_SECRET_KEY": "env-key", "TENCENTCLOUD_SESSION_TOKEN": "",
        ])
        #expect(permanent.sessionToken == nil)
    }

    @Test("only one of the two variables set is an error naming the other")
    func halfSet() {
        let noKey = configurationError(["TENCENTCLOUD_SECRET_ID": "AKIDenv"])
        #expect(noKey?.kind == .missingCredentials)
        #expect(noKey?.message == "TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not")
        let noID = configurationError(["TENCENTCLOUD_SECRET_KEY": "env-key"])
        #expect(noID?.message == "TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is not")
        #expect(noID?.message.contains("env-key") == false)
    }

    @Test("the default profile file under HOME is read")
    func profileUnderHome() throws {
        try withTemporaryDirectory { home in
            try FileManager.default.createDirectory(atPath: home + "/.tencentcloud", withIntermediateDirectories: true)
            let text = """
                # comment
                [other]
                secret_id = AKIDother
                secret_key = other-key

                [default]
                secret_id = AKIDfile
                  secret_key=file-key  
                """
            try text.write(toFile: home + "/.tencentcloud/credentials", atomically: true, encoding: .utf8)
            let credentials = try TencentCloudCredentials.resolve(environment: ["HOME": home])
            #expect(credentials == TencentCloudCredentials(secretID: "AKIDfile", secretKey: "file-key"))
        }
    }

    @Test("TENCENTCLOUD_CREDENTIALS_FILE names another profile file")
    func namedProfileFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/creds.ini"
            try "[default]\nsecret_id = AKIDnamed\nsecret_key = named-key\n".write(
                toFile: path,
                atomically: true,
                encoding: .utf8
            )
            let credentials = try TencentCloudCredentials.resolve(environment: [
                "HOME": "/nonexistent", "TENCENTCLOUD_CREDENTIALS_FILE": path,
            ])
            #expect(credentials.secretID == "AKIDnamed")
            #expect(credentials.secretKey == "named-key")
        }
    }

    @Test("no credentials anywhere is a typed error naming the variables and the file")
    func missing() throws {
        try withTemporaryDirectory { home in
            let error = configurationError(["HOME": home])
            #expect(error?.kind == .missingCredentials)
            #expect(error?.message.contains("TENCENTCLOUD_SECRET_ID") == true)
            #expect(error?.message.contains("TENCENTCLOUD_SECRET_KEY") == true)
            #expect(error?.message.contains(home + "/.tencentcloud/credentials") == true)
        }
        #expect(configurationError([:])?.kind == .missingCredentials)
    }

    @Test("a named file that is missing, or a profile without a key, is an invalid profile file")
    func invalidProfile() throws {
        let missingFile = configurationError(["TENCENTCLOUD_CREDENTIALS_FILE": "/nonexistent/creds"])
        #expect(missingFile?.kind == .invalidProfileFile)
        #expect(missingFile?.message == "cannot read the credentials file /nonexistent/creds")
        try withTemporaryDirectory { directory in
            let path = directory + "/creds"
            try "[default]\nsecret_id = AKIDx\n[other]\nsecret_key = k-other\n".write(
                toFile: path,
                atomically: true,
                encoding: .utf8
            )
            let error = configurationError(["TENCENTCLOUD_CREDENTIALS_FILE": path])
            #expect(error?.kind == .invalidProfileFile)
            #expect(error?.message == "the credentials file \(path) has no secret_key in its [default] section")
            #expect(error?.message.contains("k-other") == false)
        }
    }

    @Test("descriptions, debug descriptions and dumps redact the secret key and the token")
    func redaction() {
        let credentials = TencentCloudCredentials(
            secretID: "AKIDshown",
            secretKey: "hidden-key",
            sessionToken: "hidden-token"
        )
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped] {
            #expect(text.contains("AKIDshown"))
            #expect(!text.contains("hidden-key"))
            #expect(!text.contains("hidden-token"))
            #expect(text.contains("<redacted>"))
        }
    }
}

@Suite("Region, action and endpoint validation")
struct ValidationTests {
    @Test("only ap-jakarta and ap-singapore are regions")
    func regions() throws {
        #expect(try Region(validating: "ap-jakarta") == .jakarta)
        #expect(try Region(validating: "ap-singapore") == .singapore)
        #expect(Region(rawValue: "ap-guangzhou") == nil)
        #expect(throws: TencentCloudConfigurationError.self) { try Region(validating: "AP-SINGAPORE") }
        do {
            _ = try Region(validating: "ap-tokyo")
            Issue.record("ap-tokyo was accepted")
        } catch {
            #expect(error.kind == .unsupportedRegion)
            #expect(error.message == "unsupported region 'ap-tokyo' (supported: ap-jakarta, ap-singapore)")
        }
    }

    @Test("both actions are accepted by name, anything else is not")
    func actions() throws {
        #expect(try FaceIDAction(validating: "GetWebVerificationResult") == .getWebVerificationResult)
        #expect(try FaceIDAction(validating: "GetWebVerificationResultIntl") == .getWebVerificationResultIntl)
        #expect(throws: TencentCloudConfigurationError.self) { try FaceIDAction(validating: "DetectAuth") }
        #expect(
            FaceIDAction.getWebVerificationResultIntl.documentedEndpoint == "https://faceid.intl.tencentcloudapi.com"
        )
    }

    @Test("endpoints yield the signed host[:port]; paths, credentials and other schemes are refused")
    func endpoints() throws {
        let official = try TencentCloudEndpoint(parsing: "https://faceid.tencentcloudapi.com")
        #expect(official.host == "faceid.tencentcloudapi.com")
        #expect(official.url == "https://faceid.tencentcloudapi.com/")
        let local = try TencentCloudEndpoint(parsing: "http://127.0.0.1:9000/")
        #expect(local.host == "127.0.0.1:9000")
        #expect(local.url == "http://127.0.0.1:9000/")
        for bad in [
            "faceid.tencentcloudapi.com", "ftp://x", "https://", "https://user:pw@host", "https://h/path", "http://h:",
        ] {
            #expect(throws: TencentCloudConfigurationError.self, "\(bad)") { try TencentCloudEndpoint(parsing: bad) }
        }
    }
}
