public import Pipeline
import Synchronization

/// A ``MediaArchiver`` whose outcome a test scripts per call, recording every request: what the
/// pipeline's media step does with stored media, retryable failures, expired URLs and a store
/// that refuses access, without HTTP or a store.
public final class FakeMediaArchiver: MediaArchiver, Sendable {
    /// Decides the outcome of call `number` (1 for the first) for `request`.
    public typealias Script =
        @Sendable (_ request: MediaArchiveRequest, _ number: Int) async throws(MediaArchiveFailure) ->
        ArchivedMedia

    private let requests = Mutex<[MediaArchiveRequest]>([])
    private let script: Mutex<Script>

    /// An archiver answering with `script`; by default it stores everything (``stored(_:)``).
    public init(script: @escaping Script = { request, _ in FakeMediaArchiver.stored(request) }) {
        self.script = Mutex(script)
    }

    /// Replaces the script (e.g. "the operator fixed the bucket policy").
    public func setScript(_ script: @escaping Script) {
        self.script.withLock { $0 = script }
    }

    /// Records the request and answers with the script.
    public func archive(_ request: MediaArchiveRequest) async throws(MediaArchiveFailure) -> ArchivedMedia {
        let number = requests.withLock { requests -> Int in
            requests.append(request)
            return requests.count
        }
        let script = self.script.withLock { $0 }
        return try await script(request, number)
    }

    /// Every request so far, in order.
    public var recordedRequests: [MediaArchiveRequest] { requests.withLock { $0 } }

    /// What a store would report for `request`: both objects under `file:///archive/{bizToken}/{RequestId}/`,
    /// with the MD5s the response names.
    public static func stored(_ request: MediaArchiveRequest) -> ArchivedMedia {
        let base = "file:///archive/\(request.bizToken)/\(request.response["RequestId"]?.stringValue ?? "-")/"
        return ArchivedMedia(
            bestFrame: ArchivedMediaObject(
                uri: base + "best-frame.jpg",
                md5: request.response["VideoBestFrameMd5"]?.stringValue ?? "",
                bytes: 278,
                contentType: "image/jpeg"
            ),
            video: ArchivedMediaObject(
                uri: base + "video.mp4",
                md5: request.response["VideoMd5"]?.stringValue ?? "",
                bytes: 4120,
                contentType: "video/mp4"
            )
        )
    }

    /// An MD5 mismatch of the video (retried with backoff).
    public static let md5Mismatch = MediaArchiveFailure(
        kind: .retryable,
        code: "Media.MD5Mismatch",
        message: "video: the downloaded bytes' MD5 differs from VideoMd5"
    )
    /// Media URLs that expired (retried after a fresh fetch).
    public static let urlExpired = MediaArchiveFailure(
        kind: .retryable,
        code: "Media.URLExpired",
        message: "video: the media URL answered 403 (expired)",
        needsFreshURLs: true
    )
    /// A store refusing access (holds the event).
    public static let accessDenied = MediaArchiveFailure(
        kind: .halting,
        code: "Store.AccessDenied",
        message: "the store answered 403 AccessDenied"
    )
}
