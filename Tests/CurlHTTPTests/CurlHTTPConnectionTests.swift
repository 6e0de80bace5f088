import CurlHTTP
import TestSupport
import Testing

@Suite("CurlHTTPClient connections: idle expiry and TLS verification")
struct CurlHTTPConnectionTests {
    @Test("a connection idle for longer than the idle timeout is not reused")
    func idleConnectionDropped() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in .text("ok") }) { server in
            let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(idleConnectionTimeout: .seconds(1)))
            let first = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
            let soon = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
            try await Task.sleep(for: .milliseconds(2_200))
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
