/// Everything media archiving needs, resolved once at start-up from `--media-archive`,
/// `--s3-endpoint`, `--s3-addressing`, `--media-concurrency` and the `AWS_*` variables.
///
/// Absent (`nil` from ``resolve(archive:s3Endpoint:s3Addressing:concurrency:environment:allowsPlainHTTPMediaURLs:)``)
/// when `--media-archive` is not given: archiving is off by default and nothing changes.
public struct MediaArchiveConfiguration: Sendable {
    /// Where objects are stored.
    public enum Store: Sendable, Hashable {
        /// An S3-compatible bucket.
        case s3(S3StoreConfiguration)
        /// A local directory (it must exist; objects are written atomically inside it).
        case file(directory: String)
    }

    /// Archives in flight per instance when `--media-concurrency` is not given.
    ///
    /// At the API's 20 results per second, 16 archives in flight keep up as long as one result's
    /// download, check and upload take under 0.8 s; each one holds only libcurl's buffers (the
    /// bytes go through a temporary file), so the cost of a higher cap is staging disk, not memory.
    public static let defaultConcurrency = 16

    /// Where objects are stored.
    public var store: Store
    /// Archives (one result's best frame and video) in flight at once (`--media-concurrency`).
    public var concurrency: Int
    /// Whether `http://` media URLs are downloaded. Tencent's are https; only the simulator
    /// (reached when `--endpoint` is http) serves http.
    public var allowsPlainHTTPMediaURLs: Bool
    /// The largest object downloaded; a larger one fails (and is retried, then dead-lettered).
    public var maximumObjectSize: Int
    /// How long connecting to the media host or the store may take.
    public var connectTimeout: Duration
    /// How long one download or upload may take.
    public var transferTimeout: Duration
    /// Where downloads are staged before they are stored; `nil` for the default (a sub-directory
    /// of the archive directory for a file store, so the final rename is atomic; `TMPDIR` for S3).
    public var stagingDirectory: String?

    /// A configuration for `store` with the defaults.
    public init(
        store: Store,
        concurrency: Int = MediaArchiveConfiguration.defaultConcurrency,
        allowsPlainHTTPMediaURLs: Bool = false,
        maximumObjectSize: Int = 256 << 20,
        connectTimeout: Duration = .seconds(10),
        transferTimeout: Duration = .seconds(120),
        stagingDirectory: String? = nil
    ) {
        self.store = store
        self.concurrency = max(1, concurrency)
        self.allowsPlainHTTPMediaURLs = allowsPlainHTTPMediaURLs
        self.maximumObjectSize = maximumObjectSize
        self.connectTimeout = connectTimeout
        self.transferTimeout = transferTimeout
        self.stagingDirectory = stagingDirectory
    }

    /// The store as a URI, for start-up logs (`s3://bucket/prefix`, `file:///dir`); no credentials.
    public var storeDescription: String {
        switch store {
        case .s3(let s3): MediaArchiveLocation.s3(bucket: s3.bucket, prefix: s3.prefix).description
        case .file(let directory): MediaArchiveLocation.file(directory: directory).description
        }
    }

    /// Resolves the flags over the environment (`MEDIA_ARCHIVE`, `S3_ENDPOINT`, `S3_ADDRESSING`,
    /// `MEDIA_CONCURRENCY`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`); `nil` when no archive is named.
    /// Throws with one line naming the flag or variable at fault, e.g. missing S3 credentials.
    public static func resolve(
        archive: String?,
        s3Endpoint: String?,
        s3Addressing: String?,
        concurrency: String?,
        environment: [String: String],
        allowsPlainHTTPMediaURLs: Bool
    ) throws(MediaArchiveConfigurationError) -> MediaArchiveConfiguration? {
        func pick(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag }
            if let value = environment[variable], !value.trimmingWhitespace.isEmpty { return value }
            return nil
        }
        guard let archiveText = pick(archive, "MEDIA_ARCHIVE") else { return nil }
        let location = try MediaArchiveLocation(parsing: archiveText)
        var resolvedConcurrency = defaultConcurrency
        if let text = pick(concurrency, "MEDIA_CONCURRENCY") {
            guard let value = Int(text.trimmingWhitespace), (1...1024).contains(value) else {
                throw MediaArchiveConfigurationError(
                    "--media-concurrency / MEDIA_CONCURRENCY must be a whole number from 1 to 1024, got '\(text)'"
                )
            }
            resolvedConcurrency = value
        }
        let store: Store
        switch location {
        case .file(let directory):
            store = .file(directory: directory)
        case .s3(let bucket, let prefix):
            guard let keyID = environment["AWS_ACCESS_KEY_ID"], !keyID.isEmpty,
                let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
            else {
                throw MediaArchiveConfigurationError(
                    "--media-archive \(location) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                )
            }
            let addressingText = pick(s3Addressing, "S3_ADDRESSING")?.trimmingWhitespace.lowercased() ?? "auto"
            guard let addressing = S3StoreConfiguration.Addressing(rawValue: addressingText) else {
                throw MediaArchiveConfigurationError(
                    "--s3-addressing / S3_ADDRESSING must be auto, path or virtual, got '\(addressingText)'"
                )
            }
            let region =
                [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]]
                .compactMap { $0?.trimmingWhitespace }.first { !$0.isEmpty } ?? "us-east-1"
            store = .s3(
                try S3StoreConfiguration(
                    bucket: bucket,
                    prefix: prefix,
                    endpoint: pick(s3Endpoint, "S3_ENDPOINT"),
                    addressing: addressing,
                    region: region,
                    credentials: S3Credentials(
                        accessKeyID: keyID,
                        secretAccessKey: secret,
                        sessionToken: environment["AWS_SESSION_TOKEN"]
                    )
                )
            )
        }
        return MediaArchiveConfiguration(
            store: store,
            concurrency: resolvedConcurrency,
            allowsPlainHTTPMediaURLs: allowsPlainHTTPMediaURLs
        )
    }
}
