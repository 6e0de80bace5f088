import CCurl

extension CurlMultiLoop {
    /// Sets every option of `easy` for `transfer`: URL, method and body, headers, timeouts,
    /// connection reuse, TLS verification, proxy, and the body callback with its cap.
    func configure(_ easy: CurlEasyHandle, for transfer: CurlTransfer) throws(HTTPClientError) {
        let request = transfer.request
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else {
            throw HTTPClientError(kind: .invalidRequest, message: "only http:// and https:// URLs are supported")
        }
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(easy.errorBuffer))
        // libcurl must never raise signals in a multithreaded process (RIG.md).
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")

        if let file = request.bodyFile {
            guard request.method == .put else {
                throw HTTPClientError(kind: .invalidRequest, message: "a body file is sent with PUT only")
            }
            try transfer.openUpload(file)
            // UPLOAD makes the request a PUT whose body libcurl reads through the callback.
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: file.length)
            try easy.set(CURLOPT_READFUNCTION, readCallback: curlReadBody)
            try easy.set(CURLOPT_SEEKFUNCTION, seekCallback: curlSeekBody)
            // Unretained, like WRITEDATA below: `active` retains the transfer meanwhile.
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            try easy.set(CURLOPT_READDATA, pointer: context)
            try easy.set(CURLOPT_SEEKDATA, pointer: context)
        } else {
            try setMethodAndBody(easy, request)
        }

        var headers = request.headers.map { "\($0.name): \($0.value)" }
        if let signing = request.awsSigV4 {
            try easy.set(CURLOPT_AWS_SIGV4, signing.curlParameter)
            try easy.set(CURLOPT_USERNAME, signing.accessKeyID)
            try easy.set(CURLOPT_PASSWORD, signing.secretAccessKey)
        } else {
            // "Expect:" stops libcurl waiting for 100-continue before sending bodies over 1 KiB.
            // Not on a signed request: libcurl 7.88 would sign an `expect` header it never sends.
            headers.append("Expect:")
        }
        try easy.setHeaders(headers)
        if let userAgent = configuration.userAgent { try easy.set(CURLOPT_USERAGENT, userAgent) }

        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.curlMilliseconds)
        try easy.set(CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.totalTimeout).curlMilliseconds)
        try easy.set(CURLOPT_MAXAGE_CONN, configuration.idleConnectionTimeout.curlSeconds)
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)

        // Always verify the peer and its name, against the system CA store (libcurl's default
        // bundle on Debian); set explicitly so no environment or build default can turn it off.
        try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)

        switch configuration.proxy {
        case .environment:
            break
        case .none:
            try easy.set(CURLOPT_PROXY, "")
        case .url(let url, let noProxy):
            try easy.set(CURLOPT_PROXY, url)
            if let noProxy { try easy.set(CURLOPT_NOPROXY, noProxy) }
        }

        try easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(transfer.largestAcceptedBody))
        try easy.set(CURLOPT_WRITEFUNCTION, writeCallback: curlWriteBody)
        // Unretained: `active` retains the transfer while the handle is in the multi handle.
        try easy.set(CURLOPT_WRITEDATA, pointer: Unmanaged.passUnretained(transfer).toOpaque())
    }

    /// Method and in-memory body: GET, or POST/PUT/DELETE with ``HTTPRequest/body``.
    private func setMethodAndBody(_ easy: CurlEasyHandle, _ request: HTTPRequest) throws(HTTPClientError) {
        switch request.method {
        case .get:
            try easy.set(CURLOPT_HTTPGET, 1)
        case .post, .put, .delete:
            try easy.set(CURLOPT_POST, 1)
            if request.method != .post { try easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue) }
            // Size first, so the body may contain any bytes; COPYPOSTFIELDS copies it, so the
            // easy handle never points into Swift memory.
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(request.body.count))
            try easy.set(CURLOPT_COPYPOSTFIELDS, copying: request.body)
        }
    }

    /// The response, or the error, for a finished transfer: the one place a `CURLcode` becomes
    /// an ``HTTPClientError``.
    func outcome(of transfer: CurlTransfer, easy: CurlEasyHandle, code: CURLcode) -> Result<
        HTTPResponse, HTTPClientError
    > {
        if code == CURLE_OK {
            return .success(
                HTTPResponse(
                    status: easy.info(CURLINFO_RESPONSE_CODE),
                    contentType: easy.stringInfo(CURLINFO_CONTENT_TYPE),
                    body: transfer.body,
                    isConnectionReused: easy.info(CURLINFO_NUM_CONNECTS) == 0
                )
            )
        }
        let detail = easy.errorDetail ?? CurlGlobal.describe(code)
        if transfer.isBodyTooLarge || code == CURLE_FILESIZE_EXCEEDED {
            let cap: Int
            if case .sink = transfer.route { cap = transfer.maximumStreamedBodySize } else { cap = transfer.maximumBodySize }
            return .failure(
                HTTPClientError(
                    kind: .bodyTooLarge,
                    curlCode: Int(code.rawValue),
                    message: "the response body exceeds \(cap) bytes"
                )
            )
        }
        if transfer.hasSinkRefused {
            return .failure(
                HTTPClientError(kind: .other, curlCode: Int(code.rawValue), message: "the response body sink refused the data")
            )
        }
        return .failure(HTTPClientError(kind: Self.kind(of: code), curlCode: Int(code.rawValue), message: detail))
    }

    static func kind(of code: CURLcode) -> HTTPClientError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectFailed
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM, CURLE_HTTP3:
            return .connectionReset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_OUT_OF_MEMORY, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        default:
            return .other
        }
    }
}
