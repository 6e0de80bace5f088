public import Hummingbird
public import Logging
public import Prometheus

/// The HTTP side of the service: `/metrics` (Prometheus text format), `/healthz`, `/readyz`.
///
/// Built on Hummingbird so it runs as one more `Service` in the process's `ServiceGroup` and
/// shuts down with it. The server holds no state of its own: it renders the registry and the
/// ``ServiceHealth`` it is given.
public struct OperationsServer: Sendable {
    /// Creates the Hummingbird application for `host:port`. `onRunning` receives the bound
    /// port (useful with port 0 in tests).
    public static func makeApplication(
        host: String = "0.0.0.0",
        port: Int,
        registry: PrometheusCollectorRegistry,
        health: ServiceHealth,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer))
            )
        }
        router.get("/healthz") { _, _ -> Response in
            let state = health.current
            return text(state.isLoopRunning ? .ok : .serviceUnavailable, state.isLoopRunning ? "ok\n" : "not running\n")
        }
        router.get("/readyz") { _, _ -> Response in
            let state = health.current
            if state.isReady { return text(.ok, "ready\n") }
            let reason: String
            if let code = state.haltingCode {
                reason = "halted: \(code)"
            } else if state.isDraining {
                reason = "draining"
            } else if !state.hasJoinedGroup {
                reason = "not joined the consumer group yet"
            } else {
                reason = "not running"
            }
            return text(.serviceUnavailable, "not ready: \(reason)\n")
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "faceid-enricher"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }
}
