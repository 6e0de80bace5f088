import EnricherJSON
import Pipeline
import Testing
import TestSupport

@Suite("Coordination records: a strict wire format, a view closed by log order, and nothing untrusted counted")
struct BudgetRecordTests {
    static let record = BudgetRecord(
        group: "g", topic: "in", member: "m-1", epoch: 3_600_000_010, demand: 7, grant: 3,
        claims: [0, 4], partitions: 6, sentAtMillis: 1_800_000_005_000
    )

    /// A budget whose members call themselves `member` on a manual clock at a known wall time.
    static func budget(member: String = "me") -> GroupBudget<ManualClock> {
        GroupBudget(
            groupBudget: 20,
            timeline: BudgetTimeline(clock: ManualClock(), wallNanos: BudgetScheduleTests.base),
            coordination: BudgetCoordination(member: member, group: "g", inputTopic: "in")
        )
    }

    @Test("a record survives its own wire format unchanged")
    func roundTrip() throws {
        #expect(try BudgetRecord.decode(Self.record.encoded) == Self.record)
    }

    @Test(
        "malformed records are rejected, naming what is wrong",
        arguments: [
            "not json",
            "[1,2]",
            #"{"v":1}"#,
            #"{"v":1,"group":"g","topic":"in","member":"m","epoch":"10","demand":1,"grant":0,"claims":[],"partitions":6,"sentAt":1}"#,
            #"{"v":1,"group":"g","topic":"in","member":"m","epoch":10,"demand":-1,"grant":0,"claims":[],"partitions":6,"sentAt":1}"#,
            #"{"v":1,"group":"g","topic":"in","member":"m","epoch":10,"demand":1,"grant":0,"claims":[6],"partitions":6,"sentAt":1}"#,
            #"{"v":1,"group":"g","topic":"in","member":"","epoch":10,"demand":1,"grant":0,"claims":[],"partitions":6,"sentAt":1}"#,
            #"{"v":1,"group":"g","topic":"in","member":"m","epoch":10,"demand":1.5,"grant":0,"claims":[],"partitions":6,"sentAt":1}"#,
        ]
    )
    func malformed(text: String) {
        #expect(throws: BudgetRecord.Rejection.self) { try BudgetRecord.decode(Array(text.utf8)) }
        do {
            _ = try BudgetRecord.decode(Array(text.utf8))
        } catch {
            #expect(error.reason == "malformed")
        }
    }

    @Test("a record of another version is rejected as such, whatever else it holds")
    func unknownVersion() {
        let text = #"{"v":2,"group":"g","wants":{"calls":3}}"#
        #expect(throws: BudgetRecord.Rejection.unknownVersion(2)) { try BudgetRecord.decode(Array(text.utf8)) }
    }

    @Test("the budget rejects another group's records and records from the future, and counts the rest")
    func budgetIngest() {
        let budget = Self.budget()
        let epoch = budget.schedule.epoch(atWall: BudgetScheduleTests.base)
        var record = Self.record
        record.epoch = epoch + BudgetSchedule.lead
        #expect(budget.ingest(record.encoded) == .counted)
        var foreign = record
        foreign.group = "other"
        #expect(budget.ingest(foreign.encoded) == .rejected(.foreign))
        var future = record
        future.epoch = epoch + BudgetSchedule.lead + 2
        #expect(budget.ingest(future.encoded) == .rejected(.fromTheFuture))
        #expect(budget.ingest(Array("{".utf8)) == .rejected(.malformed("not JSON")))
    }

    @Test("an epoch's view closes at the first record for a later epoch: later records for it count for nobody")
    func viewClosesByLogOrder() {
        var ledger = BudgetLedger()
        ledger.anchor(firstKnowableEpoch: 10)
        func record(_ member: String, _ epoch: Int64) -> BudgetRecord {
            var record = Self.record
            record.member = member
            record.epoch = epoch
            return record
        }
        #expect(ledger.ingest(record("a", 10)) == .counted)
        #expect(ledger.ingest(record("b", 10)) == .counted)
        #expect(ledger.view(of: 10) == nil, "still open")
        #expect(ledger.ingest(record("a", 11)) == .counted)
        #expect(ledger.view(of: 10)?.map(\.member) == ["a", "b"])
        #expect(ledger.ingest(record("c", 10)) == .late)
        #expect(ledger.view(of: 10)?.map(\.member) == ["a", "b"], "the late record changes nothing")
        #expect(ledger.ingest(record("a", 11)) == .duplicate)
        // Before the anchor nothing is known, even when closed.
        #expect(ledger.ingest(record("a", 12)) == .counted)
        #expect(ledger.view(of: 9) == nil)
    }

    @Test("a member's own record claims its partitions: without a view it spends none of their slots that epoch")
    func ownClaimsAreNotSpentWithoutAView() {
        let budget = Self.budget()
        budget.partitionsChanged(held: [0, 1, 2, 3, 4, 5], partitionCount: 6)
        let schedule = budget.schedule
        let now = schedule.epoch(atWall: BudgetScheduleTests.base)
        // Long enough for the hold: every slot is this member's while it has claimed nothing.
        (budget.timeline.underlyingClock).advance(by: .nanoseconds(schedule.holdBeforeUseNanos + schedule.epochNanos))
        let later = schedule.epoch(atWall: budget.timeline.nowWallNanos())
        #expect(budget.status(of: later).grant == schedule.slots(in: later))
        let record = budget.makeRecord(demand: 5)
        #expect(record?.epoch == later + BudgetSchedule.lead)
        #expect(record?.claims == [0, 1, 2, 3, 4, 5])
        #expect(budget.status(of: later + BudgetSchedule.lead).grant == 0, "its record may hand them to the pool")
        #expect(now < later)
    }
}
