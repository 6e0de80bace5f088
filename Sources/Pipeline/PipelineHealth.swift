/// What `/readyz` needs from the pipeline: whether an error that stops progress is holding events.
public struct PipelineHealth: Sendable, Hashable {
    /// Whether at least one event is held by an error that stops progress.
    public var isHalted: Bool
    /// The code of the most recent such error while halted (`AuthFailure.SecretIdNotFound`), else `nil`.
    public var haltingCode: String?

    /// A health snapshot.
    public init(isHalted: Bool, haltingCode: String?) {
        self.isHalted = isHalted
        self.haltingCode = haltingCode
    }
}
