import Pipeline
import Testing

@Suite("Key ordering: same key one after another in order, different keys side by side")
struct KeyedSequencerTests {
    let p0 = PartitionID(topic: "in", partition: 0)
    let p1 = PartitionID(topic: "in", partition: 1)

    @Test("a second item with a running key waits and comes out in enqueue order")
    func sameKeyQueues() throws {
        var sequencer = KeyedSequencer<Int>()
        guard case .start(let token) = sequencer.enqueue(1, partition: p0, key: [1]) else {
            Issue.record("first item did not start")
            return
        }
        guard case .queued = sequencer.enqueue(2, partition: p0, key: [1]) else {
            Issue.record("same key started concurrently")
            return
        }
        guard case .queued = sequencer.enqueue(3, partition: p0, key: [1]) else {
            Issue.record("same key started concurrently")
            return
        }
        guard case .start = sequencer.enqueue(4, partition: p0, key: [2]) else {
            Issue.record("a different key waited")
            return
        }
        guard case .start = sequencer.enqueue(5, partition: p1, key: [1]) else {
            Issue.record("the same key in another partition waited")
            return
        }
        #expect(sequencer.next(after: token) == 2)
        #expect(sequencer.next(after: token) == 3)
        #expect(sequencer.next(after: token) == nil)
        guard case .start = sequencer.enqueue(6, partition: p0, key: [1]) else {
            Issue.record("a finished lane did not close")
            return
        }
    }

    @Test("records without a key never wait for each other")
    func nilKeysRunAtOnce() {
        var sequencer = KeyedSequencer<Int>()
        for i in 0..<3 {
            guard case .start = sequencer.enqueue(i, partition: p0, key: nil) else {
                Issue.record("a keyless record waited")
                return
            }
        }
        #expect(sequencer.activeLaneCount == 3)
    }

    @Test("removing a partition returns its waiting items and a stale lane token yields nothing")
    func removeAll() {
        var sequencer = KeyedSequencer<Int>()
        guard case .start(let token) = sequencer.enqueue(1, partition: p0, key: [9]) else {
            Issue.record("first item did not start")
            return
        }
        _ = sequencer.enqueue(2, partition: p0, key: [9])
        _ = sequencer.enqueue(3, partition: p1, key: [9])
        #expect(sequencer.removeAll(in: p0) == [2])
        guard case .start = sequencer.enqueue(4, partition: p0, key: [9]) else {
            Issue.record("a new lane did not start")
            return
        }
        _ = sequencer.enqueue(5, partition: p0, key: [9])
        #expect(sequencer.next(after: token) == nil)
        #expect(sequencer.queuedCount == 1)
    }
}
