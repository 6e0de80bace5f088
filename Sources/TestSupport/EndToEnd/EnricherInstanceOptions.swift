public import Enricher
public import Logging
public import MediaArchive
public import Metrics
public import Pipeline
public import TencentCloud

/// How one in-process ``EnricherInstance`` is configured, with test-friendly defaults: short group timeouts
/// (``EnrichmentService/GroupTiming/fast``), short retry schedules (seconds, not minutes), a 5 s drain.
public struct EnricherInstanceOptions: Sendable {
    /// The group's API budget (requests per second), shared by every instance.
    public var rateLimit: Double = 20
    /// Events processed at once per instance.
    public var maxInFlight: Int = 64
    /// The retry schedules: transient errors retried for up to 30 s, pending results re-asked after
    /// 200 ms…1 s for up to 5 s, halting errors retried after 500 ms…2 s.
    public var retryPolicy = RetryPolicy(
        base: .milliseconds(50),
        cap: .seconds(1),
        maxElapsed: .seconds(30),
        pendingInitialDelay: .milliseconds(200),
        pendingMaximumDelay: .seconds(1),
        pendingMaxElapsed: .seconds(5),
        haltingInitialDelay: .milliseconds(500),
        haltingMaximumDelay: .seconds(2)
    )
    /// How long a graceful stop waits for in-flight events.
    public var drainTimeout: Duration = .seconds(5)
    /// The FaceID client's per-call timeout.
    public var requestTimeout: Duration = .seconds(5)
    /// Which FaceID action to call.
    public var action: FaceIDAction = .getWebVerificationResult
    /// The default region (events may name their own).
    public var defaultRegion: Region = .singapore
    /// Credentials to sign with; `nil` uses the fleet's (the ones the simulator accepts).
    public var credentials: TencentCloudCredentials?
    /// Keep the Intl action's inline media in outputs.
    public var keepsMediaBase64 = false
    /// Whether the instances share the budget by demand through the group's coordination topic (the
    /// service's default) rather than taking their partition share only.
    public var coordinatesBudget = true
    /// Where each result's media is archived (`--media-archive`); `nil` archives nothing.
    public var mediaArchive: MediaArchiveConfiguration?
    /// Consumer-group timing.
    public var timing: EnrichmentService.GroupTiming = .fast
    /// librdkafka properties passed through to the instance's consumer and producer.
    public var kafkaProperties: [(key: String, value: String)] = []
    /// Where the instance's metrics go (a test may pass a recording factory).
    public var metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance
    /// The instance's logger; `nil` uses the cluster's quiet one (`FACEID_TEST_LOG_LEVEL` raises it).
    public var logger: Logger?
    /// Serve `/metrics`, `/healthz` and `/readyz` on 127.0.0.1 (a free port, ``EnricherInstance/operationsURL``)
    /// from a Prometheus registry the service's metrics go to, as the executable does; `metricsFactory` is then
    /// not used.
    public var servesOperations = false

    /// The defaults above.
    public init() {}
}
