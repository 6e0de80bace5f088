public import Simulator

/// Runs a ``FaceIDSimulator`` in-process on 127.0.0.1 and a free port for the duration of
/// `body`, and stops it afterwards, also when `body` throws.
///
/// The simulator passed to `body` is listening: read its ``FaceIDSimulator/port`` or
/// ``FaceIDSimulator/baseURL``. The configuration's host and port are overridden (loopback,
/// port 0) so parallel tests never collide.
public func withSimulator<Result: Sendable>(
    _ configuration: SimulatorConfiguration = SimulatorConfiguration(),
    _ body: (FaceIDSimulator) async throws -> Result
) async throws -> Result {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.port = 0
    let simulator = FaceIDSimulator(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { try await simulator.run() }
        do {
            _ = try await simulator.waitUntilRunning()
            let result = try await body(simulator)
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch let error as SimulatorError where error.code == .notRunning {
            // It stopped before listening: run()'s own error says why (e.g. the bind failed).
            try await group.waitForAll()
            throw error
        } catch {
            group.cancelAll()
            // The body's error is the one worth reporting; how the simulator stopped is not.
            try? await group.waitForAll()
            throw error
        }
    }
}
