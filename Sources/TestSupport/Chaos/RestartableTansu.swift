import Synchronization

/// A Tansu broker that a test can restart in place — stopped, then started again on the same port, so clients
/// keep their `bootstrap.servers` — for chaos tests of a broker restart. Tansu 0.6's storage is in memory (its
/// `sqlite://` engine is not compiled into the shipped binary), so a restart loses every topic, offset and group.
///
/// Use ``withRestartableTansu(_:)``, which stops whichever broker runs at the end.
public final class RestartableTansu: Sendable {
    /// The cluster handle tests use; its address stays valid across restarts.
    public let cluster: KafkaTestCluster
    private let broker: Mutex<TansuBroker?>
    private let port: Int

    init(broker: TansuBroker) {
        self.broker = Mutex(broker)
        self.port = broker.port
        self.cluster = KafkaTestCluster(
            backend: .tansu,
            bootstrapServers: broker.bootstrapServers,
            mock: nil,
            logger: KafkaTestCluster.makeLogger()
        )
    }

    /// Stops the broker (SIGTERM, SIGKILL after a grace) and starts a fresh one on the same port.
    public func restart() async throws {
        await stop()
        let fresh = try await TansuBroker.start(port: port)
        broker.withLock { $0 = fresh }
    }

    /// Stops the running broker, if any.
    func stop() async {
        let running = broker.withLock { broker in
            defer { broker = nil }
            return broker
        }
        await running?.stop()
    }
}

/// Runs `body` with a Tansu broker it may restart (see ``RestartableTansu``), and stops the broker afterwards,
/// whether `body` returns or throws.
public func withRestartableTansu<Result>(_ body: (RestartableTansu) async throws -> Result) async throws -> Result {
    let tansu = RestartableTansu(broker: try await TansuBroker.start())
    do {
        let result = try await body(tansu)
        await tansu.stop()
        return result
    } catch {
        await tansu.stop()
        throw error
    }
}
