import Hummingbird

/// Hands every request, whatever its path or method, to the simulator: the real API also
/// answers every request on its host with its own envelope.
struct SimulatorResponder: HTTPResponder {
    typealias Context = SimulatorRequestContext

    let simulator: FaceIDSimulator

    func respond(to request: Request, context: SimulatorRequestContext) async throws -> Response {
        try await simulator.respond(to: request, channel: context.channel)
    }
}
