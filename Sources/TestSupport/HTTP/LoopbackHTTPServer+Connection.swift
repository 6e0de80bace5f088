#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension LoopbackHTTPServer {
    /// Serves requests on one connection until the client closes it, a reply ends it, or the
    /// server stops.
    func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        while true {
            guard let request = readRequest(connection, buffer: &buffer) else { return }
            state.withLock { $0.requestsReceived += 1 }
            let reply = handler(request)
            if reply.delay > .zero, !waitWatchingForClose(connection, delay: reply.delay) {
                countRequest(closedByClient: true)
                return
            }
            countRequest(closedByClient: false)
            switch reply.ending {
            case .dropConnection:
                return
            case .complete:
                guard sendAll(connection, head(reply, length: reply.body.count) + reply.body) else { return }
                if request.header("Connection")?.lowercased() == "close" { return }
            case .closeDelimited:
                _ = sendAll(connection, head(reply, length: nil) + reply.body)
                return
            case .truncateBody(let bytes):
                _ = sendAll(connection, head(reply, length: reply.body.count) + reply.body.prefix(bytes))
                return
            }
        }
    }

    private func countRequest(closedByClient: Bool) {
        state.withLock { state in
            state.requestsHandled += 1
            if closedByClient { state.closedByClientWhileWaiting += 1 }
        }
    }

    private func head(_ reply: LoopbackHTTPReply, length: Int?) -> [UInt8] {
        var text = "HTTP/1.1 \(reply.status) \(reply.status == 200 ? "OK" : "Status")\r\n"
        for header in reply.headers { text += "\(header.name): \(header.value)\r\n" }
        if let length { text += "Content-Length: \(length)\r\n" } else { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    private func sendAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Sleeps for `delay` in slices, returning `false` as soon as the client closes the connection.
    private func waitWatchingForClose(_ connection: Int32, delay: Duration) -> Bool {
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 20)
            if ready > 0 {
                var probe: UInt8 = 0
                let peeked = recv(connection, &probe, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
                if peeked <= 0 { return false }
                // Pipelined data: not used by the clients under test; keep waiting.
                usleep(20_000)
            }
        }
        return true
    }

    /// Reads one request (head and `Content-Length` body); `nil` at end of stream.
    private func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> LoopbackHTTPRequest? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.firstRange(of: separator)?.lowerBound
            if headEnd == nil { guard receive(connection, into: &buffer) else { return nil } }
        }
        guard let end = headEnd else { return nil }
        let headText = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + separator.count)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
        guard requestLine.count >= 2 else { return nil }
        let headers: [(name: String, value: String)] = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            return (String(line[..<colon]), String(value))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        while buffer.count < length {
            guard receive(connection, into: &buffer) else { return nil }
        }
        let body = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        return LoopbackHTTPRequest(method: requestLine[0], target: requestLine[1], headers: headers, body: body)
    }

    private func receive(_ connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk.prefix(count))
        return true
    }
}
