import CurlHTTP
import TestSupport
import Testing

@Suite("CurlHTTPClient connections: idle expiry and TLS verification")
struct CurlHTTPConnectionTests {
    @Test("a connection idle for longer than the idle timeout is not reused")
    func idleConnectionDropped() async throws {
        // libcurl counts idle time in whole seconds and drops a connection idle for more than the limit, so with
        // 3 s a connection is reused up to 4 s of idleness and dropped from 4 s on. The second request follows the
        // first at once, but this test shares the process's two cooperative threads with every suite running in
        // parallel: with a 1 s limit a loaded CI run took 2 s or more between them and the connection was dropped.
        try await LoopbackHTTPServer.withServer(handler: { _ in .text("ok") }) { server in
            let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(idleConnectionTimeout: .seconds(3)))
            let first = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
            let soon = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
            try await Task.sleep(for: .milliseconds(4_500))
            let later = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
            await client.shutdown()
            #expect(!first.isConnectionReused)
            #expect(soon.isConnectionReused)
            #expect(!later.isConnectionReused)
            #expect(server.connectionsAccepted == 2)
        }
    }

    @Test("a server whose certificate is not trusted by the system CA store is refused with a TLS error")
    func untrustedCertificateRejected() async throws {
        let server = try SelfSignedTLSServer()
        defer { server.stop() }
        let client = try CurlHTTPClient()
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
        }
        await client.shutdown()
        #expect(error?.kind == .tls)
    }

}
