import CurlHTTP
import Foundation
import Synchronization
import TestSupport
import Testing

/// Collects what a sink was given, to check streamed bodies byte for byte.
final class CollectingSink: HTTPResponseBodySink {
    private let state = Mutex<(bytes: [UInt8], writes: Int, refuseAfter: Int?)>(([], 0, nil))

    init(refusingAfter writes: Int? = nil) {
        state.withLock { $0.refuseAfter = writes }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        state.withLock { state in
            if let limit = state.refuseAfter, state.writes >= limit { return false }
            state.writes += 1
            state.bytes.append(contentsOf: bytes)
            return true
        }
    }

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var writes: Int { state.withLock { $0.writes } }
}

@Suite("CurlHTTPClient streams large bodies: sinks, body files, AWS SigV4")
struct CurlHTTPStreamingTests {
    /// The error `request` fails with; `nil` (and a recorded issue) when it succeeds.
    static func failure(_ client: CurlHTTPClient, _ request: HTTPRequest) async -> HTTPClientError? {
        do {
            _ = try await client.execute(request)
            Issue.record("the request succeeded")
            return nil
        } catch {
            return error
        }
    }

    /// `count` bytes from a repeated 4 KiB block (cheap to build even in a debug build, so the other
    /// tests running meanwhile are not starved).
    static func pattern(_ count: Int) -> [UInt8] {
        let block = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + block.count)
        while bytes.count < count { bytes.append(contentsOf: block) }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    @Test("a 2xx body streams into the sink, not into memory, in many chunks and byte for byte")
    func successStreamsIntoTheSink() async throws {
        let payload = Self.pattern(3 << 20)
        try await LoopbackHTTPServer.withServer(handler: { _ in LoopbackHTTPReply(body: payload) }) { server in
            let client = try CurlHTTPClient()
            let sink = CollectingSink()
            var request = HTTPRequest(method: .get, url: server.baseURL + "/video.mp4")
            request.responseBodySink = sink
            request.maximumResponseBodySize = 8 << 20
            let response = try await client.execute(request)
            await client.shutdown()
            #expect(response.status == 200)
            #expect(response.body.isEmpty, "a streamed body is not also collected")
            #expect(sink.bytes == payload)
            #expect(sink.writes > 1, "delivered as it arrived, not at once")
        }
    }

    @Test("a non-2xx body is collected in memory for the caller, and the sink sees nothing")
    func errorBodyStaysInMemory() async throws {
        try await LoopbackHTTPServer.withServer(handler: { _ in
            .text("<Error><Code>AccessDenied</Code></Error>", status: 403)
        }) {
            server in
            let client = try CurlHTTPClient()
            let sink = CollectingSink()
            var request = HTTPRequest(method: .get, url: server.baseURL + "/x")
            request.responseBodySink = sink
            let response = try await client.execute(request)
            await client.shutdown()
            #expect(response.status == 403)
            #expect(String(decoding: response.body, as: UTF8.self).contains("AccessDenied"))
            #expect(sink.writes == 0)
        }
    }

    @Test("the streamed cap is the request's: over it fails with bodyTooLarge")
    func streamedCap() async throws {
        let payload = Self.pattern(200_000)
        try await LoopbackHTTPServer.withServer(handler: { _ in
            LoopbackHTTPReply(body: payload, ending: .closeDelimited)
        }) {
            server in
            let client = try CurlHTTPClient()
            var request = HTTPRequest(method: .get, url: server.baseURL + "/big")
            request.responseBodySink = CollectingSink()
            request.maximumResponseBodySize = 100_000
            let error = await Self.failure(client, request)
            #expect(error?.kind == .bodyTooLarge)
            await client.shutdown()
        }
    }

    @Test("a sink that refuses data aborts the transfer with kind other")
    func refusingSink() async throws {
        let payload = Self.pattern(1 << 20)
        try await LoopbackHTTPServer.withServer(handler: { _ in LoopbackHTTPReply(body: payload) }) { server in
            let client = try CurlHTTPClient()
            var request = HTTPRequest(method: .get, url: server.baseURL + "/x")
            request.responseBodySink = CollectingSink(refusingAfter: 1)
            request.maximumResponseBodySize = 2 << 20
            let error = await Self.failure(client, request)
            #expect(error?.kind == .other)
            #expect(error?.message.contains("sink") == true)
            await client.shutdown()
        }
    }

    @Test("a truncated streamed body fails with connectionReset")
    func truncatedStream() async throws {
        let payload = Self.pattern(100_000)
        try await LoopbackHTTPServer.withServer(handler: { _ in
            LoopbackHTTPReply(body: payload, ending: .truncateBody(after: 50_000))
        }) {
            server in
            let client = try CurlHTTPClient()
            var request = HTTPRequest(method: .get, url: server.baseURL + "/x")
            request.responseBodySink = CollectingSink()
            request.maximumResponseBodySize = 1 << 20
            let error = await Self.failure(client, request)
            #expect(error?.kind == .connectionReset)
            await client.shutdown()
        }
    }

    @Test("a body file is sent as a PUT with its length, byte for byte")
    func bodyFileUpload() async throws {
        let payload = Self.pattern(700_000)
        let path = NSTemporaryDirectory() + "curlhttp-upload-\(UInt32.random(in: 0...UInt32.max)).bin"
        try Data(payload).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let received = Mutex<LoopbackHTTPRequest?>(nil)
        try await LoopbackHTTPServer.withServer(handler: { request in
            received.withLock { $0 = request }
            return .text("stored")
        }) { server in
            let client = try CurlHTTPClient()
            var request = HTTPRequest(
                method: .put,
                url: server.baseURL + "/bucket/key",
                headers: [("Content-Type", "video/mp4")]
            )
            request.bodyFile = HTTPRequestBodyFile(path: path, length: Int64(payload.count))
            let response = try await client.execute(request)
            await client.shutdown()
            #expect(response.status == 200)
        }
        let request = try #require(received.withLock { $0 })
        #expect(request.method == "PUT")
        #expect(request.header("Content-Length") == "\(payload.count)")
        #expect(request.header("Content-Type") == "video/mp4")
        #expect(request.body == payload)
    }

    @Test("a body file that cannot be opened, or with a method other than PUT, is an invalid request")
    func badBodyFile() async throws {
        let client = try CurlHTTPClient()
        var missing = HTTPRequest(method: .put, url: "http://127.0.0.1:9/x")
        missing.bodyFile = HTTPRequestBodyFile(
            path: "/nonexistent/faceid/\(UInt32.random(in: 0...UInt32.max))",
            length: 1
        )
        var post = HTTPRequest(method: .post, url: "http://127.0.0.1:9/x")
        post.bodyFile = HTTPRequestBodyFile(path: "/dev/null", length: 0)
        for request in [missing, post] {
            let error = await Self.failure(client, request)
            #expect(error?.kind == .invalidRequest)
        }
        await client.shutdown()
    }

    @Test("AWS SigV4: libcurl signs host, x-amz-date and the request's headers, and sends no Expect header")
    func sigV4Headers() async throws {
        let received = Mutex<LoopbackHTTPRequest?>(nil)
        try await LoopbackHTTPServer.withServer(handler: { request in
            received.withLock { $0 = request }
            return .text("ok")
        }) { server in
            let client = try CurlHTTPClient()
            var request = HTTPRequest(
                method: .put,
                url: server.baseURL + "/bucket/a/b.jpg",
                headers: [("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), ("Content-Type", "image/jpeg")],
                body: Array("frame".utf8)
            )
            request.awsSigV4 = AWSSigV4Signing(
                region: "ap-singapore",
                accessKeyID: "AKIDEXAMPLE",
                secretAccessKey: "s3cr3t"
            )
            _ = try await client.execute(request)
            await client.shutdown()
        }
        let request = try #require(received.withLock { $0 })
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        #expect(authorization.contains("/ap-singapore/s3/aws4_request"))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date"))
        #expect(!authorization.contains("s3cr3t"))
        #expect(request.header("x-amz-date") != nil)
        #expect(request.header("Expect") == nil)
        #expect(request.body == Array("frame".utf8))
        #expect(!"\(AWSSigV4Signing(region: "r", accessKeyID: "id", secretAccessKey: "s3cr3t"))".contains("s3cr3t"))
    }
}
