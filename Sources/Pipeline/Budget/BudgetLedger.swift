/// What this member has read of the coordination topic, in log order: the records that count for
/// each recent epoch, and which epochs' views are complete.
///
/// The log's order is the agreement. The view of epoch `n` is every record for `n` that comes before
/// the first record for a later epoch; that later record closes `n`. Every member reads the same
/// single-partition log, so every member that has read past the close sees exactly the same records
/// for `n` and computes exactly the same allocation. A record for `n` that comes after the close is
/// late and counts for nobody — including its writer, which sees that too.
///
/// A reader only knows an epoch whose records all lie after the point it started reading at
/// (``anchor(firstKnowableEpoch:)``); before that, the view is unknown and the member falls back to
/// what needs no view.
package struct BudgetLedger: Sendable {
    /// An empty ledger, not anchored.
    package init() {}

    /// One member's record for one epoch, as far as the allocation needs it.
    package struct Entry: Sendable, Hashable {
        package var demand: Int
        package var claims: [Int32]
        package var partitions: Int

        /// An entry.
        package init(demand: Int, claims: [Int32], partitions: Int) {
            self.demand = demand
            self.claims = claims
            self.partitions = partitions
        }
    }

    /// The records of one epoch, by member.
    package private(set) var epochs: [Int64: [String: Entry]] = [:]
    /// Every epoch up to this one is closed (no record for it counts any more).
    package private(set) var closedThrough: Int64 = .min
    /// The first epoch whose records all lie after where this reader started; `nil` until anchored.
    package private(set) var firstKnowableEpoch: Int64?

    /// What became of an ingested record.
    package enum Outcome: Sendable, Hashable {
        /// It counts for its epoch.
        case counted
        /// Its epoch was already closed.
        case late
        /// The member already has a record for that epoch (the first one counts).
        case duplicate
    }

    /// Takes the next record in log order.
    package mutating func ingest(_ record: BudgetRecord) -> Outcome {
        guard record.epoch > closedThrough else { return .late }
        closedThrough = max(closedThrough, record.epoch - 1)
        if epochs[record.epoch]?[record.member] != nil { return .duplicate }
        epochs[record.epoch, default: [:]][record.member] = Entry(
            demand: record.demand,
            claims: record.claims,
            partitions: record.partitions
        )
        return .counted
    }

    /// Starts (or restarts) reading: epochs before `firstKnowableEpoch` are never known, and what was
    /// read before is forgotten (the reader may have skipped records since).
    package mutating func anchor(firstKnowableEpoch: Int64) {
        epochs = [:]
        closedThrough = .min
        self.firstKnowableEpoch = firstKnowableEpoch
    }

    /// Forgets everything: the reader stopped; no epoch is known until it is anchored again.
    package mutating func reset() {
        epochs = [:]
        closedThrough = .min
        firstKnowableEpoch = nil
    }

    /// The closed view of `epoch` (members sorted by id), or `nil` while it is not known.
    package func view(of epoch: Int64) -> [(member: String, entry: Entry)]? {
        guard let first = firstKnowableEpoch, epoch >= first, epoch <= closedThrough else { return nil }
        return (epochs[epoch] ?? [:]).sorted { $0.key < $1.key }.map { (member: $0.key, entry: $0.value) }
    }

    /// Drops epochs before `epoch`: nothing reads them any more.
    package mutating func prune(before epoch: Int64) {
        guard epochs.keys.contains(where: { $0 < epoch }) else { return }
        epochs = epochs.filter { $0.key >= epoch }
    }
}
