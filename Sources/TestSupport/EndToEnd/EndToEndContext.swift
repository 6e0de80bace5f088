public import Simulator
public import TencentCloud

/// Everything one end-to-end test needs, set up and torn down by ``withEndToEnd(backend:inputPartitions:outputPartitions:simulator:_:)``:
/// a fresh cluster of the backend, three unique topics, a loopback FaceID simulator accepting a random secret,
/// and a producer for the input topic. Tests then start a fleet (``withFleet(instances:group:options:_:)``)
/// and a reader (``withReader(_:)``).
///
/// A typical test:
/// ```swift
/// try await withEndToEnd(backend: backend, inputPartitions: 3) { e2e in
///     let events = (0..<50).map { _ in TestInputEvent.scripted("PASS") }
///     try await e2e.producer.send(events)
///     let snapshot = try await e2e.withFleet(instances: 2) { fleet in
///         try await e2e.withReader { reader in await reader.waitForOutputs(events.map(\.eventId)) }
///     }
///     let audit = DeliveryAudit(eventIds: events.map(\.eventId), snapshot: snapshot)
///     #expect(audit.isComplete, "\(audit)")
/// }
/// ```
/// Stop one member abruptly with `fleet.instances[0].stop(.crash)`, read the group's commits with
/// ``committedInputOffsets(group:)``, and run the built binary with ``withEnricherProcess(_:environment:removingEnvironment:_:)``.
public struct EndToEndContext: Sendable {
    /// The Kafka cluster (mock or Tansu).
    public let cluster: KafkaTestCluster
    /// The in-process FaceID simulator (scripted by token prefix; faults, latency and rate limit adjustable).
    public let simulator: FaceIDSimulator
    /// The credentials the simulator accepts.
    public let secret: SimulatorSecret
    /// The test's topics (already created).
    public let topics: EndToEndTopics
    /// The input topic's partition count.
    public let inputPartitions: Int32
    /// Produces into the input topic.
    public let producer: TestEventProducer

    /// The simulator's credentials as a client signs with them.
    public var credentials: TencentCloudCredentials {
        TencentCloudCredentials(secretID: secret.secretID, secretKey: secret.secretKey)
    }

    /// The simulator's base URL, `http://127.0.0.1:PORT`.
    public var simulatorURL: String { "http://127.0.0.1:\(simulator.port ?? 0)" }

    /// Runs `body` with a fleet of `instances` services on this context's topics (see ``withEnricherFleet(cluster:topics:simulator:secret:group:instances:options:_:)``).
    public func withFleet<Result: Sendable>(
        instances: Int = 1,
        group: String = KafkaTestCluster.uniqueName("e2e-group"),
        options: EnricherInstanceOptions = EnricherInstanceOptions(),
        _ body: (EnricherFleet) async throws -> Result
    ) async throws -> Result {
        try await withEnricherFleet(
            cluster: cluster,
            topics: topics,
            simulator: simulator,
            secret: secret,
            group: group,
            instances: instances,
            options: options,
            body
        )
    }

    /// Runs `body` with a reader of the output and dead-letter topics.
    public func withReader<Result: Sendable>(_ body: (TopicReader) async throws -> Result) async throws -> Result {
        try await withTopicReader(cluster: cluster, topics: topics, body)
    }

    /// The offsets `group` committed on the input topic, by partition.
    public func committedInputOffsets(group: String) async throws -> [Int32: Int64] {
        try await cluster.committedOffsets(group: group, topic: topics.input, partitions: inputPartitions)
    }

    /// A FaceID client signed with the simulator's credentials, for comparing outputs with direct answers.
    /// The caller shuts it down.
    public func makeFaceIDClient(action: FaceIDAction = .getWebVerificationResult) throws -> FaceIDClient {
        let endpoint = try TencentCloudEndpoint(parsing: simulatorURL)
        return try FaceIDClient(configuration: FaceIDClientConfiguration(endpoint: endpoint, action: action, credentials: credentials))
    }
}

/// A random secret pair for a test's simulator (never a real credential).
public func makeTestSecret() -> SimulatorSecret {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    let key = String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    return SimulatorSecret(secretID: "AKIDtest\(UInt32.random(in: 0...UInt32.max))", secretKey: key)
}

/// Sets up an ``EndToEndContext`` on a fresh cluster of `backend` (three unique topics created: the input with
/// `inputPartitions`), a loopback simulator with `simulator`'s behaviour plus a random accepted secret, runs
/// `body`, and tears everything down, also when `body` throws.
public func withEndToEnd<Result: Sendable>(
    backend: KafkaTestBackend,
    inputPartitions: Int32 = 3,
    outputPartitions: Int32? = nil,
    simulator: SimulatorConfiguration = SimulatorConfiguration(),
    _ body: (EndToEndContext) async throws -> Result
) async throws -> Result {
    let secret = makeTestSecret()
    var configuration = simulator
    configuration.secrets.append(secret)
    // A broker that fails to start (Tansu losing a race for its port to a parallel test) is retried, twice;
    // once the cluster is up, every failure is the test's.
    var attempt = 0
    while true {
        attempt += 1
        var isClusterUp = false
        do {
            return try await backend.withCluster { cluster in
                isClusterUp = true
                return try await withEndToEndContext(
                    cluster: cluster,
                    secret: secret,
                    simulator: configuration,
                    inputPartitions: inputPartitions,
                    outputPartitions: outputPartitions,
                    body
                )
            }
        } catch is KafkaTestRigError where !isClusterUp && attempt < 3 {
            continue
        }
    }
}

/// Creates the topics, the simulator and the producer on an already running cluster, runs `body`, tears down.
private func withEndToEndContext<Result: Sendable>(
    cluster: KafkaTestCluster,
    secret: SimulatorSecret,
    simulator configuration: SimulatorConfiguration,
    inputPartitions: Int32,
    outputPartitions: Int32?,
    _ body: (EndToEndContext) async throws -> Result
) async throws -> Result {
    let topics = EndToEndTopics()
    try await topics.create(in: cluster, inputPartitions: inputPartitions, outputPartitions: outputPartitions)
    return try await withSimulator(configuration) { simulator in
        let producer = try TestEventProducer(cluster: cluster, topic: topics.input)
        let context = EndToEndContext(
            cluster: cluster,
            simulator: simulator,
            secret: secret,
            topics: topics,
            inputPartitions: inputPartitions,
            producer: producer
        )
        do {
            let result = try await body(context)
            await producer.shutdown()
            return result
        } catch {
            await producer.shutdown()
            throw error
        }
    }
}
