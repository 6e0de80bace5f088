import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One request's life inside ``CurlMultiLoop``: the request, the easy handle running it, the
/// response body being collected (or streamed to the request's sink), the file being uploaded,
/// and the continuation to resume when it ends.
///
/// `@unchecked Sendable` under a single-owner rule: the submitting task creates it and hands
/// it to the loop through the inbox lock; from then on only the loop thread touches
/// ``easy``, ``body``, ``continuation``, the upload descriptor and the flags. The one exception
/// is ``isCancelled``, an atomic set by the task's cancellation handler on any thread.
final class CurlTransfer: @unchecked Sendable {
    /// Where the bytes of the response go, decided when the first ones arrive.
    enum BodyRoute {
        case undecided
        case memory
        case sink(any HTTPResponseBodySink)
    }

    let request: HTTPRequest
    /// The cap on a body collected in memory.
    let maximumBodySize: Int
    /// The cap on a body streamed into the request's sink.
    let maximumStreamedBodySize: Int
    /// Set by the cancellation handler; the loop checks it when the transfer starts.
    let isCancelled = Atomic<Bool>(false)

    var easy: CurlEasyHandle?
    var body: [UInt8] = []
    var streamedBytes = 0
    var route = BodyRoute.undecided
    var isBodyTooLarge = false
    var hasSinkRefused = false
    /// The open file of ``HTTPRequest/bodyFile`` while the transfer runs, else -1.
    var uploadDescriptor: Int32 = -1
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>?

    init(request: HTTPRequest, maximumBodySize: Int) {
        self.request = request
        if request.responseBodySink == nil {
            self.maximumBodySize = request.maximumResponseBodySize ?? maximumBodySize
            self.maximumStreamedBodySize = 0
        } else {
            self.maximumBodySize = maximumBodySize
            self.maximumStreamedBodySize = request.maximumResponseBodySize ?? maximumBodySize
        }
    }

    deinit {
        closeUpload()
    }

    /// The largest body this transfer accepts, whichever way it goes (libcurl's own cap).
    var largestAcceptedBody: Int { max(maximumBodySize, maximumStreamedBodySize) }

    /// Resumes the waiting task once; later calls do nothing.
    func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
        closeUpload()
        guard let continuation else { return }
        self.continuation = nil
        easy = nil
        continuation.resume(returning: result)
    }

    /// Opens the file to upload; throws when it cannot be read.
    func openUpload(_ file: HTTPRequestBodyFile) throws(HTTPClientError) {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HTTPClientError(kind: .invalidRequest, message: "cannot open the body file (errno \(errno))")
        }
        uploadDescriptor = descriptor
    }

    private func closeUpload() {
        if uploadDescriptor >= 0 {
            close(uploadDescriptor)
            uploadDescriptor = -1
        }
    }

    /// Takes received bytes: into the sink for a 2xx response with one, else into memory, unless
    /// that would pass the cap; `false` tells libcurl to abort.
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if case .undecided = route {
            let status = easy?.info(CURLINFO_RESPONSE_CODE) ?? 0
            if let sink = request.responseBodySink, (200...299).contains(status) {
                route = .sink(sink)
            } else {
                route = .memory
            }
        }
        switch route {
        case .sink(let sink):
            guard streamedBytes + bytes.count <= maximumStreamedBodySize else {
                isBodyTooLarge = true
                return false
            }
            streamedBytes += bytes.count
            guard sink.write(bytes) else {
                hasSinkRefused = true
                return false
            }
            return true
        case .memory, .undecided:
            guard body.count + bytes.count <= maximumBodySize else {
                isBodyTooLarge = true
                return false
            }
            body.append(contentsOf: bytes)
            return true
        }
    }
}

/// libcurl's write callback (`curl_write_callback`): hands a chunk of the response body on.
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

/// libcurl's read callback (`curl_read_callback`): the next bytes of the file being uploaded.
///
/// `userdata` is the unretained `CurlTransfer`, under the same rule as ``curlWriteBody``.
func curlReadBody(
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let userdata, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    guard transfer.uploadDescriptor >= 0 else { return Int(CURL_READFUNC_ABORT) }
    while true {
        let got = read(transfer.uploadDescriptor, buffer, size * count)
        if got >= 0 { return got }
        if errno != EINTR { return Int(CURL_READFUNC_ABORT) }
    }
}

/// libcurl's seek callback (`curl_seek_callback`): rewinds the file being uploaded when libcurl
/// must send the body again. `userdata` as for ``curlReadBody``.
func curlSeekBody(_ userdata: UnsafeMutableRawPointer?, _ offset: curl_off_t, _ origin: Int32) -> Int32 {
    guard let userdata else { return CURL_SEEKFUNC_FAIL }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    guard transfer.uploadDescriptor >= 0, lseek(transfer.uploadDescriptor, off_t(offset), origin) >= 0 else {
        return CURL_SEEKFUNC_FAIL
    }
    return CURL_SEEKFUNC_OK
}
