import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle
import Synchronization

/// A stand-in for Tencent Cloud FaceID's `GetWebVerificationResult` and
/// `GetWebVerificationResultIntl` over HTTP, for local development, the demo and tests.
///
/// It verifies TC3-HMAC-SHA256 signatures with the `TencentCloud` module's signing steps,
/// enforces a token-bucket rate limit, answers scripted outcomes chosen by the BizToken's
/// prefix (see CONTRACT.md) and injects faults with configurable probabilities. Counters are
/// readable while it runs, and the rate limit, latency and fault probabilities can be changed
/// at runtime, so a chaos test can flip them mid-run.
///
/// A `Service`: ``run()`` binds, serves until the task is cancelled or a graceful shutdown is
/// signalled, then returns. `Sendable` because all mutable state sits behind one `Mutex`.
public final class FaceIDSimulator: Service, Sendable {
    /// The configuration it was created with (runtime changes are not reflected here).
    public let configuration: SimulatorConfiguration
    let verifier: SignatureVerifier
    /// Signs and checks the media URLs this simulator hands out, under a key of its own.
    let mediaLink = SimulatedMediaLink(key: (0..<32).map { _ in UInt8.random(in: 0...255) })
    let state: Mutex<SimulatorState>
    let logger: Logger

    /// A simulator that will serve `configuration` once ``run()`` is called.
    public init(configuration: SimulatorConfiguration, logger: Logger = Logger(label: "faceid-simulator")) {
        self.configuration = configuration
        var secrets: [String: String] = [:]
        for secret in configuration.secrets { secrets[secret.secretID] = secret.secretKey }
        let skew = configuration.maximumClockSkew.components.seconds
        self.verifier = SignatureVerifier(secrets: secrets, maximumSkewSeconds: skew)
        self.state = Mutex(SimulatorState(configuration: configuration))
        self.logger = logger
    }

    /// Binds and serves until cancelled or gracefully shut down.
    ///
    /// Throws ``SimulatorError`` when it cannot bind or was already started; cancellation is
    /// a normal stop, not an error.
    public func run() async throws(SimulatorError) {
        let mayStart = state.withLock { state -> Bool in
            guard case .idle = state.lifecycle else { return false }
            state.lifecycle = .starting
            return true
        }
        guard mayStart else {
            throw SimulatorError(code: .alreadyStarted, message: "a FaceIDSimulator runs once")
        }
        let idleTimeout = configuration.idleConnectionTimeout.map(TimeAmount.init)
        let application = Application(
            responder: SimulatorResponder(simulator: self),
            server: .http1(configuration: .init(idleTimeout: idleTimeout)),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "faceid-simulator"
            ),
            onServerRunning: { [self] channel in
                markRunning(port: channel.localAddress?.port ?? configuration.port)
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            markStopped()
            // Cancellation is how a caller stops the simulator: not a failure.
            if Task.isCancelled { return }
            throw SimulatorError(code: .startFailed, message: "serving on \(configuration.host):\(configuration.port) failed: \(error)")
        }
        markStopped()
    }

    /// The bound port once listening (the real one when configured with port 0), else `nil`.
    public var port: Int? {
        state.withLock { state in
            if case .running(let port) = state.lifecycle { return port }
            return nil
        }
    }

    /// The base URL clients use, `http://HOST:PORT/`, once listening.
    public var baseURL: String? {
        port.map { "http://\(configuration.host):\($0)/" }
    }

    /// Waits until the server listens and returns its port.
    ///
    /// Throws ``SimulatorError`` with ``SimulatorError/Code/notRunning`` if it stops (or fails
    /// to bind) first, or if the waiting task is cancelled.
    public func waitUntilRunning() async throws(SimulatorError) -> Int {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                    state.withLock { state in
                        switch state.lifecycle {
                        case .running(let port):
                            continuation.resume(returning: port)
                        case .stopped:
                            continuation.resume(throwing: SimulatorError(code: .notRunning, message: "the simulator has stopped"))
                        case .idle, .starting:
                            if Task.isCancelled {
                                continuation.resume(throwing: CancellationError())
                            } else {
                                state.waiters[id] = continuation
                            }
                        }
                    }
                }
            } onCancel: {
                // Whoever removes the continuation resumes it: here, markRunning or markStopped.
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(throwing: CancellationError())
            }
        } catch let error as SimulatorError {
            throw error
        } catch {
            throw SimulatorError(code: .notRunning, message: "stopped waiting: \(error)")
        }
    }

    /// A snapshot of the counters.
    public var counters: SimulatorCounters {
        state.withLock { $0.counters }
    }

    /// Zeroes the counters (and the calls per token that `PEND<k>-` tokens count).
    public func resetCounters() {
        state.withLock { $0.resetCounters() }
    }

    /// Changes the requests-per-second limit (`0` = unlimited); the bucket starts full.
    public func setRateLimit(_ requestsPerSecond: Int) {
        state.withLock { $0.bucket.setRate(requestsPerSecond) }
    }

    /// Changes one fault's probability (0…1, clamped).
    public func setFaultProbability(_ probability: Double, for fault: SimulatorFault) {
        let clamped = min(max(probability, 0), 1)
        state.withLock { $0.faults[fault] = clamped }
    }

    /// Turns every fault off.
    public func clearFaults() {
        state.withLock { $0.faults = [:] }
    }

    /// Changes the latency added to every answer and its jitter.
    public func setLatency(_ latency: Duration, jitter: Duration = .zero) {
        state.withLock {
            $0.latency = latency
            $0.jitter = jitter
        }
    }

    /// Changes how long the `slow` fault holds an answer back.
    public func setSlowDelay(_ delay: Duration) {
        state.withLock { $0.slowDelay = delay }
    }

    private func markRunning(port: Int) {
        let waiters = state.withLock { state in
            state.lifecycle = .running(port: port)
            defer { state.waiters = [:] }
            return state.waiters
        }
        for waiter in waiters.values { waiter.resume(returning: port) }
        logger.debug("FaceID simulator listening", metadata: ["simulator.port": "\(port)"])
    }

    private func markStopped() {
        let waiters = state.withLock { state in
            state.lifecycle = .stopped
            defer { state.waiters = [:] }
            return state.waiters
        }
        for waiter in waiters.values {
            waiter.resume(throwing: SimulatorError(code: .notRunning, message: "the simulator stopped before it listened"))
        }
    }
}
