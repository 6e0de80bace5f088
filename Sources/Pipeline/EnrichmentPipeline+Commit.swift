import Logging

extension EnrichmentPipeline {
    /// Commits acknowledged progress every `commitInterval` until cancelled.
    func commitPeriodically() async {
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: configuration.commitInterval)
            } catch {
                return
            }
            await commitProgress()
        }
    }

    /// Stores and commits, for each partition whose committable offset moved since the last
    /// successful commit, the offset after its contiguous acknowledged prefix. Serialized, so
    /// offsets never go backwards through interleaving. A failed commit is counted and retried
    /// with the next batch.
    func commitProgress() async {
        await commitGate.enter()
        let offsets = state.withLock { s -> [PartitionID: Int64] in
            s.completionsSinceCommit = 0
            var changed: [PartitionID: Int64] = [:]
            for (partition, offset) in s.tracker.committableOffsets where s.committedOffsets[partition] != offset {
                changed[partition] = offset
            }
            return changed
        }
        if !offsets.isEmpty {
            partitions.storeOffsets(offsets)
            do {
                try await partitions.commit()
                state.withLock { s in
                    for (partition, offset) in offsets where s.tracker.committableOffset(for: partition) != nil {
                        s.committedOffsets[partition] = offset
                    }
                }
            } catch {
                metrics.commitFailures.increment()
                state.withLock { $0.statistics.commitFailures += 1 }
                logger.warning("Offset commit failed", metadata: ["kafka.error.code": "\(error.code)"])
            }
        }
        commitGate.leave()
    }
}
