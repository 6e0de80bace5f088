import Pipeline
import Testing

@Suite("Offset tracking commits only the contiguous completed prefix")
struct OffsetTrackerTests {
    let p0 = PartitionID(topic: "in", partition: 0)
    let p1 = PartitionID(topic: "in", partition: 1)

    @Test("out-of-order completions move the commit point only over a finished prefix")
    func contiguousPrefix() {
        var tracker = OffsetTracker()
        #expect(tracker.committableOffset(for: p0) == nil)
        for offset in Int64(10)...14 { tracker.received(p0, offset: offset) }
        #expect(tracker.committableOffset(for: p0) == 10)
        tracker.completed(p0, offset: 12)
        tracker.completed(p0, offset: 13)
        #expect(tracker.committableOffset(for: p0) == 10)
        tracker.completed(p0, offset: 10)
        #expect(tracker.committableOffset(for: p0) == 11)
        tracker.completed(p0, offset: 11)
        #expect(tracker.committableOffset(for: p0) == 14)
        tracker.completed(p0, offset: 14)
        #expect(tracker.committableOffset(for: p0) == 15)
        #expect(tracker.outstandingCount(for: p0) == 0)
    }

    @Test("gaps in offsets (compaction, transaction markers) do not block the commit point")
    func gaps() {
        var tracker = OffsetTracker()
        tracker.received(p0, offset: 3)
        tracker.received(p0, offset: 7)
        tracker.completed(p0, offset: 3)
        #expect(tracker.committableOffset(for: p0) == 7)
        tracker.completed(p0, offset: 7)
        #expect(tracker.committableOffset(for: p0) == 8)
    }

    @Test("partitions are independent and a removed partition is forgotten")
    func partitionsIndependent() {
        var tracker = OffsetTracker()
        tracker.received(p0, offset: 0)
        tracker.received(p1, offset: 100)
        tracker.completed(p1, offset: 100)
        #expect(tracker.committableOffsets == [p0: 0, p1: 101])
        tracker.remove(p1)
        #expect(tracker.committableOffsets == [p0: 0])
    }
}
