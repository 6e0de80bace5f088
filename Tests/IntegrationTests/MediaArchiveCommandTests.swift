import Enricher
import Foundation
import Logging
import MediaArchive
import TencentCloud
import TestSupport
import Testing

/// `--media-archive` as an operator meets it: flags resolved over the environment, one clear line for
/// a bad value, http media URLs only with an http `--endpoint`, and the demo's archive read back.
@Suite("Media archive: the run command's flags and the demo")
struct MediaArchiveCommandTests {
    static let variables: Set<String> = [
        "MEDIA_ARCHIVE", "S3_ENDPOINT", "S3_ADDRESSING", "MEDIA_CONCURRENCY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "TENCENTCLOUD_CREDENTIALS_FILE",
    ]

    @Test("http media URLs are allowed only when --endpoint is http (the simulator); flags win over the environment")
    func plainHTTPFollowsTheEndpoint() throws {
        var options = RunOptions()
        options.mediaArchive = "file:///var/lib/faceid"
        options.mediaConcurrency = "4"
        let environment = ["MEDIA_ARCHIVE": "file:///tmp", "MEDIA_CONCURRENCY": "9"]
        let production = try #require(
            try MediaArchiveConfiguration.resolve(
                options,
                environment: environment,
                faceIDEndpoint: try TencentCloudEndpoint(parsing: "https://faceid.tencentcloudapi.com")
            )
        )
        #expect(!production.allowsPlainHTTPMediaURLs)
        #expect(production.store == .file(directory: "/var/lib/faceid"))
        #expect(production.concurrency == 4)
        let simulator = try #require(
            try MediaArchiveConfiguration.resolve(
                RunOptions(),
                environment: environment,
                faceIDEndpoint: try TencentCloudEndpoint(parsing: "http://127.0.0.1:9000")
            )
        )
        #expect(simulator.allowsPlainHTTPMediaURLs)
        #expect(simulator.store == .file(directory: "/tmp"))
        #expect(simulator.concurrency == 9)
        #expect(
            try MediaArchiveConfiguration.resolve(
                RunOptions(),
                environment: [:],
                faceIDEndpoint: try TencentCloudEndpoint(parsing: "http://127.0.0.1:9000")
            ) == nil,
            "off by default"
        )
    }

    @Test(
        "run: a bad --media-archive, or s3:// without AWS keys, is one line on stderr and exit 2",
        .enabled("needs the faceid-enricher executable (swift build)") { EnricherProcess.binaryPath != nil },
        arguments: [
            (["--media-archive", "ftp://evidence"], "expected s3://BUCKET/PREFIX or file:///DIR"),
            (["--media-archive", "s3://kyc-evidence/faceid"], "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            (["--media-archive", "file:///tmp", "--media-concurrency", "0"], "--media-concurrency / MEDIA_CONCURRENCY"),
        ]
    )
    func badSettingsExitTwo(arguments: [String], message: String) async throws {
        let outcome = try await EnricherProcess.run(
            ["run", "--brokers", "127.0.0.1:9", "--http-port", "0"] + arguments,
            environment: ["TENCENTCLOUD_SECRET_ID": "AKIDcommandtest", "TENCENTCLOUD_SECRET_KEY": "command-test-key"],
            removingEnvironment: Self.variables,
            timeout: .seconds(30)
        )
        #expect(outcome.status == .exited(2), "stderr: \(outcome.standardError)")
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(outcome.standardError)")
        #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
    }
}

extension PipelineEndToEndTests {
    /// The demo, in process: its summary counts the objects it read back from its temporary archive.
    @Suite("Demo: media archive")
    struct DemoMediaTests {
        @Test("the demo archives every result's media into a temporary directory and verifies each object")
        func demoArchivesAndVerifies() async throws {
            let runner = DemoRunner(
                eventCount: 12,
                malformedCount: 1,
                progress: { _ in },
                logger: Logger(label: "demo-test") { _ in SwiftLogNoOpLogHandler() }
            )
            let report = try await runner.run(timeout: .seconds(120))
            let media = try #require(report.media)
            // Of the first 12 scripted events, 10 pass and FAIL1001 and FAIL2004 ran the camera.
            #expect(media.objects == 24, "\(media)")
            #expect(media.verified == media.objects, "\(media)")
            #expect(report.rendered().contains("media          24 of 24 objects stored and verified"))
            #expect(!FileManager.default.fileExists(atPath: media.directory), "the temporary archive is removed")
        }
    }
}
