import Synchronization

/// What `/healthz` and `/readyz` report, updated by the running service.
///
/// Liveness means the consume loop runs; readiness additionally means the instance has joined
/// the group (has received an assignment, possibly empty) and is not stopped by an error that
/// needs an operator (bad credentials, arrears). Kept apart from the pipeline so the HTTP
/// server needs no knowledge of Kafka or Tencent types.
public final class ServiceHealth: Sendable {
    /// A snapshot of the state.
    public struct State: Sendable, Equatable {
        public var isLoopRunning = false
        public var hasJoinedGroup = false
        /// The Tencent error code that stopped progress, if any.
        public var haltingCode: String?
        public var isDraining = false

        /// Ready to take a share of the group's work.
        public var isReady: Bool { isLoopRunning && hasJoinedGroup && haltingCode == nil && !isDraining }
    }

    private let state = Mutex(State())

    public init() {}

    /// The current state.
    public var current: State { state.withLock { $0 } }

    /// Applies `change` to the state atomically.
    public func update(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
    }
}
