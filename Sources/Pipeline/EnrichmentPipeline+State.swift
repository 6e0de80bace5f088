import EnricherJSON

extension EnrichmentPipeline {
    /// One accepted input record, with its validation result and the revocation signal of its
    /// partition at the time it was accepted.
    struct WorkItem: Sendable {
        var record: InputRecord
        var validation: Result<InputEvent, MalformedInput>
        var lease: Signal
        /// The rate turn for its first call, taken when it was accepted and started at once (see
        /// ``RateLimiter/Turn``); `nil` for a record that waited behind an earlier one of its key.
        var turn: RateLimiter<C>.Turn?

        var reference: EventReference { EventReference(partition: record.partitionID, offset: record.offset) }
    }

    /// Names one input record for bookkeeping (halted events).
    struct EventReference: Sendable, Hashable {
        var partition: PartitionID
        var offset: Int64
    }

    /// What one fetch call produced for an event.
    enum FetchAttempt: Sendable {
        /// The API answered, or the transport failed.
        case answered(Result<JSONValue, FetchFailure>)
        /// No call was made: the pipeline started draining while the call waited for its turn.
        case interrupted
    }

    /// How the fetch loop ended for an event.
    enum Resolution: Sendable {
        case publish(VerificationOutcome, attempts: Int, fetchedAt: UTCTimestamp)
        case deadLetter(FetchFailure, attempts: Int)
        case abandoned
    }

    /// Messages to the intake loop: input from the Kafka layer, its end, or a shutdown request.
    enum Control: Sendable {
        case input(PipelineInput)
        case inputFinished
        case shutdown
    }

    /// All mutable engine state, behind one lock; side effects happen outside it.
    struct State: Sendable {
        var tracker = OffsetTracker()
        var sequencer = KeyedSequencer<WorkItem>()
        var assigned: Set<PartitionID> = []
        var leases: [PartitionID: Signal] = [:]
        var committedOffsets: [PartitionID: Int64] = [:]
        /// Per partition, the offset last stored with the consumer as soon as the acknowledged
        /// prefix advanced, so a rebalance commit (made by the Kafka layer inside its revoke
        /// callback, before the pipeline hears of the revoke) includes every finished event.
        var storedOffsets: [PartitionID: Int64] = [:]
        var inFlight = 0
        var activeLanes = 0
        var isPaused = false
        var isDraining = false
        var shutdownRequested = false
        var control: AsyncStream<Control>.Continuation?
        var completionsSinceCommit = 0
        var halted: [EventReference: String] = [:]
        var lastHaltingCode: String?
        var reportedHealth = PipelineHealth(isHalted: false, haltingCode: nil)
        var statistics = PipelineStatistics()

        /// Halted while any event is held, with the code of the latest halt.
        var health: PipelineHealth {
            PipelineHealth(isHalted: !halted.isEmpty, haltingCode: halted.isEmpty ? nil : lastHaltingCode)
        }

        /// The partition's current revocation signal, created the first time it is needed.
        mutating func lease(for partition: PartitionID) -> Signal {
            if let lease = leases[partition] { return lease }
            let lease = Signal()
            leases[partition] = lease
            return lease
        }
    }
}
