public import Logging
public import Metrics
import Synchronization

/// The enrichment engine: consumes input records and assignment changes, validates each event,
/// fetches its FaceID result under the group's rate limit with retries, publishes one result or
/// dead-letter event per input, and commits offsets only over acknowledged prefixes.
///
/// It talks to Kafka and Tencent only through ``VerificationFetcher``, ``RecordPublisher`` and
/// ``PartitionControl``, so it is tested with fakes. Events with the same key (in a partition)
/// are handled in offset order; different keys run concurrently, up to `maxInFlight` events,
/// beyond which the input partitions are paused. Time is read from `clock` (waiting) and
/// `wallClock` (timestamps), both injected.
public final class EnrichmentPipeline<C: Clock>: Sendable where C.Duration == Duration {
    let configuration: PipelineConfiguration
    let fetcher: any VerificationFetcher
    /// Archives each result's media before it is published; `nil` when archiving is off.
    let mediaArchiver: (any MediaArchiver)?
    let publisher: any RecordPublisher
    let partitions: any PartitionControl
    let clock: C
    let wallClock: WallClock
    let random: @Sendable () -> Double
    let healthObserver: @Sendable (PipelineHealth) -> Void
    let logger: Logger
    let metrics: PipelineMetrics
    let validator: InputValidator
    let outputBuilder: OutputEventBuilder
    let deadLetterBuilder: DeadLetterRecordBuilder
    let rateLimiter: RateLimiter<C>
    let singleFlight = SingleFlight<String, FetchAttempt>()
    let commitGate = SerialGate()
    /// Keeps the input reader within a few records of the intake, so `maxInFlight` holds.
    let intakeWindow = IntakeWindow(size: 16)
    /// Fired when a graceful shutdown starts: no new fetches, waits are cut short.
    let drainSignal = Signal()
    /// Fired when a drain has let calls already waiting spend the slots the group granted this
    /// member before the drain (its records announced them `lead` epochs ahead); later waits end.
    let slotGraceSignal = Signal()
    /// Fired when, during a drain, the last worker finished.
    let idleSignal = Signal()
    /// Fired when the drain timeout passed: every remaining worker is cancelled.
    let abandonSignal = Signal()
    let state = Mutex(State())

    /// An engine over the given collaborators.
    /// - Parameters:
    ///   - md5: lower-case hex MD5, for the size-and-digest stand-in of inline media.
    ///   - clock: the clock waits (pacing, backoff, commit interval, drain timeout) use.
    ///   - wallClock: where event timestamps come from.
    ///   - random: uniform numbers in `[0, 1)` for backoff jitter.
    ///   - metricsFactory: where metrics are created (no global bootstrap needed).
    ///   - mediaArchiver: stores each result's media before the result is published
    ///     (`--media-archive`); `nil` publishes results without archiving (`data.media` null).
    ///   - healthObserver: told every change of ``health`` (for `/readyz`), in order; it is called
    ///     under the pipeline's lock and must not call back into the pipeline.
    public init(
        configuration: PipelineConfiguration,
        fetcher: some VerificationFetcher,
        publisher: some RecordPublisher,
        partitions: some PartitionControl,
        md5: @escaping @Sendable ([UInt8]) -> String,
        clock: C,
        wallClock: WallClock = .system,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        metricsFactory: any MetricsFactory,
        logger: Logger,
        mediaArchiver: (any MediaArchiver)? = nil,
        healthObserver: @escaping @Sendable (PipelineHealth) -> Void = { _ in }
    ) {
        var configuration = configuration
        configuration.maxInFlight = max(1, configuration.maxInFlight)
        self.configuration = configuration
        self.fetcher = fetcher
        self.mediaArchiver = mediaArchiver
        self.publisher = publisher
        self.partitions = partitions
        self.clock = clock
        self.wallClock = wallClock
        self.random = random
        self.healthObserver = healthObserver
        self.logger = logger
        let metrics = PipelineMetrics(factory: metricsFactory)
        self.metrics = metrics
        self.validator = InputValidator(
            defaultRegion: configuration.defaultRegion,
            allowedRegions: configuration.allowedRegions
        )
        self.outputBuilder = OutputEventBuilder(
            topic: configuration.outputTopic,
            source: configuration.eventSource,
            keepsMediaBase64: configuration.keepsMediaBase64,
            md5: md5
        )
        self.deadLetterBuilder = DeadLetterRecordBuilder(topic: configuration.deadLetterTopic)
        let timeline = BudgetTimeline(clock: clock, wallNanos: wallClock.now().millisecondsSinceEpoch * 1_000_000)
        let budget = GroupBudget(
            groupBudget: configuration.rateLimit.groupBudget,
            timeline: timeline,
            coordination: configuration.coordination
        )
        self.rateLimiter = RateLimiter(configuration: configuration.rateLimit, budget: budget) { rate in
            metrics.rateShare.record(rate)
        }
    }

    /// This member's part of the group budget: the coordination service feeds it the group's
    /// records and reads this member's own.
    public var groupBudget: GroupBudget<C> { rateLimiter.budget }

    /// This member's coordination record for the epoch `BudgetSchedule.lead` epochs ahead, with the
    /// calls it has ready now as its demand; `nil` without coordination. Also refreshes the budget
    /// gauges, once an epoch.
    public func makeBudgetRecord() -> BudgetRecord? {
        // A draining member asks for nothing more: its waiting calls only spend what it was granted.
        let demand = rateLimiter.takeDemand()
        let record = groupBudget.makeRecord(demand: state.withLock { $0.isDraining } ? 0 : demand)
        if let record {
            let seconds = Double(groupBudget.schedule.epochNanos) / 1e9
            metrics.rateDemand.record(Double(record.demand) / seconds)
        }
        refreshBudgetGauges()
        return record
    }

    /// Sets the rate-share and group gauges from the budget as it stands now.
    public func refreshBudgetGauges() {
        rateLimiter.refreshRate()
        let status = groupBudget.believedGroup()
        let seconds = Double(groupBudget.schedule.epochNanos) / 1e9
        metrics.rateGroupMembers.record(status.members)
        metrics.rateGroupDemand.record(Double(status.groupDemand) / seconds)
    }

    /// Whether an error that stops progress holds events, and its code: the `/readyz` answer.
    public var health: PipelineHealth {
        state.withLock { $0.health }
    }

    /// Whether an error that stops progress holds events.
    public var isHalted: Bool { health.isHalted }

    /// Running totals for a summary.
    public var statistics: PipelineStatistics { state.withLock { $0.statistics } }

    /// Events accepted and not finished.
    public var inFlightCount: Int { state.withLock { $0.inFlight } }

    /// Fetches waiting to join a call already in flight for the same token (for tests and debugging).
    package var joiningFetchCount: Int { singleFlight.joiningCount }

    /// Distinct tokens with a call in flight or waiting for its rate turn (for tests and debugging).
    package var fetchesInFlightCount: Int { singleFlight.inFlightCount }

    /// Calls waiting for a slot of the budget (for tests and debugging).
    package var waitingForSlotCount: Int { rateLimiter.waitingCount }

    /// The rate API calls are currently paced at, in requests per second.
    public var currentRate: Double { rateLimiter.currentRate }

    /// Starts a graceful drain: no new records are taken and no new fetches start; in-flight
    /// events may finish for up to the drain timeout; progress is committed; ``run(input:)``
    /// returns. Safe to call from any task, before or during `run`.
    public func shutdown() {
        let control = state.withLock { s -> AsyncStream<Control>.Continuation? in
            s.shutdownRequested = true
            return s.control
        }
        control?.yield(.shutdown)
    }

    /// Consumes `input` until it ends, ``shutdown()`` is called or the task is cancelled, then
    /// drains and commits. The end of `input` drains gracefully; cancellation abandons in-flight
    /// work at once (it stays uncommitted and is consumed again) and still commits what was
    /// acknowledged.
    public func run(input: some AsyncSequence<PipelineInput, Never> & Sendable) async {
        let (controls, controlContinuation) = AsyncStream<Control>.makeStream()
        let alreadyShutDown = state.withLock { s -> Bool in
            s.control = controlContinuation
            return s.shutdownRequested
        }
        if alreadyShutDown { controlContinuation.yield(.shutdown) }
        logger.info("Enrichment pipeline started")

        await withTaskGroup(of: Void.self) { services in
            services.addTask {
                for await item in input {
                    controlContinuation.yield(.input(item))
                    await self.intakeWindow.handedOver()
                }
                controlContinuation.yield(.inputFinished)
            }
            services.addTask { await self.commitPeriodically() }
            services.addTask { await self.rateLimiter.run() }
            await withDiscardingTaskGroup { workers in
                await self.intake(controls, workers: &workers)
                self.intakeWindow.close()
                self.startDrain(workers: &workers)
            }
            await self.commitProgress()
            services.cancelAll()
        }
        state.withLock { $0.control = nil }
        controlContinuation.finish()
        logger.info("Enrichment pipeline stopped")
    }
}
