@testable import Enricher
import KafkaClient
import Logging
import Metrics
import TencentCloud
import Testing

/// The rules for a member that holds no partition, without a broker: when it warns, what the gauges say, and
/// what `/readyz` answers for a standby (placed with nothing) and for a stalled member (its rebalance never
/// finished).
@Suite("A member without partitions: the rules")
struct UnassignedWatchTests {
    static let configuration = UnassignedWatch.Configuration(group: "g-1", topic: "in", bound: .seconds(15))
    static let start = ContinuousClock.now

    static func at(_ seconds: Int) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

    static func status(assigned: Int, settled: Bool, joinState: String? = nil) -> KafkaGroupStatus {
        KafkaGroupStatus(assignedPartitions: assigned, hasSettledAssignment: settled, joinState: joinState)
    }

    @Test("a member holding partitions shows them, 0 unassigned seconds, and says nothing")
    func holdingPartitions() {
        var watch = UnassignedWatch(configuration: Self.configuration, subscribedAt: Self.start)
        let observation = watch.observe(Self.status(assigned: 3, settled: true), inputPartitions: 6, now: Self.at(100))
        #expect(observation == .init(assignedPartitions: 3, unassignedSeconds: 0, unassigned: nil, event: nil))
        #expect(!watch.isPastBound(at: Self.at(200)))
    }

    @Test("before the bound a member without partitions only counts the seconds since it subscribed")
    func beforeTheBound() {
        var watch = UnassignedWatch(configuration: Self.configuration, subscribedAt: Self.start)
        let observation = watch.observe(Self.status(assigned: 0, settled: false), inputPartitions: 6, now: Self.at(15))
        #expect(observation == .init(assignedPartitions: 0, unassignedSeconds: 15, unassigned: nil, event: nil))
        #expect(!watch.isPastBound(at: Self.at(15)))
        #expect(watch.isPastBound(at: Self.at(16)))
    }

    @Test("past the bound: a stalled member warns once, naming its group, and is not ready")
    func stalledMember() throws {
        var watch = UnassignedWatch(configuration: Self.configuration, subscribedAt: Self.start)
        let stalled = Self.status(assigned: 0, settled: false, joinState: "wait-sync")
        let first = watch.observe(stalled, inputPartitions: 6, now: Self.at(16))
        let expected = ServiceHealth.Unassigned(
            group: "g-1",
            topic: "in",
            inputPartitions: 6,
            seconds: 16,
            isStandby: false,
            joinState: "wait-sync"
        )
        #expect(first.unassigned == expected)
        #expect(first.event == .unassigned(expected))
        #expect(watch.observe(stalled, inputPartitions: 6, now: Self.at(17)).event == nil, "one warning per episode")

        var state = ServiceHealth.State(isLoopRunning: true, hasJoinedGroup: true)
        state.unassigned = expected
        #expect(!state.isReady)
        let (status, body) = OperationsServer.readiness(state)
        #expect(status == .serviceUnavailable)
        #expect(
            body
                == "not ready: no partitions: group g-1 has not finished a rebalance for this member in 16 s "
                + "(in has 6 partitions; librdkafka join state wait-sync)\n"
        )
    }

    @Test("past the bound: a standby warns once and stays ready, saying why")
    func standbyMember() {
        var watch = UnassignedWatch(configuration: Self.configuration, subscribedAt: Self.start)
        let observation = watch.observe(
            Self.status(assigned: 0, settled: true, joinState: "steady"),
            inputPartitions: 1,
            now: Self.at(20)
        )
        let unassigned = observation.unassigned
        #expect(unassigned?.isStandby == true)
        #expect(observation.event.map { if case .unassigned = $0 { true } else { false } } == true)

        var state = ServiceHealth.State(isLoopRunning: true, hasJoinedGroup: true)
        state.unassigned = unassigned
        #expect(state.isReady, "an idle replica beyond the partition count is normal")
        let (status, body) = OperationsServer.readiness(state)
        #expect(status == .ok)
        #expect(
            body
                == "ready: standby: no partition of in (1 partitions) assigned to this member of group g-1 for 20 s; "
                + "the group placed them on other members\n"
        )
    }

    @Test("no warning while the input topic's partition count is unknown or zero")
    func topicWithoutPartitions() {
        var watch = UnassignedWatch(configuration: Self.configuration, subscribedAt: Self.start)
        let idle = Self.status(assigned: 0, settled: false)
        #expect(
            watch.observe(idle, inputPartitions: nil, now: Self.at(30))
                == .init(assignedPartitions: 0, unassignedSeconds: 30)
        )
        #expect(
            watch.observe(idle, inputPartitions: 0, now: Self.at(31))
                == .init(assignedPartitions: 0, unassignedSeconds: 31)
        )
    }

    @Test("a standby that becomes stalled warns again; partitions end the episode with one notice")
    func episodes() {
        var watch = UnassignedWatch(configuration: Self.configuration, subscribedAt: Self.start)
        #expect(
            watch.observe(Self.status(assigned: 0, settled: true), inputPartitions: 2, now: Self.at(20)).event != nil
        )
        #expect(
            watch.observe(Self.status(assigned: 0, settled: false), inputPartitions: 2, now: Self.at(25)).event != nil
        )
        let assigned = watch.observe(Self.status(assigned: 1, settled: true), inputPartitions: 2, now: Self.at(40))
        #expect(assigned == .init(assignedPartitions: 1, unassignedSeconds: 0, event: .assignedAgain(seconds: 40)))

        // A revocation starts a new episode, counted from the first look without partitions.
        let revoked = watch.observe(Self.status(assigned: 0, settled: false), inputPartitions: 2, now: Self.at(50))
        #expect(revoked == .init(assignedPartitions: 0, unassignedSeconds: 0))
        let later = watch.observe(Self.status(assigned: 0, settled: false), inputPartitions: 2, now: Self.at(60))
        #expect(later.unassignedSeconds == 10 && later.unassigned == nil, "10 s is within the 15 s bound")
        #expect(
            watch.observe(Self.status(assigned: 2, settled: true), inputPartitions: 2, now: Self.at(61)).event == nil,
            "no notice for an episode that was never warned about"
        )
    }

    @Test("the bound is two and a half session timeouts, from the session timeout the consumer really runs with")
    func bound() throws {
        #expect(UnassignedWatch.bound(sessionTimeout: .seconds(45)) == .milliseconds(112_500))
        #expect(UnassignedWatch.bound(sessionTimeout: .seconds(6)) == .seconds(15))
        func service(_ properties: [(key: String, value: String)], timing: EnrichmentService.GroupTiming) throws
            -> EnrichmentService
        {
            var configuration = EnricherConfiguration.defaults
            configuration.kafkaProperties = properties
            let faceID = FaceIDClientConfiguration(
                endpoint: try TencentCloudEndpoint(parsing: "http://127.0.0.1:1"),
                credentials: TencentCloudCredentials(secretID: "AKIDunit", secretKey: "unit")
            )
            return EnrichmentService(
                configuration: configuration,
                faceID: faceID,
                timing: timing,
                metricsFactory: NOOPMetricsHandler.instance,
                logger: Logger(label: "unit")
            )
        }
        #expect(try service([], timing: .init()).unassignedWatchConfiguration().bound == .milliseconds(112_500))
        #expect(try service([], timing: .fast).unassignedWatchConfiguration().bound == .seconds(15))
        let passedThrough = try service(
            [(key: "session.timeout.ms", value: "10000"), (key: "session.timeout.ms", value: "6000")],
            timing: .init()
        )
        #expect(
            passedThrough.unassignedWatchConfiguration().bound == .seconds(15),
            "the last -X wins, as in librdkafka"
        )
        #expect(passedThrough.unassignedWatchConfiguration().group == "faceid-enricher")
        #expect(passedThrough.unassignedWatchConfiguration().topic == "faceid.verification.completed")
    }
}
