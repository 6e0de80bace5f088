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
            let (status, body) = readiness(health.current)
            return text(status, body)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "faceid-enricher"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// The `/readyz` answer for `state`: 200 or 503, and one line saying why. A standby (placed with no partition)
    /// is ready and says so; a member whose rebalance never finished is not, and names its group.
    static func readiness(_ state: ServiceHealth.State) -> (HTTPResponse.Status, String) {
        if state.isReady {
            guard let unassigned = state.unassigned else { return (.ok, "ready\n") }
            return (
                .ok,
                "ready: standby: no partition of \(unassigned.topic) (\(unassigned.inputPartitions) partitions) "
                    + "assigned to this member of group \(unassigned.group) for \(unassigned.seconds) s; "
                    + "the group placed them on other members\n"
            )
        }
        let reason: String
        if let code = state.haltingCode {
            reason = "halted: \(code)"
        } else if state.isDraining {
            reason = "draining"
        } else if let unassigned = state.unassigned, state.isStalled {
            reason =
                "no partitions: group \(unassigned.group) has not finished a rebalance for this member in "
                + "\(unassigned.seconds) s (\(unassigned.topic) has \(unassigned.inputPartitions) partitions; "
                + "librdkafka join state \(unassigned.joinState ?? "unknown"))"
        } else if !state.hasJoinedGroup {
            reason = "not joined the consumer group yet"
        } else {
            reason = "not running"
        }
        return (.serviceUnavailable, "not ready: \(reason)\n")
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }
}
