import CurlHTTP
public import Logging
public import Metrics
public import Pipeline
import Synchronization

/// The media archive of `faceid-enricher run --media-archive`: the pipeline's ``MediaArchiver``
/// over libcurl, a staging directory and a store (S3-compatible or a local directory).
///
/// For each piece of media a result carries (best frame, video): check the URL (https, not past
/// `mediaExpiresAt`), download it streaming into a staging file while computing its MD5, compare
/// with Tencent's MD5 (the Intl action's inline base64 is decoded into the file the same way),
/// and store it under `PREFIX/{bizToken}/{RequestId}/best-frame.{ext}` / `video.{ext}`. At most
/// ``MediaArchiveConfiguration/concurrency`` archives run at once; each holds only libcurl's
/// buffers in memory, whatever the video's size.
///
/// Logs (debug) name the kind, size and store, never a media URL, query string or credential.
/// Call ``shutdown()`` when the pipeline has stopped.
public final class MediaArchiveService: MediaArchiver, Sendable {
    /// The configuration it runs with.
    public let configuration: MediaArchiveConfiguration
    private let http: CurlHTTPClient
    private let store: any MediaStore
    private let prefix: String
    private let downloader: MediaDownloader
    private let slots: ArchiveSlots
    private let metrics: MediaArchiveMetrics
    private let wallClock: WallClock
    private let logger: Logger
    private let isPrepared = Mutex(false)

    /// An archive for `configuration`; throws if its HTTP transport cannot start.
    public init(
        configuration: MediaArchiveConfiguration,
        metricsFactory: any MetricsFactory,
        logger: Logger,
        wallClock: WallClock = .system
    ) throws(MediaArchiveConfigurationError) {
        self.configuration = configuration
        do {
            http = try CurlHTTPClient(
                configuration: HTTPClientConfiguration(
                    connectTimeout: configuration.connectTimeout,
                    totalTimeout: configuration.transferTimeout,
                    maximumResponseBodySize: 1 << 20,
                    maximumIdleConnections: max(8, configuration.concurrency * 2)
                )
            )
        } catch {
            throw MediaArchiveConfigurationError("cannot start the media archive's HTTP client: \(error)")
        }
        switch configuration.store {
        case .s3(let s3):
            store = S3MediaStore(
                configuration: s3,
                http: http,
                timeout: configuration.transferTimeout,
                stagingDirectory: configuration.stagingDirectory ?? S3MediaStore.defaultStagingDirectory
            )
            prefix = s3.prefix
        case .file(let directory):
            store = FileMediaStore(directory: directory)
            prefix = ""
        }
        downloader = MediaDownloader(
            http: http,
            allowsPlainHTTP: configuration.allowsPlainHTTPMediaURLs,
            maximumObjectSize: configuration.maximumObjectSize,
            timeout: configuration.transferTimeout
        )
        slots = ArchiveSlots(count: configuration.concurrency)
        metrics = MediaArchiveMetrics(factory: metricsFactory)
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Archives waiting for one of the ``MediaArchiveConfiguration/concurrency`` slots.
    public var waitingCount: Int { slots.waitingCount }

    /// Stores every piece of media `request.response` carries and says where; throws the first
    /// failure, classified for the pipeline (nothing is published for the event then).
    public func archive(_ request: MediaArchiveRequest) async throws(MediaArchiveFailure) -> ArchivedMedia {
        let archived = try await slots.withSlot { () throws(MediaArchiveFailure) -> ArchivedMedia in
            let started = ContinuousClock.now
            defer { metrics.archiveDuration.record(duration: ContinuousClock.now - started) }
            try await prepareOnce()
            var media = ArchivedMedia()
            for kind in MediaKind.allCases {
                guard let source = kind.source(in: request.response) else { continue }
                let object = try await archive(kind, from: source, for: request)
                switch kind {
                case .bestFrame: media.bestFrame = object
                case .video: media.video = object
                }
            }
            return media
        }
        guard let archived else {
            throw MediaArchiveFailure(kind: .retryable, code: "Media.Cancelled", message: "the archive was cancelled")
        }
        return archived
    }

    /// Readies the staging area the first time an archive runs (and again after that failed): an
    /// unwritable staging directory then holds the pipeline like any other store error.
    private func prepareOnce() async throws(MediaArchiveFailure) {
        guard !isPrepared.withLock({ $0 }) else { return }
        try await store.prepare()
        isPrepared.withLock { $0 = true }
    }

    /// Closes the HTTP transport. Archives still running fail.
    public func shutdown() async {
        await http.shutdown()
    }

    private func archive(
        _ kind: MediaKind,
        from source: MediaSource,
        for request: MediaArchiveRequest
    ) async throws(MediaArchiveFailure) -> ArchivedMediaObject {
        let directory = store.stagingDirectory
        let computesSHA256 = store.needsSHA256
        let file = try await BlockingIO.run { () throws(MediaArchiveFailure) in
            try StagingFile.create(in: directory, computesSHA256: computesSHA256)
        }
        do throws(MediaArchiveFailure) {
            let staged = try await stage(kind, from: source, for: request, into: file)
            let key = MediaObjectKey(
                prefix: prefix,
                bizToken: request.bizToken,
                requestID: request.response["RequestId"]?.stringValue ?? "",
                kind: kind,
                fileExtension: staged.type.fileExtension
            )
            let uri: String
            do throws(MediaArchiveFailure) {
                uri = try await store.store(staged, key: key)
            } catch {
                metrics.object(kind, .storeFailed)
                throw error
            }
            await BlockingIO.run { file.discard() }
            metrics.object(kind, .stored)
            metrics.stored(kind, bytes: staged.bytes)
            logger.debug(
                "Media object archived",
                metadata: [
                    "media.kind": "\(kind.rawValue)", "media.bytes": "\(staged.bytes)",
                    "media.store": "\(uri.hasPrefix("s3://") ? "s3" : "file")",
                ]
            )
            return ArchivedMediaObject(
                uri: uri,
                md5: staged.md5Hex,
                bytes: staged.bytes,
                contentType: staged.type.contentType
            )
        } catch {
            await BlockingIO.run { file.discard() }
            throw error
        }
    }

    /// The media complete and checked in `file`: downloaded (URL, MD5 compared) or decoded (inline).
    private func stage(
        _ kind: MediaKind,
        from source: MediaSource,
        for request: MediaArchiveRequest,
        into file: StagingFile
    ) async throws(MediaArchiveFailure) -> StagedMedia {
        let syncs = store.syncsStagedFiles
        switch source {
        case .url(let url, let expectedMD5):
            guard request.isDownloadable(at: wallClock.now()) else {
                metrics.object(kind, .urlExpired)
                throw MediaArchiveFailure.expired(kind)
            }
            let contentType: String?
            do throws(MediaArchiveFailure) {
                contentType = try await downloader.download(url, kind: kind, into: file)
            } catch {
                metrics.object(kind, error.needsFreshURLs ? .urlExpired : .downloadFailed)
                throw error
            }
            let staged = try await BlockingIO.run { () throws(MediaArchiveFailure) in
                try file.finish(contentTypeHeader: contentType, syncs: syncs)
            }
            if let expectedMD5, staged.md5Hex != expectedMD5 {
                metrics.md5Mismatch(kind)
                metrics.object(kind, .md5Mismatch)
                throw MediaArchiveFailure.md5Mismatch(kind)
            }
            return staged
        case .inline(let base64):
            return try await BlockingIO.run { () throws(MediaArchiveFailure) -> StagedMedia in
                let decoded = Base64Encoding.decode(base64) { chunk in chunk.withUnsafeBytes { file.write($0) } }
                if let errno = file.writeError {
                    throw MediaArchiveFailure.staging("write a staging file", errno: errno)
                }
                guard decoded else { throw MediaArchiveFailure.invalidBase64(kind) }
                return try file.finish(contentTypeHeader: nil, syncs: syncs)
            }
        }
    }
}
