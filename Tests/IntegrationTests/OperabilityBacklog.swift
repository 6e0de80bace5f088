import KafkaClient
import Simulator
import TestSupport

/// The backlog the operability tests run the service over: one event for every output status, a
/// malformed event, and one event dead-lettered after its retry budget ran out.
struct OperabilityBacklog: Sendable {
    /// The valid input events, in the order produced.
    var inputs: [TestInputEvent] = []
    /// Where every produced event (valid or not) landed.
    var deliveries: [KafkaDeliveryReport] = []
    /// The output events read back.
    var outputs: [KafkaMessage] = []
    /// The DLQ events read back.
    var deadLetters: [KafkaMessage] = []

    /// Status → how many outputs of it the backlog must produce.
    static let expectedStatuses = ["passed": 4, "failed": 1, "incomplete": 1, "expired": 1, "invalid_token": 1]
    /// Reason → how many DLQ events the backlog must produce.
    static let expectedReasons = ["malformed": 1, "retries_exhausted": 1]

    /// Produces the backlog and waits (bounded) until every event has its output or DLQ event.
    /// Phase one: the scripted outcomes and a malformed value. Phase two: with the simulator
    /// answering `InternalError` to everything, one more event exhausts its 2 s retry budget.
    static func run(
        tag: String,
        topics: OperabilityTopics,
        cluster: KafkaTestCluster,
        simulator: FaceIDSimulator,
        collector: RecordCollector
    ) async throws -> OperabilityBacklog {
        var backlog = OperabilityBacklog()
        let scripted = [
            "PASS-\(tag)-1", "PASS-\(tag)-2", "PASS-\(tag)-3", "FAIL1001-\(tag)", "PEND1-\(tag)", "PENDX-\(tag)",
            "EXPD-\(tag)", "ILLG-\(tag)",
        ]
        let valid = scripted.enumerated().map {
            OperabilityInput.event($0.element, eventId: "\(tag)-event-\($0.offset)")
        }
        backlog.inputs = valid
        backlog.deliveries += try await produce(valid, malformed: ["\(tag)-malformed"], to: topics.input, on: cluster)
        guard await collector.waitFor(valid.count, on: topics.output),
            await collector.waitFor(1, on: topics.dlq)
        else {
            throw HarnessError(
                "phase one: \(collector.messages(of: topics.output).count) outputs, \(collector.messages(of: topics.dlq).count) DLQ events"
            )
        }

        simulator.setFaultProbability(1.0, for: .internalError)
        let doomed = OperabilityInput.event("PASS-\(tag)-doomed", eventId: "\(tag)-event-doomed")
        backlog.inputs.append(doomed)
        backlog.deliveries += try await produce([doomed], to: topics.input, on: cluster)
        let exhausted = await collector.waitFor(2, on: topics.dlq)
        simulator.clearFaults()
        guard exhausted else { throw HarnessError("phase two: the failing event never reached the DLQ") }

        backlog.outputs = collector.messages(of: topics.output)
        backlog.deadLetters = collector.messages(of: topics.dlq)
        return backlog
    }

    /// Output count per `data.status`.
    var statusCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for output in outputs {
            if let status = output.json?["data"]?["status"]?.stringValue { counts[status, default: 0] += 1 }
        }
        return counts
    }

    /// DLQ count per `x-dlq-reason`.
    var reasonCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for event in deadLetters {
            if let reason = event.header("x-dlq-reason") { counts[reason, default: 0] += 1 }
        }
        return counts
    }

    /// The next offset to read per input partition once everything produced so far is consumed.
    func highWatermarks(topic: String) -> [Int32: Int64] {
        var high: [Int32: Int64] = [:]
        for report in deliveries where report.topic == topic {
            high[report.partition] = max(high[report.partition] ?? 0, report.offset + 1)
        }
        return high
    }
}
