import EnricherJSON
import Foundation
import MediaArchive
import Simulator
import TestSupport
import Testing

extension PipelineEndToEndTests {
    /// `--media-archive` end to end: the service over Kafka and the simulator, which serves real media at the
    /// URLs it returns, archiving into a directory and into a real S3-compatible server (moto), read back.
    @Suite("Pipeline end to end: media archive")
    struct MediaArchiveEndToEndTests {
        static func options(
            _ archive: MediaArchiveConfiguration,
            maxElapsed: Duration = .seconds(30)
        ) -> EnricherInstanceOptions {
            var options = EnricherInstanceOptions()
            options.mediaArchive = archive
            options.retryPolicy.maxElapsed = maxElapsed
            return options
        }

        @Test(
            "into a directory: every result with media is archived and named in data.media; the others say null",
            arguments: KafkaTestBackend.enabled
        )
        func fileArchive(backend: KafkaTestBackend) async throws {
            try await MediaArchiveAudit.withDirectory { directory in
                try await withEndToEnd(backend: backend, inputPartitions: 3) { e2e in
                    let events =
                        (0..<8).map { _ in TestInputEvent.scripted("PASS") } + [
                            .scripted("FAIL1001"), .scripted("FAIL2004"), .scripted("PEND1"), .scripted("EXPD"),
                            .scripted("ILLG"),
                        ]
                    try await e2e.producer.send(events)
                    let snapshot = try await e2e.withFleet(
                        options: Self.options(MediaArchiveAudit.fileArchive(directory))
                    ) { _ in
                        try await e2e.withReader { reader in await reader.waitForOutputs(events.map(\.eventId)) }
                    }
                    let audit = DeliveryAudit(eventIds: events.map(\.eventId), snapshot: snapshot)
                    #expect(audit.isComplete, "\(audit)")
                    let outputs = Array(snapshot.outputsByEventId.values)
                    let media = await MediaArchiveAudit.check(outputs, lookup: MediaArchiveAudit.fileLookup)
                    #expect(media.isClean, "\(media)")
                    #expect(
                        media.outputsWithMedia == 11,
                        "8 passed, 2 failed after the camera ran, PEND1 passed: \(media)"
                    )
                    #expect(media.objectsVerified == 22)
                    #expect(e2e.simulator.counters.mediaDownloads["served"] == 22, "each object downloaded once")
                    try MediaArchiveAudit.validateOutputs(outputs.map(\.message))
                }
            }
        }

        @Test(
            "into S3 (moto): the objects are where data.media says, byte for byte, read back by boto3",
            arguments: KafkaTestBackend.enabled
        )
        func s3Archive(backend: KafkaTestBackend) async throws {
            let bucket = "e2e-media-\(UInt32.random(in: 0...UInt32.max))"
            try await withMotoServer(buckets: [bucket]) { moto in
                try await withEndToEnd(backend: backend, inputPartitions: 3) { e2e in
                    let events = (0..<10).map { _ in TestInputEvent.scripted("PASS") }
                    try await e2e.producer.send(events)
                    let archive = MediaArchiveConfiguration(
                        store: try moto.store(bucket: bucket, prefix: "kyc/faceid"),
                        concurrency: 4,
                        allowsPlainHTTPMediaURLs: true
                    )
                    let snapshot = try await e2e.withFleet(options: Self.options(archive)) { _ in
                        try await e2e.withReader { reader in await reader.waitForOutputs(events.map(\.eventId)) }
                    }
                    #expect(DeliveryAudit(eventIds: events.map(\.eventId), snapshot: snapshot).isComplete)
                    let objects = try await moto.objects(bucket: bucket, prefix: "kyc/faceid/")
                    #expect(objects.count == 20)
                    let outputs = Array(snapshot.outputsByEventId.values)
                    let media = await MediaArchiveAudit.check(
                        outputs,
                        lookup: MediaArchiveAudit.s3Lookup(objects, bucket: bucket)
                    )
                    #expect(media.isClean, "\(media)")
                    #expect(media.objectsVerified == 20)
                    #expect(
                        objects.allSatisfy { $0.contentType == ($0.key.hasSuffix(".jpg") ? "image/jpeg" : "video/mp4") }
                    )
                }
            }
        }

        @Test(
            "a missing bucket holds the events (not ready, nothing committed) until it exists; then they are archived",
            arguments: KafkaTestBackend.enabled
        )
        func missingBucketHolds(backend: KafkaTestBackend) async throws {
            let bucket = "e2e-later-\(UInt32.random(in: 0...UInt32.max))"
            try await withMotoServer(buckets: []) { moto in
                try await withEndToEnd(backend: backend, inputPartitions: 1) { e2e in
                    let events = (0..<3).map { _ in TestInputEvent.scripted("PASS") }
                    try await e2e.producer.send(events)
                    let archive = MediaArchiveConfiguration(
                        store: try moto.store(bucket: bucket),
                        allowsPlainHTTPMediaURLs: true
                    )
                    let group = KafkaTestCluster.uniqueName("e2e-media-halt")
                    let snapshot = try await e2e.withFleet(
                        group: group,
                        options: Self.options(archive, maxElapsed: .seconds(2))
                    ) { fleet in
                        try await e2e.withReader { reader in
                            let instance = try #require(fleet.instances.first)
                            let halted = await instance.waitUntilHealth(timeout: .seconds(60)) {
                                $0.haltingCode == "Store.NoSuchBucket"
                            }
                            #expect(halted, "a missing bucket did not hold the pipeline")
                            #expect(!instance.health.current.isReady, "/readyz would answer 200")
                            // Held past the 2 s transient budget: store errors are never dead-lettered.
                            let held = await reader.settle(for: .seconds(3))
                            #expect(held.outputs.isEmpty && held.deadLetters.isEmpty)
                            #expect(
                                (try await e2e.committedInputOffsets(group: group)[0] ?? 0) == 0,
                                "nothing committed past the held events"
                            )
                            try await moto.createBucket(bucket)
                            return await reader.waitForOutputs(events.map(\.eventId), timeout: .seconds(60))
                        }
                    }
                    #expect(DeliveryAudit(eventIds: events.map(\.eventId), snapshot: snapshot).isComplete)
                    #expect(snapshot.deadLetters.isEmpty)
                    let objects = try await moto.objects(bucket: bucket)
                    let media = await MediaArchiveAudit.check(
                        Array(snapshot.outputsByEventId.values),
                        lookup: MediaArchiveAudit.s3Lookup(objects, bucket: bucket)
                    )
                    #expect(media.isClean && media.objectsVerified == 6, "\(media)")
                }
            }
        }

        @Test(
            "expired media URLs (403) are refreshed by asking the API again; the fresh result is published",
            arguments: KafkaTestBackend.enabled
        )
        func expiredURLsAreRefreshed(backend: KafkaTestBackend) async throws {
            try await MediaArchiveAudit.withDirectory { directory in
                var simulator = SimulatorConfiguration()
                simulator.faults = [.mediaExpired: 1]
                try await withEndToEnd(backend: backend, inputPartitions: 1, simulator: simulator) { e2e in
                    let events = (0..<3).map { _ in TestInputEvent.scripted("PASS") }
                    try await e2e.producer.send(events)
                    let snapshot = try await e2e.withFleet(
                        options: Self.options(MediaArchiveAudit.fileArchive(directory))
                    ) { _ in
                        try await e2e.withReader { reader in
                            // Every token is asked for again at least once before the downloads are let through.
                            let refreshed = await Poll.until(timeout: .seconds(60)) {
                                let calls = e2e.simulator.counters.callsPerToken
                                return events.allSatisfy { calls[$0.bizToken, default: 0] >= 2 }
                            }
                            #expect(refreshed, "403 media answers did not make the service fetch fresh URLs")
                            e2e.simulator.clearFaults()
                            return await reader.waitForOutputs(events.map(\.eventId))
                        }
                    }
                    #expect(DeliveryAudit(eventIds: events.map(\.eventId), snapshot: snapshot).isComplete)
                    #expect(snapshot.deadLetters.isEmpty)
                    for output in snapshot.outputsByEventId.values {
                        #expect((output.attempts ?? 0) >= 2, "attempts count the refresh calls")
                    }
                    let media = await MediaArchiveAudit.check(
                        Array(snapshot.outputsByEventId.values),
                        lookup: MediaArchiveAudit.fileLookup
                    )
                    #expect(media.isClean && media.objectsVerified == 6, "\(media)")
                    #expect((e2e.simulator.counters.mediaDownloads["expired"] ?? 0) >= 3)
                }
            }
        }

        @Test(
            "media that keeps failing goes to the DLQ as retries_exhausted with the media error, no URL in it",
            arguments: KafkaTestBackend.enabled
        )
        func failingMediaIsDeadLettered(backend: KafkaTestBackend) async throws {
            try await MediaArchiveAudit.withDirectory { directory in
                var simulator = SimulatorConfiguration()
                simulator.faults = [.mediaMissing: 1]
                try await withEndToEnd(backend: backend, inputPartitions: 1, simulator: simulator) { e2e in
                    let event = TestInputEvent.scripted("PASS")
                    try await e2e.producer.send(event)
                    let snapshot = try await e2e.withFleet(
                        options: Self.options(MediaArchiveAudit.fileArchive(directory), maxElapsed: .seconds(2))
                    ) { _ in
                        try await e2e.withReader { reader in await reader.waitUntil { $0.deadLetters.count >= 1 } }
                    }
                    #expect(snapshot.outputs.isEmpty, "nothing is published without its media")
                    let letter = try #require(snapshot.deadLetters.first)
                    #expect(letter.reason == "retries_exhausted")
                    #expect(letter.error?.hasPrefix("Media.NotFound: bestFrame:") == true, "\(letter.error ?? "-")")
                    #expect(letter.error?.contains("http") == false)
                    #expect(letter.message.value == event.value)
                    #expect(MediaFiles.regularFiles(under: directory).isEmpty)
                }
            }
        }
    }
}

/// The files of an archive directory (staging files included).
enum MediaFiles {
    static func regularFiles(under directory: String) -> [String] {
        (FileManager.default.subpaths(atPath: directory) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
    }
}
