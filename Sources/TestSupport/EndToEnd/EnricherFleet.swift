public import Enricher
import Logging
import Metrics
import ServiceLifecycle
public import Simulator
import Synchronization
public import TencentCloud

/// A set of in-process `EnrichmentService` instances in one consumer group, against a ``KafkaTestCluster`` and an
/// in-process ``FaceIDSimulator`` — what a deployment of N replicas does, in one test process.
///
/// Create it with ``withEnricherFleet(cluster:topics:simulator:secret:group:instances:options:_:)``, which starts
/// the first instances and always stops every instance when the body returns or throws. More instances can be
/// started (``start(_:)``) and any one stopped (``EnricherInstance/stop(_:timeout:)``) while the body runs.
public final class EnricherFleet: Sendable {
    /// The cluster the instances consume from and publish to.
    public let cluster: KafkaTestCluster
    /// The topics every instance uses.
    public let topics: EndToEndTopics
    /// The consumer group every instance joins (unique per fleet unless given).
    public let group: String
    /// The simulator's base URL (`http://127.0.0.1:PORT`).
    public let endpoint: TencentCloudEndpoint
    /// The credentials the simulator accepts.
    public let credentials: TencentCloudCredentials
    /// The options instances start with unless ``start(_:)`` is given others.
    public let defaultOptions: EnricherInstanceOptions
    private let inbox: AsyncStream<EnricherInstance>.Continuation
    private let started = Mutex<[EnricherInstance]>([])

    init(
        cluster: KafkaTestCluster,
        topics: EndToEndTopics,
        group: String,
        endpoint: TencentCloudEndpoint,
        credentials: TencentCloudCredentials,
        defaultOptions: EnricherInstanceOptions,
        inbox: AsyncStream<EnricherInstance>.Continuation
    ) {
        self.cluster = cluster
        self.topics = topics
        self.group = group
        self.endpoint = endpoint
        self.credentials = credentials
        self.defaultOptions = defaultOptions
        self.inbox = inbox
    }

    /// Every instance started so far, in start order (stopped ones included).
    public var instances: [EnricherInstance] { started.withLock { $0 } }

    /// Instances whose `run()` has not returned.
    public var runningInstances: [EnricherInstance] { instances.filter { !$0.hasFinished } }

    /// The configuration an instance with `options` runs with: the fleet's cluster, group and topics.
    public func configuration(_ options: EnricherInstanceOptions) -> EnricherConfiguration {
        var configuration = EnricherConfiguration.defaults
        configuration.brokers = cluster.bootstrapServers
        configuration.group = group
        configuration.inputTopic = topics.input
        configuration.outputTopic = topics.output
        configuration.dlqTopic = topics.deadLetter
        configuration.kafkaProperties = options.kafkaProperties
        configuration.rateLimit = options.rateLimit
        configuration.maxInFlight = options.maxInFlight
        configuration.retryMaxElapsed = options.retryPolicy.maxElapsed
        configuration.keepMediaBase64 = options.keepsMediaBase64
        configuration.drainTimeout = options.drainTimeout
        configuration.coordinationTopic =
            options.coordinatesBudget ? EnricherConfiguration.defaultCoordinationTopic(group: group) : nil
        return configuration
    }

    /// Starts one more instance in the group (with `options`, else the fleet's defaults) and returns it at once;
    /// use ``EnricherInstance/waitUntilReady(timeout:)`` to wait for its group join.
    @discardableResult
    public func start(_ options: EnricherInstanceOptions? = nil) -> EnricherInstance {
        let options = options ?? defaultOptions
        let configuration = configuration(options)
        let logger = options.logger ?? cluster.logger
        let faceID = FaceIDClientConfiguration(
            endpoint: endpoint,
            action: options.action,
            credentials: options.credentials ?? credentials,
            defaultRegion: options.defaultRegion,
            requestTimeout: options.requestTimeout
        )
        let instance = started.withLock { started in
            let instance = EnricherInstance(
                index: started.count,
                configuration: configuration,
                servesOperations: options.servesOperations,
                logger: logger
            ) { health, metricsFactory, onFinished in
                EnrichmentService(
                    configuration: configuration,
                    faceID: faceID,
                    timing: options.timing,
                    retryPolicy: options.retryPolicy,
                    health: health,
                    mediaArchive: options.mediaArchive,
                    metricsFactory: metricsFactory ?? options.metricsFactory,
                    logger: logger,
                    onFinished: onFinished
                )
            }
            started.append(instance)
            return instance
        }
        inbox.yield(instance)
        return instance
    }

    /// Waits until every running instance is ready (joined, not halted); returns whether all became ready.
    @discardableResult
    public func waitUntilReady(timeout: Duration = .seconds(30)) async -> Bool {
        for instance in runningInstances {
            guard await instance.waitUntilReady(timeout: timeout) else { return false }
        }
        return true
    }

    /// Stops every running instance, all at once, and waits for them.
    public func stopAll(_ mode: EnricherInstance.StopMode, timeout: Duration = .seconds(60)) async {
        await withTaskGroup(of: Void.self) { group in
            for instance in runningInstances {
                group.addTask { await instance.stop(mode, timeout: timeout) }
            }
        }
    }

    func finishIntake() {
        inbox.finish()
    }
}

/// Runs `body` with a fleet of `instances` in-process `EnrichmentService`s in one consumer group over `topics`
/// of `cluster`, calling `simulator` with `secret`; afterwards stops every instance still running (gracefully
/// when `body` returned, by cancellation when it threw) and waits for them.
///
/// The instances are started when `body` begins (not yet joined: call ``EnricherFleet/waitUntilReady(timeout:)``
/// when the test needs the group formed).
public func withEnricherFleet<Result: Sendable>(
    cluster: KafkaTestCluster,
    topics: EndToEndTopics,
    simulator: FaceIDSimulator,
    secret: SimulatorSecret,
    group: String = KafkaTestCluster.uniqueName("e2e-group"),
    instances: Int = 1,
    options: EnricherInstanceOptions = EnricherInstanceOptions(),
    _ body: (EnricherFleet) async throws -> Result
) async throws -> Result {
    guard let port = simulator.port else {
        throw KafkaTestRigError("the simulator is not listening")
    }
    let endpoint = try TencentCloudEndpoint(parsing: "http://127.0.0.1:\(port)")
    // The group's coordination topic, as an operator would create it (the mock cluster cannot create
    // topics through the admin API the service would otherwise use).
    if options.coordinatesBudget {
        try await cluster.createTopicIfMissing(EnricherConfiguration.defaultCoordinationTopic(group: group), partitions: 1)
    }
    let (inbox, continuation) = AsyncStream<EnricherInstance>.makeStream()
    let fleet = EnricherFleet(
        cluster: cluster,
        topics: topics,
        group: group,
        endpoint: endpoint,
        credentials: TencentCloudCredentials(secretID: secret.secretID, secretKey: secret.secretKey),
        defaultOptions: options,
        inbox: continuation
    )
    let outcome: Swift.Result<Result, any Error> = await withTaskGroup(of: Void.self) { group in
        group.addTask {
            await withDiscardingTaskGroup { hosts in
                for await instance in inbox {
                    hosts.addTask { await instance.host() }
                }
            }
        }
        let outcome: Swift.Result<Result, any Error>
        do {
            for _ in 0..<instances { fleet.start() }
            outcome = .success(try await body(fleet))
            await fleet.stopAll(.graceful)
        } catch {
            outcome = .failure(error)
            await fleet.stopAll(.crash)
        }
        fleet.finishIntake()
        // Anything that did not stop within stopAll's timeout is cancelled (crashed) rather than waited for.
        group.cancelAll()
        await group.waitForAll()
        return outcome
    }
    return try outcome.get()
}
