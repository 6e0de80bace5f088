import CurlHTTP
import Pipeline

/// Downloads one media URL into a ``StagingFile``, streaming: the bytes go to the file and the
/// digests as they arrive, so memory stays flat whatever the video's size.
///
/// Never logs or reports the URL: it carries a presigned query string that grants access to a
/// person's face for ten minutes.
struct MediaDownloader: Sendable {
    let http: CurlHTTPClient
    let allowsPlainHTTP: Bool
    let maximumObjectSize: Int
    let timeout: Duration

    /// Checks the URL's scheme, downloads it into `file`, and returns the `Content-Type` header.
    func download(_ url: String, kind: MediaKind, into file: StagingFile) async throws(MediaArchiveFailure) -> String? {
        let lowered = url.prefix(8).lowercased()
        guard lowered.hasPrefix("https://") || (allowsPlainHTTP && lowered.hasPrefix("http://")) else {
            throw MediaArchiveFailure.insecureURL(kind)
        }
        var request = HTTPRequest(method: .get, url: url, timeout: timeout)
        request.responseBodySink = file
        request.maximumResponseBodySize = maximumObjectSize
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch {
            if let errno = file.writeError { throw MediaArchiveFailure.staging("write a staging file", errno: errno) }
            throw MediaArchiveFailure.download(error, kind)
        }
        guard response.status == 200 else { throw MediaArchiveFailure.downloadStatus(response.status, kind) }
        return response.contentType
    }
}
