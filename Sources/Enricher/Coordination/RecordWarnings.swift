import Logging
import Metrics
import Pipeline
import Synchronization

/// Counts coordination records that were not trusted, by reason, and warns about them without
/// flooding the log: the first of each reason, then at most one a minute per reason.
final class RecordWarnings: Sendable {
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    private let state = Mutex<[String: (counter: Counter, lastWarned: ContinuousClock.Instant?)]>([:])

    /// Makes every reason's counter at once, at 0.
    init(logger: Logger, metricsFactory: any MetricsFactory) {
        self.logger = logger
        self.metricsFactory = metricsFactory
        state.withLock { table in
            for reason in BudgetRecord.Rejection.allReasons {
                table[reason] = (Self.counter(reason, metricsFactory), nil)
            }
        }
    }

    private static func counter(_ reason: String, _ factory: any MetricsFactory) -> Counter {
        Counter(label: MetricNames.rateCoordinationRecordsIgnored, dimensions: [("reason", reason)], factory: factory)
    }

    func warn(_ rejection: BudgetRecord.Rejection, offset: Int64) {
        let now = ContinuousClock.now
        let (counter, shouldWarn) = state.withLock { table -> (Counter, Bool) in
            var entry = table[rejection.reason] ?? (Self.counter(rejection.reason, metricsFactory), nil)
            let shouldWarn = entry.lastWarned.map { $0.duration(to: now) >= .seconds(60) } ?? true
            if shouldWarn { entry.lastWarned = now }
            table[rejection.reason] = entry
            return (entry.counter, shouldWarn)
        }
        counter.increment()
        if shouldWarn {
            logger.warning(
                "Coordination record ignored",
                metadata: ["rate.record.problem": "\(rejection)", "kafka.offset": "\(offset)"]
            )
        }
    }
}
