public import Pipeline
import Synchronization

/// A ``RecordPublisher`` that keeps every acknowledged message in order, and can be told to
/// fail the next publishes (a broker outage) or to hold them.
public final class FakeRecordPublisher: RecordPublisher, Sendable {
    private struct State {
        var records: [OutgoingRecord] = []
        var failuresToInject = 0
        var attempts = 0
    }

    private let state = Mutex(State())

    /// A publisher that acknowledges everything.
    public init() {}

    /// Acknowledges and keeps the message, or fails when a failure was injected.
    public func publish(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        headers: [RecordHeader]
    ) async throws(PublishFailure) {
        let shouldFail = state.withLock { s -> Bool in
            s.attempts += 1
            if s.failuresToInject > 0 {
                s.failuresToInject -= 1
                return true
            }
            s.records.append(OutgoingRecord(topic: topic, key: key, value: value, headers: headers))
            return false
        }
        if shouldFail { throw PublishFailure(code: "_MSG_TIMED_OUT", message: "injected publish failure") }
    }

    /// Makes the next `count` publishes fail.
    public func failNext(_ count: Int) {
        state.withLock { $0.failuresToInject += count }
    }

    /// Every acknowledged message, in acknowledgement order.
    public var records: [OutgoingRecord] { state.withLock { $0.records } }

    /// The acknowledged messages of `topic`.
    public func records(topic: String) -> [OutgoingRecord] { records.filter { $0.topic == topic } }

    /// Publish calls made, failed ones included.
    public var attemptCount: Int { state.withLock { $0.attempts } }

    /// Waits until at least `count` messages were acknowledged, polling every 2 ms for at most
    /// `timeout`; returns whether they were.
    public func waitForRecords(_ count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await Poll.until(timeout: timeout) { self.records.count >= count }
    }
}
