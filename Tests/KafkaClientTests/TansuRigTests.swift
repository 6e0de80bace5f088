import KafkaClient
import Logging
import Testing
import TestSupport

extension KafkaClientSuite {
    /// The test rig's own promise about real brokers: a test talks only to the broker it started.
    @Suite("Test rig: Tansu brokers", .enabled(if: KafkaTestBackend.enabled.contains(.tansu), "needs Tansu"))
    struct TansuRigTests {
        @Test("a broker that cannot bind its port is not mistaken for the broker already listening there")
        func brokerOnATakenPortIsNotMistakenForTheOther() async throws {
            try await withTansu { squatter in
                // Restarting in place on a port another broker holds: the new process exits at once (address in
                // use) while the other answers metadata requests on that port, as if it were the new one.
                let clock = ContinuousClock()
                let started = clock.now
                await #expect(throws: KafkaTestRigError.self) {
                    let impostor = try await TansuBroker.start(port: squatter.port, readyTimeout: .seconds(20))
                    await impostor.stop()
                }
                #expect(clock.now - started < .seconds(30), "gives up after the same-port retries")
                // The squatter is untouched.
                let metadata = try await KafkaAdmin.clusterMetadata(
                    configuration: KafkaAdminConfiguration(
                        bootstrapServers: squatter.bootstrapServers,
                        requestTimeout: .seconds(5)
                    ),
                    logger: Logger(label: "rig", factory: { _ in SwiftLogNoOpLogHandler() })
                )
                #expect(!metadata.brokers.isEmpty)
            }
        }
    }
}
