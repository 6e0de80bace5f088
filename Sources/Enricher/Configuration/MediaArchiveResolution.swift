public import MediaArchive
public import TencentCloud

extension MediaArchiveConfiguration {
    /// The media archive `faceid-enricher run` was asked for: `--media-archive` / `MEDIA_ARCHIVE`
    /// and the S3 settings over the environment; `nil` when archiving is off (the default).
    ///
    /// Plain-http media URLs are allowed only when the FaceID endpoint itself is http, i.e. the
    /// simulator: Tencent's are https, and an http URL in production means something is wrong.
    public static func resolve(
        _ options: RunOptions,
        environment: [String: String],
        faceIDEndpoint: TencentCloudEndpoint
    ) throws(ConfigurationError) -> MediaArchiveConfiguration? {
        do {
            return try resolve(
                archive: options.mediaArchive,
                s3Endpoint: options.s3Endpoint,
                s3Addressing: options.s3Addressing,
                concurrency: options.mediaConcurrency,
                environment: environment,
                allowsPlainHTTPMediaURLs: faceIDEndpoint.url.hasPrefix("http://")
            )
        } catch {
            throw ConfigurationError(error.message)
        }
    }
}
