import EnricherJSON
import Foundation
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FaceIDSimulator {
    /// What to send back for one request, decided before any waiting happens.
    struct Decision: Sendable {
        enum Answer: Sendable {
            /// HTTP 200 with `{"Response": …}`.
            case response(JSONValue)
            /// HTTP 500 with a non-JSON body.
            case http500
            /// Drop the connection without answering.
            case reset
        }

        var answer: Answer
        /// The key this answer is counted under (see ``SimulatorCounters/outcomes``).
        var outcome: String
        var action: String?
        var bizToken: String?
        /// How long to hold the answer back (latency, jitter, the `slow` fault).
        var delay: Duration
    }

    /// Largest request body read; the real API's limit is far above a `BizToken` request.
    static let maximumBodySize = 1 << 20

    /// Answers one request: decides, waits the decided delay, then answers, fails or resets.
    func respond(to request: Request, channel: any Channel) async throws -> Response {
        if request.method == .get, request.uri.path.hasPrefix(SimulatedMediaLink.pathPrefix) {
            return await respondWithMedia(to: request)
        }
        let started = ContinuousClock.now
        let body = try await request.body.collect(upTo: Self.maximumBodySize)
        let received = SignatureVerifier.Received(
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.query ?? "",
            header: { name in Self.headerValue(request.head, name) },
            body: Array(body.readableBytesView)
        )
        let decision = decide(received, now: Date())
        state.withLock { $0.recordOutcome(decision.outcome) }
        if decision.delay > .zero {
            try await Task.sleep(for: decision.delay)
        }
        logRequest(decision, elapsed: ContinuousClock.now - started)

        switch decision.answer {
        case .response(let response):
            let bytes = JSONValue.object([(key: "Response", value: response)]).serializedBytes
            return Response(
                status: .ok,
                // Exactly `application/json`: Tencent's Python SDK parses errors only for that type.
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        case .http500:
            let html = "<html><head><title>500 Internal Server Error</title></head>"
                + "<body><center><h1>500 Internal Server Error</h1></center><hr><center>stgw</center></body></html>"
            return Response(
                status: .internalServerError,
                headers: [.contentType: "text/html"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: html))
            )
        case .reset:
            try await Self.reset(channel)
            throw ConnectionResetFault()
        }
    }

    /// Decides the answer: verification, rate limit, faults, then the BizToken's script.
    func decide(_ request: SignatureVerifier.Received, now: Date) -> Decision {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let actionHeader = request.header("X-TC-Action")
        var delay = state.withLock { state in
            state.recordArrival(action: actionHeader ?? "<none>", second: seconds)
            return state.drawLatency()
        }
        let requestID = UUID().uuidString.lowercased()

        func apiError(_ error: SimulatedAPIError, bizToken: String? = nil) -> Decision {
            Decision(
                answer: .response(SimulatedResult.error(error, requestID: requestID)),
                outcome: error.code,
                action: actionHeader,
                bizToken: bizToken,
                delay: delay
            )
        }

        let verified: SignatureVerifier.Verified
        switch verifier.verify(request, now: seconds) {
        case .failure(let error): return apiError(error)
        case .success(let value): verified = value
        }

        guard state.withLock({ $0.admit(at: .now, second: seconds) }) else {
            return apiError(.requestLimitExceeded)
        }

        let (faults, slowDelay) = state.withLock { ($0.drawFaults(), $0.slowDelay) }
        if faults.contains(.slow) { delay += slowDelay }
        if faults.contains(.reset) {
            return Decision(answer: .reset, outcome: "reset", action: actionHeader, bizToken: nil, delay: delay)
        }
        if faults.contains(.http500) {
            return Decision(answer: .http500, outcome: "http500", action: actionHeader, bizToken: nil, delay: delay)
        }
        if faults.contains(.inArrears) { return apiError(.inArrears) }
        if faults.contains(.resourceUnavailable) { return apiError(.resourceUnavailable) }
        if faults.contains(.internalError) { return apiError(.internalError) }

        let bizToken: String
        let parameter = request.method == "GET" ? Self.bizToken(inQuery: request.query) : Self.bizToken(in: request.body)
        switch parameter {
        case .failure(let error): return apiError(error)
        case .success(let token): bizToken = token
        }
        let call = state.withLock { $0.recordCall(bizToken: bizToken) }

        let verdict: SimulatedResult.Verdict
        switch ScriptedOutcome(bizToken: bizToken) {
        case .pass: verdict = .passed
        case .fail(let code): verdict = .failed(code: code)
        case .pending(let calls): verdict = call <= calls ? .pending : .passed
        case .pendingForever: verdict = .pending
        case .expired: return apiError(.bizTokenExpired, bizToken: bizToken)
        case .illegal: return apiError(.bizTokenIllegal, bizToken: bizToken)
        }
        let mediaBase = configuration.mediaBaseURL
            ?? "http://\(request.header("Host") ?? "\(configuration.host):\(port ?? configuration.port)")"
        let ttl = max(0, configuration.mediaTTL.components.seconds)
        let response = SimulatedResult.response(
            verdict: verdict,
            action: verified.action,
            bizToken: bizToken,
            region: verified.region,
            now: seconds,
            requestID: requestID,
            videoSize: configuration.videoSize
        ) { file in
            mediaLink.url(base: mediaBase, region: verified.region, bizToken: bizToken, file: file, now: seconds, ttl: ttl)
        }
        let outcome: String
        switch verdict {
        case .passed: outcome = "0"
        case .failed(let code): outcome = String(code)
        case .pending: outcome = "null"
        }
        return Decision(answer: .response(response), outcome: outcome, action: actionHeader, bizToken: bizToken, delay: delay)
    }

    /// The `BizToken` parameter of a JSON body, or the error Tencent answers without one.
    static func bizToken(in body: [UInt8]) -> Result<String, SimulatedAPIError> {
        guard let document = try? JSONValue(parsing: body), document.objectMembers != nil else {
            return .failure(.invalidParameter("The request body is not a JSON object."))
        }
        guard let value = document["BizToken"], !value.isNull else {
            return .failure(.missingParameter("BizToken"))
        }
        guard let token = value.stringValue else {
            return .failure(.invalidParameter("The parameter `BizToken` must be a string."))
        }
        guard !token.isEmpty else { return .failure(.missingParameter("BizToken")) }
        return .success(token)
    }

    /// The `BizToken` parameter of a GET request's query (`BizToken=…&…`), percent-decoded.
    static func bizToken(inQuery query: String) -> Result<String, SimulatedAPIError> {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first == "BizToken" else { continue }
            let raw = parts.count == 2 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            guard let token = raw.removingPercentEncoding else {
                return .failure(.invalidParameter("The parameter `BizToken` is not valid percent-encoding."))
            }
            return token.isEmpty ? .failure(.missingParameter("BizToken")) : .success(token)
        }
        return .failure(.missingParameter("BizToken"))
    }

    /// All values of header `name` (case-insensitive), joined by `,` as HTTP allows; `nil` if absent.
    ///
    /// HTTP/1 `Host` arrives as the request's authority, not as a header field.
    static func headerValue(_ head: HTTPRequest, _ name: String) -> String? {
        let lowered = name.lowercased()
        if lowered == "host" { return head.authority }
        let values = head.headerFields.filter { $0.name.canonicalName == lowered }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }

    /// Closes the connection with SO_LINGER 0, so the peer sees a TCP reset, not a clean close.
    static func reset(_ channel: any Channel) async throws {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    private func logRequest(_ decision: Decision, elapsed: Duration) {
        guard configuration.logsRequests else { return }
        let line = Self.requestLogLine(decision, elapsed: elapsed, at: Date())
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The `--log-requests` line: time, action, BizToken, outcome and latency. Built from the
    /// decision only, which holds no header, signature, credential or media URL.
    static func requestLogLine(_ decision: Decision, elapsed: Duration, at time: Date) -> String {
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return JSONValue.members([
            "time": .string(time.formatted(.iso8601)),
            "action": decision.action.map(JSONValue.string) ?? .null,
            "bizToken": decision.bizToken.map(JSONValue.string) ?? .null,
            "outcome": .string(decision.outcome),
            "latencyMs": .integer(milliseconds),
        ]).serialized
    }
}

/// Thrown after the `reset` fault dropped the connection, so no response is written.
struct ConnectionResetFault: Error {}
