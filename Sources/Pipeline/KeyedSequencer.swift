/// Keeps events with the same key (in the same partition) strictly one after another, in the
/// order they were enqueued, while events with different keys run side by side. Records without
/// a key have no order to keep and always run at once.
///
/// A lane is created when an item starts and lives until ``next(after:)`` finds it empty; each
/// lane has a token so that a worker finishing after its partition was revoked (and perhaps
/// reassigned) cannot take items from a newer lane.
public struct KeyedSequencer<Item: Sendable>: Sendable {
    /// Identifies one lane's lifetime.
    public struct LaneToken: Sendable, Hashable {
        let lane: Lane
        let generation: Int
    }

    struct Lane: Sendable, Hashable {
        var partition: PartitionID
        var key: [UInt8]?
        var uniqueness: Int
    }

    /// What to do with an enqueued item.
    public enum Admission: Sendable {
        /// Nothing with this key is running: start the item now, and call ``next(after:)``
        /// with the token when it is done.
        case start(LaneToken)
        /// The item waits behind earlier items with the same key.
        case queued
    }

    private var lanes: [Lane: (generation: Int, queue: [Item])] = [:]
    private var generation = 0

    /// An empty sequencer.
    public init() {}

    /// Adds an item for `key` in `partition`.
    public mutating func enqueue(_ item: Item, partition: PartitionID, key: [UInt8]?) -> Admission {
        generation += 1
        let lane = Lane(partition: partition, key: key, uniqueness: key == nil ? generation : 0)
        if lanes[lane] != nil {
            lanes[lane]?.queue.append(item)
            return .queued
        }
        lanes[lane] = (generation, [])
        return .start(LaneToken(lane: lane, generation: generation))
    }

    /// The item that ran in `token`'s lane is done: returns the next one to run in that lane, or
    /// `nil` when the lane is empty (it is then closed) or no longer exists.
    public mutating func next(after token: LaneToken) -> Item? {
        guard let entry = lanes[token.lane], entry.generation == token.generation else { return nil }
        guard !entry.queue.isEmpty else {
            lanes[token.lane] = nil
            return nil
        }
        return lanes[token.lane]?.queue.removeFirst()
    }

    /// Closes every lane of `partition` and returns the items that were waiting (not the running ones).
    public mutating func removeAll(in partition: PartitionID) -> [Item] {
        var dropped: [Item] = []
        for (lane, entry) in lanes where lane.partition == partition {
            dropped.append(contentsOf: entry.queue)
            lanes[lane] = nil
        }
        return dropped
    }

    /// How many items are waiting behind a running one.
    public var queuedCount: Int { lanes.values.reduce(0) { $0 + $1.queue.count } }

    /// How many lanes have an item running.
    public var activeLaneCount: Int { lanes.count }
}
