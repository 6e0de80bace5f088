import KafkaClient
import Logging
import Testing
import TestSupport

extension KafkaClientSuite {
    @Suite("Pause and resume")
    struct PauseResumeTests {
        @Test("pausing a partition stops its delivery while others flow; resuming restarts it where it stopped",
              arguments: KafkaTestBackend.enabled)
        func pauseStopsAndResumeRestartsDelivery(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("pause")
                try await cluster.createTopic(topic, partitions: 2)
                let paused = TopicPartition(topic: topic, partition: 0)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                let consumer = try KafkaConsumer(
                    configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("pause")),
                    logger: cluster.logger
                )
                try consumer.subscribe(topics: [topic])
                try await withRecordedConsumer(consumer) { recorder in
                    let warmup = try await produce(producer, topic: topic, count: 40) { (bytes("k\($0)"), bytes("warmup"), []) }
                    try #require(await recorder.waitUntil(timeout: .seconds(60)) { $0.messages.count >= warmup.count })
                    try #require(Set(warmup.map(\.partition)) == [0, 1], "keys should spread over both partitions")

                    try consumer.pause([paused])
                    let during = try await produce(producer, topic: topic, count: 40) { (bytes("k\($0)"), bytes("during"), []) }
                    let expectedOthers = during.filter { $0.partition != 0 }.count
                    let expectedPaused = during.count - expectedOthers
                    try #require(expectedPaused > 0 && expectedOthers > 0)
                    // The other partition keeps flowing…
                    let othersArrived = await recorder.waitUntil(timeout: .seconds(30)) { state in
                        state.messages.filter { $0.value == bytes("during") && $0.partition != 0 }.count >= expectedOthers
                    }
                    #expect(othersArrived)
                    // …and for a further second nothing of the paused partition's new messages shows up.
                    try await Task.sleep(for: .seconds(1))
                    let leaked = recorder.messages.filter { $0.value == bytes("during") && $0.partition == 0 }
                    #expect(leaked.isEmpty, "a paused partition must not deliver")

                    try consumer.resume([paused])
                    let resumed = await recorder.waitUntil(timeout: .seconds(30)) { state in
                        state.messages.filter { $0.value == bytes("during") && $0.partition == 0 }.count >= expectedPaused
                    }
                    #expect(resumed, "resume restarts delivery")
                    // Nothing skipped or repeated on the paused partition.
                    let offsets = recorder.messages.filter { $0.partition == 0 }.map(\.offset)
                    #expect(offsets == Array(0..<Int64(offsets.count)))
                }
                await producer.shutdown(timeout: .seconds(5))
            }
        }

        @Test("a pause takes effect at once: messages already buffered for the partition wait until it is resumed",
              arguments: KafkaTestBackend.enabled)
        func pauseHoldsBufferedMessages(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("hold")
                try await cluster.createTopic(topic, partitions: 1)
                let partition = TopicPartition(topic: topic, partition: 0)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                _ = try await produce(producer, topic: topic, count: 200) { (bytes("k\($0)"), bytes("v\($0)"), []) }
                let consumer = try KafkaConsumer(
                    configuration: cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("hold")),
                    logger: cluster.logger
                )
                try consumer.subscribe(topics: [topic])
                try await withRecordedConsumer(consumer, onMessage: { message in
                    // Paused by the reader itself, right after the first message, as a caller at its limit does.
                    if message.offset == 0 { try? consumer.pause([partition]) }
                }) { recorder in
                    try #require(await recorder.waitUntil(timeout: .seconds(60)) { $0.messages.count >= 1 })
                    try await Task.sleep(for: .seconds(1))
                    #expect(recorder.messageCount == 1, "nothing more is delivered once paused, buffered or not")
                    try consumer.resume([partition])
                    #expect(await recorder.waitUntil(timeout: .seconds(30)) { $0.messages.count >= 200 })
                    #expect(recorder.messages.map(\.offset) == Array(0..<200))
                }
                await producer.shutdown(timeout: .seconds(5))
            }
        }

        @Test("rebalance events keep flowing while every partition is paused", arguments: KafkaTestBackend.enabled)
        func rebalanceEventsFlowWhileAllPaused(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("pauseall")
                let group = KafkaTestCluster.uniqueName("pauseall")
                try await cluster.createTopic(topic, partitions: 4)
                let a = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: group), logger: cluster.logger)
                try a.subscribe(topics: [topic])
                try await withRecordedConsumer(a) { recorderA in
                    try #require(await waitFor(timeout: .seconds(60)) { a.assignment.count == 4 })
                    try a.pause(a.assignment)
                    let b = try KafkaConsumer(configuration: cluster.consumerConfiguration(group: group), logger: cluster.logger)
                    try b.subscribe(topics: [topic])
                    try await withRecordedConsumer(b) { _ in
                        let rebalanced = await recorderA.waitUntil(timeout: .seconds(60)) { state in
                            !state.revoked.isEmpty && state.assigned.count >= 2
                        }
                        #expect(rebalanced, "the paused member still sees the revoke and its new assignment")
                        #expect(await waitFor(timeout: .seconds(30)) { a.assignment.count == 2 && b.assignment.count == 2 })
                    }
                }
            }
        }

        @Test("flow control: a reader that lags far behind gets every message once, in order, with a small buffer",
              arguments: KafkaTestBackend.enabled)
        func boundedBufferLosesNothing(backend: KafkaTestBackend) async throws {
            try await backend.withCluster { cluster in
                let topic = KafkaTestCluster.uniqueName("flow")
                try await cluster.createTopic(topic, partitions: 3)
                let producer = try KafkaProducer(configuration: cluster.producerConfiguration(), logger: cluster.logger)
                _ = try await produce(producer, topic: topic, count: 1000) { (bytes("k\($0)"), bytes("v\($0)"), []) }
                var configuration = cluster.consumerConfiguration(group: KafkaTestCluster.uniqueName("flow"))
                configuration.maxBufferedMessages = 50
                let consumer = try KafkaConsumer(configuration: configuration, logger: cluster.logger)
                try consumer.subscribe(topics: [topic])
                try await withRecordedConsumer(consumer, onMessage: { message in
                    // A slow reader: the backlog reaches the bound and fetching is paused and resumed many times.
                    if message.offset % 100 == 0 { usleepBriefly() }
                }) { recorder in
                    try #require(await recorder.waitUntil(timeout: .seconds(120)) { $0.messages.count >= 1000 })
                    try await Task.sleep(for: .milliseconds(500))
                    let messages = recorder.messages
                    #expect(messages.count == 1000)
                    for partition in Int32(0)..<3 {
                        let offsets = messages.filter { $0.partition == partition }.map(\.offset)
                        #expect(offsets == Array(0..<Int64(offsets.count)))
                    }
                }
                await producer.shutdown(timeout: .seconds(5))
            }
        }
    }
}

/// Blocks the reading task for 20 ms, imitating slow processing (bounded: called once per 100 messages).
private func usleepBriefly() {
    var request = timespec(tv_sec: 0, tv_nsec: 20_000_000)
    var remaining = timespec()
    _ = nanosleep(&request, &remaining)
}

#if canImport(Glibc)
import Glibc
#endif
