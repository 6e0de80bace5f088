import CCurl

/// Owns one libcurl easy handle (`CURL *`) and the C memory it points into.
///
/// Created and used only on the ``CurlMultiLoop`` thread (single owner), so it needs no lock;
/// it is never shared across threads, hence not `Sendable`. `deinit` frees the header list,
/// the error buffer and the handle, after the loop has removed it from the multi handle. The
/// loop reuses a handle for later requests after ``reset()``.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes a failure's detail here (CURLOPT_ERRORBUFFER); it must outlive the handle's use.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(HTTPClientError) {
        guard let handle = curl_easy_init() else {
            throw HTTPClientError(kind: .invalidRequest, message: "curl_easy_init failed (out of memory)")
        }
        raw = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Back to a fresh handle's state for the next request: every option to its default (the header
    /// list is then no longer referenced and is freed) and no stale error detail. libcurl keeps
    /// what is worth keeping across requests (its DNS and TLS session caches).
    func reset() {
        curl_easy_reset(raw)
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        errorBuffer[0] = 0
    }

    /// The funnel for `curl_easy_setopt` results: any failure becomes an ``HTTPClientError``.
    func set(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(HTTPClientError) {
        // libcurl copies string options (except POSTFIELDS, which is not set through here).
        try check(value.withCString { ccurl_easy_setopt_string(raw, option, $0) }, option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_pointer(raw, option, pointer), option)
    }

    /// Sets a pointer option whose bytes libcurl copies during the call (`CURLOPT_COPYPOSTFIELDS`).
    func set(_ option: CURLoption, copying bytes: [UInt8]) throws(HTTPClientError) {
        // Never pass a null pointer: libcurl would read a NUL-terminated string from it.
        var storage = bytes.isEmpty ? [0] : bytes
        let code = storage.withUnsafeMutableBytes { ccurl_easy_setopt_pointer(raw, option, $0.baseAddress) }
        try check(code, option)
    }

    func set(_ option: CURLoption, offset: Int64) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_off(raw, option, curl_off_t(offset)), option)
    }

    func set(_ option: CURLoption, writeCallback: curl_write_callback) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_write_callback(raw, option, writeCallback), option)
    }

    func set(_ option: CURLoption, readCallback: curl_read_callback) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_read_callback(raw, option, readCallback), option)
    }

    func set(_ option: CURLoption, seekCallback: curl_seek_callback) throws(HTTPClientError) {
        try check(ccurl_easy_setopt_seek_callback(raw, option, seekCallback), option)
    }

    /// Installs `headers` as the request's header list; the list lives as long as this handle.
    func setHeaders(_ headers: [String]) throws(HTTPClientError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            guard let appended = curl_slist_append(list, header) else {
                if let list { curl_slist_free_all(list) }
                throw HTTPClientError(kind: .invalidRequest, message: "curl_slist_append failed (out of memory)")
            }
            list = appended
        }
        if let headerList { curl_slist_free_all(headerList) }
        headerList = list
        try check(ccurl_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
    }

    func info(_ info: CURLINFO) -> Int {
        var value = 0
        _ = ccurl_easy_getinfo_long(raw, info, &value)
        return value
    }

    func stringInfo(_ info: CURLINFO) -> String? {
        var pointer: UnsafeMutableRawPointer?
        guard ccurl_easy_getinfo_pointer(raw, info, &pointer) == CURLE_OK, let pointer else { return nil }
        // Copied at once: libcurl owns the memory and frees it with the handle.
        return String(cString: pointer.assumingMemoryBound(to: CChar.self))
    }

    /// The detail libcurl wrote into the error buffer, if any.
    var errorDetail: String? {
        let text = String(cString: errorBuffer)
        return text.isEmpty ? nil : text
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw HTTPClientError(
                kind: .invalidRequest,
                curlCode: Int(code.rawValue),
                message: "curl_easy_setopt(\(option.rawValue)) failed: \(CurlGlobal.describe(code))"
            )
        }
    }
}
