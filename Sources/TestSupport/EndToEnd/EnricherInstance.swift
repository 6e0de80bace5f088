public import Enricher
import Logging
import Metrics
public import Pipeline
import Prometheus
import ServiceLifecycle
import Synchronization

/// One in-process `EnrichmentService` — its own consumer, producer and FaceID client, in a `ServiceGroup` of its
/// own — started by an ``EnricherFleet``. A test stops it gracefully (SIGTERM's drain) or abruptly (task
/// cancellation, which abandons in-flight work uncommitted, as a crash does).
public final class EnricherInstance: Sendable {
    /// How to stop an instance.
    public enum StopMode: Sendable, Hashable {
        /// The graceful shutdown SIGTERM triggers: drain, commit, leave the group.
        case graceful
        /// Cancel the instance's task: nothing in flight finishes or is committed.
        case crash
    }

    private struct State: Sendable {
        var hasFinished = false
        var failure: String?
        var statistics: PipelineStatistics?
    }

    /// The instance's number within its fleet (0, 1, …), in start order.
    public let index: Int
    /// Its readiness and liveness, as `/readyz` and `/healthz` would report them.
    public let health: ServiceHealth
    /// The configuration it runs with.
    public let configuration: EnricherConfiguration
    let serviceGroup: ServiceGroup
    private let crashSignal: AsyncStream<Void>
    private let crashContinuation: AsyncStream<Void>.Continuation
    private let state = Mutex(State())

    private let sink: StatisticsSink
    private let operationsPort = BoundPort()

    /// Wraps `service` (built for this instance's `health`, its metrics factory when it serves operations, and its
    /// statistics sink) in a service group of its own; with `servesOperations`, the operations server runs in
    /// that group too, started first and so stopped last, as in the executable (`/readyz` answers 503 throughout a
    /// drain).
    init(
        index: Int,
        configuration: EnricherConfiguration,
        servesOperations: Bool,
        logger: Logger,
        service: (ServiceHealth, (any MetricsFactory)?, @escaping @Sendable (PipelineStatistics) -> Void)
            -> EnrichmentService
    ) {
        self.index = index
        self.configuration = configuration
        let health = ServiceHealth()
        self.health = health
        let (signal, continuation) = AsyncStream<Void>.makeStream()
        self.crashSignal = signal
        self.crashContinuation = continuation
        let sink = StatisticsSink()
        self.sink = sink
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var metricsFactory: (any MetricsFactory)?
        if servesOperations {
            let registry = PrometheusCollectorRegistry()
            metricsFactory = OperationsMetrics.makeFactory(registry: registry)
            let port = operationsPort
            var quiet = logger
            quiet.logLevel = .critical
            let server = OperationsServer.makeApplication(
                host: "127.0.0.1",
                port: 0,
                registry: registry,
                health: health,
                logger: quiet,
                onRunning: { port.set($0) }
            )
            services.append(.init(service: server))
        }
        services.append(.init(service: service(health, metricsFactory) { sink.set($0) }))
        self.serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [], logger: logger)
        )
    }

    /// `http://127.0.0.1:PORT` of the instance's `/metrics`, `/healthz` and `/readyz` once its operations server
    /// listens (``EnricherInstanceOptions/servesOperations``); `nil` before, or when it serves none.
    public var operationsURL: String? {
        operationsPort.value.map { "http://127.0.0.1:\($0)" }
    }

    /// Whether the service's `run()` has returned (after a stop, or by itself on a fatal error).
    public var hasFinished: Bool { state.withLock { $0.hasFinished } }

    /// The error `run()` ended with, described; `nil` while running or after a clean stop.
    public var failure: String? { state.withLock { $0.failure } }

    /// The pipeline's totals, once the service stopped by itself or gracefully.
    public var statistics: PipelineStatistics? { sink.value }

    /// Stops the instance and waits (up to `timeout`) until its `run()` returned; returns whether it did.
    @discardableResult
    public func stop(_ mode: StopMode, timeout: Duration = .seconds(60)) async -> Bool {
        switch mode {
        case .graceful:
            await serviceGroup.triggerGracefulShutdown()
        case .crash:
            crashContinuation.finish()
        }
        return await waitUntilFinished(timeout: timeout)
    }

    /// Waits (polling, at most `timeout`) until the instance's `run()` returned; returns whether it did.
    @discardableResult
    public func waitUntilFinished(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !hasFinished {
            if clock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits (polling, at most `timeout`) until the instance is ready (joined its group, not halted, not
    /// draining); returns whether it became ready.
    @discardableResult
    public func waitUntilReady(timeout: Duration = .seconds(30)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !health.current.isReady {
            if clock.now >= deadline || hasFinished || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits (polling, at most `timeout`) until the instance's health satisfies `predicate` — e.g. halted by an
    /// error that needs an operator; returns whether it did.
    @discardableResult
    public func waitUntilHealth(
        timeout: Duration = .seconds(30),
        _ predicate: (ServiceHealth.State) -> Bool
    ) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !predicate(health.current) {
            if clock.now >= deadline || hasFinished || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Runs the service until it stops by itself, is stopped gracefully, or is crashed (its task cancelled).
    func host() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await self.serviceGroup.run()
                } catch {
                    self.state.withLock { $0.failure = "\(error)" }
                }
            }
            group.addTask {
                // Ends when a crash is requested (the stream finishes) or the host is cancelled.
                for await _ in self.crashSignal {}
            }
            await group.next()
            group.cancelAll()
            await group.waitForAll()
        }
        state.withLock { $0.hasFinished = true }
    }
}

/// Where the operations server reports the port it bound (it listens on port 0).
private final class BoundPort: Sendable {
    private let storage = Mutex<Int?>(nil)

    func set(_ port: Int) { storage.withLock { $0 = port } }
    var value: Int? { storage.withLock { $0 } }
}

/// Receives the service's final statistics (the service reports them from its own task).
private final class StatisticsSink: Sendable {
    private let storage = Mutex<PipelineStatistics?>(nil)

    func set(_ statistics: PipelineStatistics) { storage.withLock { $0 = statistics } }
    var value: PipelineStatistics? { storage.withLock { $0 } }
}
