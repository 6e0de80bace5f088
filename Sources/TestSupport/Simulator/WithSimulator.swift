import Logging
import ServiceLifecycle
public import Simulator

/// Runs a ``FaceIDSimulator`` in-process on 127.0.0.1 and a free port for the duration of
/// `body`, and stops it afterwards, also when `body` throws.
///
/// The simulator passed to `body` is listening: read its ``FaceIDSimulator/port`` or
/// ``FaceIDSimulator/baseURL``. The configuration's host and port are overridden (loopback,
/// port 0) so parallel tests never collide. It stops with a graceful shutdown (in-flight
/// answers finish, idle keep-alive connections close), escalated to cancellation after
/// `shutdownGrace` so a `slow` answer cannot hold a test up.
public func withSimulator<Result: Sendable>(
    _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
    shutdownGrace: Duration = .seconds(1),
    _ body: (FaceIDSimulator) async throws -> Result
) async throws -> Result {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    var logger = Logger(label: "faceid-simulator.test")
    logger.logLevel = .warning
    let simulator = FaceIDSimulator(configuration: configuration, logger: logger)
    var groupConfiguration = ServiceGroupConfiguration(services: [simulator], logger: logger)
    groupConfiguration.maximumGracefulShutdownDuration = shutdownGrace
    let services = ServiceGroup(configuration: groupConfiguration)

    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { try await services.run() }
        do {
            _ = try await simulator.waitUntilRunning()
            let result = try await body(simulator)
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch let error as SimulatorError where error.code == .notRunning {
            // It stopped before listening: run()'s own error says why (e.g. the bind failed).
            try await group.waitForAll()
            throw error
        } catch {
            await services.triggerGracefulShutdown()
            // The body's error is the one worth reporting; how the simulator stopped is not.
            try? await group.waitForAll()
            throw error
        }
    }
}
