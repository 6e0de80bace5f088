/// Everything about a running simulator that changes: knobs flipped at runtime, the rate
/// limiter, the random source, counters and the lifecycle. A plain struct mutated under the
/// simulator's `Mutex`; no I/O happens while it is locked.
struct SimulatorState: Sendable {
    /// Where the simulator is in its life, and who waits for it to listen.
    enum Lifecycle: Sendable {
        case idle
        case starting
        case running(port: Int)
        case stopped
    }

    var bucket: TokenBucket
    var faults: [SimulatorFault: Double]
    var latency: Duration
    var jitter: Duration
    var slowDelay: Duration
    var random: SeededRandom
    var counters = SimulatorCounters()
    var lifecycle = Lifecycle.idle
    var waiters: [Int: CheckedContinuation<Int, any Error>] = [:]
    var nextWaiterID = 0

    private var arrivals = PerSecondCount()
    private var accepted = PerSecondCount()

    init(configuration: SimulatorConfiguration) {
        bucket = TokenBucket(rate: configuration.rateLimit)
        faults = configuration.faults
        latency = configuration.latency
        jitter = configuration.jitter
        slowDelay = configuration.slowDelay
        random = SeededRandom(seed: configuration.seed ?? UInt64.random(in: UInt64.min...UInt64.max))
    }

    /// Counts a request as it arrives, in wall-clock second `second` (Unix seconds).
    mutating func recordArrival(action: String, second: Int64) {
        counters.totalRequests += 1
        counters.requestsByAction[action, default: 0] += 1
        counters.peakRequestsPerSecond = max(counters.peakRequestsPerSecond, arrivals.count(in: second))
    }

    /// Takes a token from the bucket; counts the request as accepted or rate-limited.
    mutating func admit(at now: ContinuousClock.Instant, second: Int64) -> Bool {
        guard bucket.take(at: now) else {
            counters.rateLimited += 1
            return false
        }
        counters.peakAcceptedPerSecond = max(counters.peakAcceptedPerSecond, accepted.count(in: second))
        return true
    }

    /// Draws every fault of an API call (or, with `media`, of a media download) independently
    /// with its probability; returns those that fired.
    mutating func drawFaults(media: Bool = false) -> Set<SimulatorFault> {
        var fired = Set<SimulatorFault>()
        for fault in SimulatorFault.allCases where fault.isMediaFault == media {
            let probability = faults[fault, default: 0]
            guard probability > 0 else { continue }
            if random.nextUnit() < probability {
                fired.insert(fault)
                counters.faultsInjected[fault, default: 0] += 1
            }
        }
        return fired
    }

    /// This answer's latency: uniform in `latency ± jitter`, never negative.
    mutating func drawLatency() -> Duration {
        guard jitter > .zero else { return latency }
        let span = Double(jitter.components.seconds) + Double(jitter.components.attoseconds) * 1e-18
        let offset = Duration.seconds((random.nextUnit() * 2 - 1) * span)
        let total = latency + offset
        return total > .zero ? total : .zero
    }

    /// Counts a call for `bizToken`; returns how many calls it has had, this one included.
    mutating func recordCall(bizToken: String) -> Int {
        counters.callsPerToken[bizToken, default: 0] += 1
        return counters.callsPerToken[bizToken, default: 0]
    }

    /// Counts a media download by its outcome (see ``SimulatorCounters/mediaDownloads``).
    mutating func recordMediaDownload(_ outcome: String) {
        counters.mediaDownloads[outcome, default: 0] += 1
    }

    /// Counts an answer by its outcome key (see ``SimulatorCounters/outcomes``).
    mutating func recordOutcome(_ outcome: String) {
        counters.outcomes[outcome, default: 0] += 1
    }

    /// Resets counters; scripted `PEND<k>-` tokens start counting again.
    mutating func resetCounters() {
        counters = SimulatorCounters()
        arrivals = PerSecondCount()
        accepted = PerSecondCount()
    }
}

/// Events in the current wall-clock second, for the peak-per-second counters.
private struct PerSecondCount {
    private var second: Int64 = 0
    private var countInSecond = 0

    /// Counts one event in `second` and returns how many that second has had.
    mutating func count(in second: Int64) -> Int {
        if second != self.second {
            self.second = second
            countInSecond = 0
        }
        countInSecond += 1
        return countInSecond
    }
}
