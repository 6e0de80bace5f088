import Enricher
import Foundation
import KafkaClient
import MediaArchive
import Pipeline
import Simulator
import TestSupport
import Testing

/// `/metrics` of a run with `--media-archive`: the media families appear with their types and labels,
/// their values agree with what the run archived, and check_deploy.py accepts the scrape.
@Suite("Operability: media archive metrics", .serialized)
struct OperabilityMediaMetricsTests {
    static let mediaFamilies: [String: (type: String, labels: Set<String>)] = [
        MediaMetricNames.objects: ("counter", ["kind", "result"]),
        MediaMetricNames.bytes: ("counter", ["kind"]),
        MediaMetricNames.md5Mismatches: ("counter", ["kind"]),
        MediaMetricNames.archiveDuration: ("histogram", []),
    ]

    @Test(
        "a run with the media archive exposes the media metrics, and they count what was archived",
        arguments: KafkaTestBackend.enabled
    )
    func scrapeOfAnArchivingRun(backend: KafkaTestBackend) async throws {
        try await MediaArchiveAudit.withDirectory { directory in
            try await backend.withCluster { cluster in
                let topics = OperabilityTopics("opsint-media-metrics")
                try await topics.create(on: cluster, partitions: 3)
                // About a third of the downloads arrive corrupt (seeded): MD5 mismatches, then retries.
                let configuration = SimulatorConfiguration(
                    secrets: OperabilityAccount.simulatorSecrets,
                    rateLimit: 0,
                    faults: [.mediaCorrupt: 0.3],
                    seed: 7
                )
                try await withSimulator(configuration) { simulator in
                    try await RecordCollector.collecting([topics.output, topics.dlq], on: cluster) { collector in
                        try await withEnricher(
                            cluster: cluster,
                            simulator: simulator,
                            topics: topics,
                            mediaArchive: MediaArchiveAudit.fileArchive(directory)
                        ) { enricher in
                            _ = await Poll.until(timeout: .seconds(30)) { enricher.health.current.isReady }
                            let backlog = try await OperabilityBacklog.run(
                                tag: "mm",
                                topics: topics,
                                cluster: cluster,
                                simulator: simulator,
                                collector: collector
                            )
                            try await checkScrape(enricher, backlog: backlog, simulator: simulator)
                        }
                    }
                }
            }
        }
    }

    func checkScrape(
        _ enricher: EnricherUnderTest,
        backlog: OperabilityBacklog,
        simulator: FaceIDSimulator
    ) async throws {
        // Results with media: three passed, PEND1 passed, FAIL1001 (the camera ran): 5 × 2 objects.
        let withMedia = backlog.outputs.filter { $0.json?["data"]?["media"]?.objectMembers != nil }
        #expect(withMedia.count == 5)
        var scrape = try await enricher.scrape()
        for _ in 0..<50 where scrape.value("faceid_enricher_ready") != 1 {
            try await Task.sleep(for: .milliseconds(200))
            scrape = try await enricher.scrape()
        }
        for (name, expected) in Self.mediaFamilies {
            #expect(scrape.types[name] == expected.type, "\(name): TYPE \(scrape.types[name] ?? "missing")")
            let sampleName = expected.type == "histogram" ? name + "_bucket" : name
            #expect(scrape.labelNames(sampleName).subtracting(["le"]) == expected.labels, "\(name)")
        }
        // A video that fails its MD5 fails the archive after its best frame was stored; the retry stores that
        // best frame again, at the same key.
        let videoMismatches = scrape.value(MediaMetricNames.md5Mismatches, ["kind": "video"]) ?? 0
        #expect(scrape.value(MediaMetricNames.objects, ["kind": "video", "result": "stored"]) == 5)
        #expect(
            scrape.value(MediaMetricNames.objects, ["kind": "best_frame", "result": "stored"]) == 5 + videoMismatches
        )
        let corrupt = simulator.counters.mediaDownloads["corrupt", default: 0]
        #expect(corrupt > 0, "the seeded faults corrupted no download")
        #expect(
            scrape.sum(MediaMetricNames.md5Mismatches) == Double(corrupt),
            "every corrupt download is an MD5 mismatch"
        )
        #expect(scrape.sum(MediaMetricNames.objects, ["result": "md5_mismatch"]) == Double(corrupt))
        #expect(scrape.value(MetricNames.retries, ["reason": "media"]) == Double(corrupt), "each mismatch retried once")
        let storedBytes = withMedia.compactMap { $0.json?["data"]?["media"]?["video"]?["bytes"]?.intValue }.reduce(0, +)
        #expect(scrape.value(MediaMetricNames.bytes, ["kind": "video"]) == Double(storedBytes))
        let archives = scrape.value(MediaMetricNames.archiveDuration + "_count") ?? 0
        #expect(archives == Double(5 + corrupt), "one observation per archive, failed ones included")
        #expect(
            scrape.bucketBounds(MediaMetricNames.archiveDuration)
                == OperationsMetrics.mediaArchiveDurationBuckets.map(\.seconds)
        )
        Attachment.record(scrape.text, named: "metrics-media.txt")
        try OperabilityMetricsTests().checkDeployAgainst(scrape)
    }
}
