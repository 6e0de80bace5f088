import Foundation
import Hummingbird
import NIOCore

extension FaceIDSimulator {
    /// Serves a media URL it handed out, as COS serves Tencent's: the bytes with their content
    /// type; 403 past the URL's window or with a bad signature; 404 for anything else; and the
    /// media faults (`media_corrupt`, `media_expired`, `media_missing`) with their probabilities.
    /// Media downloads are not rate-limited: COS is not the API.
    func respondWithMedia(to request: Request) async -> Response {
        let now = Int64(Date().timeIntervalSince1970.rounded(.down))
        let checked = mediaLink.target(path: request.uri.path, query: request.uri.query ?? "", now: now)
        let faults = state.withLock { $0.drawFaults(media: true) }
        switch checked {
        case .failure(.notFound):
            return mediaError(404, code: "NoSuchKey", message: "The specified key does not exist.", outcome: "missing")
        case .failure(.badSignature):
            return mediaError(
                403,
                code: "SignatureDoesNotMatch",
                message: "The request signature does not match.",
                outcome: "forbidden"
            )
        case .failure(.expired):
            return mediaError(403, code: "AccessDenied", message: "Request has expired", outcome: "expired")
        case .success(let target):
            if faults.contains(.mediaMissing) {
                return mediaError(
                    404,
                    code: "NoSuchKey",
                    message: "The specified key does not exist.",
                    outcome: "missing"
                )
            }
            if faults.contains(.mediaExpired) {
                return mediaError(403, code: "AccessDenied", message: "Request has expired", outcome: "expired")
            }
            let media = SimulatedMedia(bizToken: target.bizToken, videoSize: configuration.videoSize)
            guard let file = media.file(named: target.file) else {
                return mediaError(
                    404,
                    code: "NoSuchKey",
                    message: "The specified key does not exist.",
                    outcome: "missing"
                )
            }
            var bytes = file.bytes
            let isCorrupt = faults.contains(.mediaCorrupt)
            if isCorrupt { bytes[bytes.count / 2] ^= 0x5A }
            state.withLock { $0.recordMediaDownload(isCorrupt ? "corrupt" : "served") }
            return Response(
                status: .ok,
                headers: [.contentType: file.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    private func mediaError(_ status: Int, code: String, message: String, outcome: String) -> Response {
        state.withLock { $0.recordMediaDownload(outcome) }
        let xml =
            "<?xml version='1.0' encoding='utf-8' ?><Error><Code>\(code)</Code><Message>\(message)</Message></Error>"
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: [.contentType: "application/xml"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: xml))
        )
    }
}
