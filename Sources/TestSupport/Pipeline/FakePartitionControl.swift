public import Pipeline
import Synchronization

/// A ``PartitionControl`` recording what the pipeline stored, committed, paused and resumed.
public final class FakePartitionControl: PartitionControl, Sendable {
    private struct State {
        var stored: [PartitionID: Int64] = [:]
        var committed: [PartitionID: Int64] = [:]
        var storeHistory: [[PartitionID: Int64]] = []
        var commitCount = 0
        var commitFailuresToInject = 0
        var paused: Set<PartitionID> = []
        var pauseCalls = 0
        var resumeCalls = 0
        var partitionCount: Int
    }

    private let state: Mutex<State>

    /// Control over an input topic of `partitionCount` partitions.
    public init(partitionCount: Int = 1) {
        state = Mutex(State(partitionCount: partitionCount))
    }

    /// Records the offsets as stored.
    public func storeOffsets(_ offsets: [PartitionID: Int64]) {
        state.withLock { s in
            s.stored.merge(offsets) { _, new in new }
            s.storeHistory.append(offsets)
        }
    }

    /// Commits the stored offsets, or fails when a failure was injected.
    public func commit() async throws(CommitFailure) {
        let fail = state.withLock { s -> Bool in
            s.commitCount += 1
            if s.commitFailuresToInject > 0 {
                s.commitFailuresToInject -= 1
                return true
            }
            s.committed = s.stored
            return false
        }
        if fail { throw CommitFailure(code: "REBALANCE_IN_PROGRESS", message: "injected commit failure") }
    }

    /// Records the partitions as paused.
    public func pause(_ partitions: [PartitionID]) {
        state.withLock { s in
            s.pauseCalls += 1
            s.paused.formUnion(partitions)
        }
    }

    /// Records the partitions as resumed.
    public func resume(_ partitions: [PartitionID]) {
        state.withLock { s in
            s.resumeCalls += 1
            s.paused.subtract(partitions)
        }
    }

    /// The configured partition count.
    public func inputPartitionCount() async -> Int { state.withLock { $0.partitionCount } }

    /// Changes the reported partition count.
    public func setPartitionCount(_ count: Int) { state.withLock { $0.partitionCount = count } }

    /// Makes the next `count` commits fail.
    public func failNextCommits(_ count: Int) { state.withLock { $0.commitFailuresToInject += count } }

    /// The offsets the last successful commit sent.
    public var committedOffsets: [PartitionID: Int64] { state.withLock { $0.committed } }

    /// Every store, in order.
    public var storeHistory: [[PartitionID: Int64]] { state.withLock { $0.storeHistory } }

    /// Commit calls made, failed ones included.
    public var commitCount: Int { state.withLock { $0.commitCount } }

    /// The partitions currently paused.
    public var pausedPartitions: Set<PartitionID> { state.withLock { $0.paused } }

    /// How many times `pause` and `resume` were called.
    public var pauseResumeCalls: (pauses: Int, resumes: Int) { state.withLock { ($0.pauseCalls, $0.resumeCalls) } }
}
