import CurlHTTP
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("CurlHTTPClient against a loopback server")
struct CurlHTTPClientTests {
    @Test("sequential requests reuse one kept-alive connection")
    func keepAliveReuse() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in .text("ok") }) { server in
            let client = try CurlHTTPClient()
            var reused: [Bool] = []
            for _ in 0..<5 {
                let response = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
                #expect(response.status == 200)
                #expect(response.body == Array("ok".utf8))
                reused.append(response.isConnectionReused)
            }
            await client.shutdown()
            #expect(server.connectionsAccepted == 1)
            #expect(reused == [false, true, true, true, true])
        }
    }

    /// GETs `/0` … `/(paths - 1)` all at once; the bodies the server answered.
    static func getConcurrently(paths: Int, with client: CurlHTTPClient, from server: LoopbackHTTPServer) async throws
        -> Set<String>
    {
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<paths {
                group.addTask {
                    let response = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/\(index)"))
                    return String(decoding: response.body, as: UTF8.self)
                }
            }
            var bodies: Set<String> = []
            for try await body in group { bodies.insert(body) }
            return bodies
        }
    }

    @Test("many requests are in flight at once")
    func concurrentRequests() async throws {
        let probe = ConcurrencyProbe()
        try await LoopbackHTTPServer.withServer(handler: { request in
            probe.enter()
            defer { probe.leave() }
            usleep(200_000)
            return .text(request.target)
        }) { server in
            let client = try CurlHTTPClient()
            let bodies = try await Self.getConcurrently(paths: 16, with: client, from: server)
            await client.shutdown()
            #expect(bodies == Set((0..<16).map { "/\($0)" }))
            #expect(probe.maximum > 1)
            #expect(server.connectionsAccepted > 1)
        }
    }

    @Test("requests beyond the per-host connection cap wait for a connection instead of opening more")
    func perHostConnectionCap() async throws {
        try await LoopbackHTTPServer.withServer(handler: { request in
            usleep(50_000)
            return .text(request.target)
        }) { server in
            let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 2))
            let bodies = try await Self.getConcurrently(paths: 8, with: client, from: server)
            await client.shutdown()
            #expect(bodies == Set((0..<8).map { "/\($0)" }))
            #expect(server.connectionsAccepted <= 2)
        }
    }

    @Test("the body and headers arrive byte for byte, and any status is a response")
    func postBodyAndHeaders() async throws {
        let body = Array("{\"BizToken\":\"测试-😀\"}".utf8) + [0, 255]
        try await LoopbackHTTPServer.withServer(handler: { request in
            LoopbackHTTPReply(
                status: 503,
                headers: [("Content-Type", "application/octet-stream")],
                body: Array(
                    "\(request.method) \(request.header("X-Test") ?? "-") \(request.header("Host") ?? "-") \(request.header("Content-Length") ?? "-")"
                        .utf8
                )
                    + request.body
            )
        }) { server in
            let client = try CurlHTTPClient()
            let response = try await client.execute(
                HTTPRequest(
                    method: .post,
                    url: server.baseURL + "/",
                    headers: [("X-Test", "yes"), ("Host", "example:1")],
                    body: body
                )
            )
            await client.shutdown()
            #expect(response.status == 503)
            #expect(response.contentType == "application/octet-stream")
            #expect(response.body == Array("POST yes example:1 \(body.count)".utf8) + body)
        }
    }

    @Test("a server slower than the total timeout fails with timeout and sees the connection closed")
    func totalTimeout() async throws {
        try await LoopbackHTTPServer.withServer(handler: { request in
            request.target == "/late" ? .text("late", delay: .seconds(10)) : .text("ok")
        }) { server in
            let client = try CurlHTTPClient()
            // The late request goes out on this open connection: curl sends it in the step that starts
            // its clock, so a busy machine cannot make it time out before the server has it.
            let warm = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
            #expect(warm.status == 200)
            let error = await #expect(throws: HTTPClientError.self) {
                _ = try await client.execute(
                    HTTPRequest(method: .get, url: server.baseURL + "/late", timeout: .milliseconds(300))
                )
            }
            await client.shutdown()
            #expect(error?.kind == .timeout)
            #expect(server.connectionsAccepted == 1, "the late request reused the warm connection")
            #expect(await eventually { server.connectionsClosedByClientWhileWaiting == 1 })
        }
    }

    @Test("a body over the cap fails with bodyTooLarge; one at the cap is accepted")
    func bodyCap() async throws {
        try await LoopbackHTTPServer.withServer(handler: { request in
            LoopbackHTTPReply(
                body: Array(repeating: 120, count: request.target.hasPrefix("/big") ? 1001 : 1000),
                ending: request.target.hasSuffix("unsized") ? .closeDelimited : .complete
            )
        }) { server in
            let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(maximumResponseBodySize: 1000))
            let fits = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/fits"))
            #expect(fits.body.count == 1000)
            // Announced by Content-Length (rejected up front) and discovered while reading.
            for path in ["/big", "/big-unsized"] {
                let error = await #expect(throws: HTTPClientError.self, "\(path)") {
                    _ = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + path))
                }
                #expect(error?.kind == .bodyTooLarge, "\(path)")
            }
            let unsized = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/fits-unsized"))
            #expect(unsized.body.count == 1000)
            await client.shutdown()
        }
    }

    @Test("cancelling the calling task aborts the transfer and closes its connection")
    func cancellationAborts() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in .text("late", delay: .seconds(30)) }) { server in
            let client = try CurlHTTPClient()
            let error = await withTaskGroup(of: HTTPClientError?.self) { group in
                group.addTask {
                    do throws(HTTPClientError) {
                        _ = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
                        return nil
                    } catch {
                        return error
                    }
                }
                _ = await eventually { server.requestsReceived == 1 }
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(server.requestsReceived == 1)
            #expect(error?.kind == .cancelled)
            #expect(await eventually { server.connectionsClosedByClientWhileWaiting == 1 })
            await client.shutdown()
        }
    }

    @Test("a task cancelled before it starts fails without sending anything")
    func cancelledBeforeStart() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in .text("ok") }) { server in
            let client = try CurlHTTPClient()
            let error = await withTaskGroup(of: HTTPClientError?.self) { group in
                group.cancelAll()
                group.addTask {
                    do throws(HTTPClientError) {
                        _ = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
                        return nil
                    } catch {
                        return error
                    }
                }
                return await group.next() ?? nil
            }
            #expect(error?.kind == .cancelled)
            await client.shutdown()
            #expect(server.requestsReceived == 0)
        }
    }

    @Test("a refused connection fails with connectFailed")
    func connectionRefused() async throws {
        // Take a free port, then close it, so nothing listens there.
        let server = try LoopbackHTTPServer.start(handler: { _ in .text("ok") })
        let url = server.baseURL + "/"
        server.stop()
        let client = try CurlHTTPClient()
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(HTTPRequest(method: .get, url: url))
        }
        await client.shutdown()
        #expect(error?.kind == .connectFailed)
    }

    @Test("a body cut short or a dropped connection fails with connectionReset")
    func truncatedAndDropped() async throws {
        try await LoopbackHTTPServer.withServer(handler: { request in
            request.target == "/drop"
                ? .dropConnection
                : LoopbackHTTPReply(body: Array(repeating: 65, count: 100), ending: .truncateBody(after: 10))
        }) { server in
            let client = try CurlHTTPClient()
            for path in ["/truncate", "/drop"] {
                let error = await #expect(throws: HTTPClientError.self, "\(path)") {
                    _ = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + path))
                }
                #expect(error?.kind == .connectionReset, "\(path)")
            }
            await client.shutdown()
        }
    }

    @Test("an explicit proxy receives the request in absolute form")
    func explicitProxy() async throws {
        try await LoopbackHTTPServer.withServer(handler: { request in .text(request.target) }) { proxy in
            let client = try CurlHTTPClient(
                configuration: HTTPClientConfiguration(proxy: .url(proxy.baseURL, noProxy: nil))
            )
            let response = try await client.execute(
                HTTPRequest(method: .get, url: "http://faceid.example.invalid/path")
            )
            await client.shutdown()
            #expect(String(decoding: response.body, as: UTF8.self) == "http://faceid.example.invalid/path")
        }
    }

    @Test("after shutdown, requests fail with shutdown; shutdown twice is harmless")
    func shutdownRejects() async throws {
        let client = try CurlHTTPClient()
        await client.shutdown()
        await client.shutdown()
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(HTTPRequest(method: .get, url: "http://127.0.0.1:1/"))
        }
        #expect(error?.kind == .shutdown)
    }

    @Test("URLs other than http and https are rejected before sending")
    func rejectsOtherSchemes() async throws {
        let client = try CurlHTTPClient()
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(HTTPRequest(method: .get, url: "file:///etc/passwd"))
        }
        await client.shutdown()
        #expect(error?.kind == .invalidRequest)
    }
}
