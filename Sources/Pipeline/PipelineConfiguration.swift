/// Everything the enrichment engine needs to know that is not a collaborator: topics, limits,
/// pacing, retry schedule and shutdown budget. The executable fills it from flags and
/// environment; the defaults are the contract's.
public struct PipelineConfiguration: Sendable, Hashable {
    /// Where result events go (`--output-topic`).
    public var outputTopic: String
    /// Where dead-letter events go (`--dlq-topic`).
    public var deadLetterTopic: String
    /// The region for events that name none (`--region`).
    public var defaultRegion: String
    /// Regions an event may name.
    public var allowedRegions: Set<String>
    /// Events processed at once (`--max-in-flight`); at this many, input partitions are paused.
    public var maxInFlight: Int
    /// The group budget and AIMD parameters (`--rate-limit`).
    public var rateLimit: RateLimiterConfiguration
    /// This member's identity on the coordination topic, through which the group shares the budget
    /// by demand; `nil` takes the partition share only (budget × assigned / total partitions).
    public var coordination: BudgetCoordination?
    /// The retry schedules (`--retry-max-elapsed` is `retry.maxElapsed`).
    public var retry: RetryPolicy
    /// How often acknowledged progress is committed.
    public var commitInterval: Duration
    /// Completions after which progress is committed without waiting for the interval.
    public var commitBatchSize: Int
    /// How long a graceful shutdown lets in-flight events finish before abandoning them.
    public var drainTimeout: Duration
    /// Whether Intl inline media is published as is (`--keep-media-base64`).
    public var keepsMediaBase64: Bool
    /// The CloudEvents `source`.
    public var eventSource: String

    /// The contract's defaults.
    public init(
        outputTopic: String = "faceid.verification.result",
        deadLetterTopic: String = "faceid.verification.dlq",
        defaultRegion: String = "ap-singapore",
        allowedRegions: Set<String> = InputValidator.knownRegions,
        maxInFlight: Int = 64,
        rateLimit: RateLimiterConfiguration = RateLimiterConfiguration(),
        coordination: BudgetCoordination? = nil,
        retry: RetryPolicy = RetryPolicy(),
        commitInterval: Duration = .milliseconds(500),
        commitBatchSize: Int = 500,
        drainTimeout: Duration = .seconds(10),
        keepsMediaBase64: Bool = false,
        eventSource: String = "faceid-enricher"
    ) {
        self.outputTopic = outputTopic
        self.deadLetterTopic = deadLetterTopic
        self.defaultRegion = defaultRegion
        self.allowedRegions = allowedRegions
        self.maxInFlight = maxInFlight
        self.rateLimit = rateLimit
        self.coordination = coordination
        self.retry = retry
        self.commitInterval = commitInterval
        self.commitBatchSize = commitBatchSize
        self.drainTimeout = drainTimeout
        self.keepsMediaBase64 = keepsMediaBase64
        self.eventSource = eventSource
    }
}
