import CCurl

/// libcurl's process-wide initialisation, done exactly once.
///
/// `curl_global_init` is not thread-safe and must run before any thread uses libcurl; a Swift
/// global is initialised once, atomically, on first use, and every ``CurlHTTPClient`` touches it
/// in `init` before it starts its thread. It is never undone (`curl_global_cleanup` at exit
/// would race with other clients and buys nothing).
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Initialises libcurl if that has not happened yet; throws if it failed.
    static func ensureInitialized() throws(HTTPClientError) {
        let result = initResult
        guard result == CURLE_OK else {
            throw HTTPClientError(
                kind: .other,
                curlCode: Int(result.rawValue),
                message: "curl_global_init failed: \(CurlGlobal.describe(result))"
            )
        }
    }

    /// libcurl's text for `code`, copied out of its static storage.
    static func describe(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return String(cString: text)
    }
}
