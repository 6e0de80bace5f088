import Metrics
import Synchronization

/// The pipeline's metric handles, created once per label value from the injected factory (so
/// tests need no global bootstrap) and reused.
final class PipelineMetrics: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])
    let inFlight: Gauge
    let rateShare: Gauge
    let rateDemand: Gauge
    let rateGroupDemand: Gauge
    let rateGroupMembers: Gauge
    let halted: Gauge
    let apiDuration: Timer
    let endToEnd: Timer
    let rebalances: Counter
    let commitFailures: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        inFlight = Gauge(label: MetricNames.inFlightEvents, factory: factory)
        rateShare = Gauge(label: MetricNames.rateLimitShare, factory: factory)
        rateDemand = Gauge(label: MetricNames.rateDemand, factory: factory)
        rateGroupDemand = Gauge(label: MetricNames.rateGroupDemand, factory: factory)
        rateGroupMembers = Gauge(label: MetricNames.rateGroupMembers, factory: factory)
        halted = Gauge(label: MetricNames.halted, factory: factory)
        apiDuration = Timer(label: MetricNames.apiRequestDuration, preferredDisplayUnit: .seconds, factory: factory)
        endToEnd = Timer(label: MetricNames.endToEndLatency, preferredDisplayUnit: .seconds, factory: factory)
        rebalances = Counter(label: MetricNames.rebalances, factory: factory)
        commitFailures = Counter(label: MetricNames.commitFailures, factory: factory)
        halted.record(0)
        inFlight.record(0)
    }

    func increment(_ name: String, _ label: String, _ value: String) {
        let cacheKey = name + "\u{0}" + value
        let counter = counters.withLock { table -> Counter in
            if let existing = table[cacheKey] { return existing }
            let created = Counter(label: name, dimensions: [(label, value)], factory: factory)
            table[cacheKey] = created
            return created
        }
        counter.increment()
    }

    func event(_ status: VerificationStatus) { increment(MetricNames.events, "status", status.rawValue) }
    func deadLetter(_ reason: DeadLetterReason) { increment(MetricNames.deadLetterEvents, "reason", reason.rawValue) }
    func apiCall(_ code: String) { increment(MetricNames.apiCalls, "code", code) }
    func retry(_ reason: String) { increment(MetricNames.retries, "reason", reason) }
}
