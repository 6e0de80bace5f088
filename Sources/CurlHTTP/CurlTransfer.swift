import CCurl
import Synchronization

/// One request's life inside ``CurlMultiLoop``: the request, the easy handle running it, the
/// response body being collected, and the continuation to resume when it ends.
///
/// `@unchecked Sendable` under a single-owner rule: the submitting task creates it and hands
/// it to the loop through the inbox lock; from then on only the loop thread touches
/// ``easy``, ``body``, ``continuation`` and the flags. The one exception is ``isCancelled``, an
/// atomic set by the task's cancellation handler on any thread.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let maximumBodySize: Int
    /// Set by the cancellation handler; the loop checks it when the transfer starts.
    let isCancelled = Atomic<Bool>(false)

    var easy: CurlEasyHandle?
    var body: [UInt8] = []
    var isBodyTooLarge = false
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>?

    init(request: HTTPRequest, maximumBodySize: Int) {
        self.request = request
        self.maximumBodySize = maximumBodySize
    }

    /// Resumes the waiting task once; later calls do nothing.
    func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
        guard let continuation else { return }
        self.continuation = nil
        easy = nil
        continuation.resume(returning: result)
    }

    /// Appends received bytes unless that would pass the cap; `false` tells libcurl to abort.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maximumBodySize else {
            isBodyTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}

/// libcurl's write callback (`curl_write_callback`): appends a chunk of the response body.
///
/// `userdata` is an unretained `CurlTransfer`: the loop's table of active transfers retains it
/// for as long as its easy handle is in the multi handle, and libcurl calls this only from
/// `curl_multi_perform` on the loop thread while it is.
func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    guard length > 0, let data else { return length }
    return transfer.append(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}
