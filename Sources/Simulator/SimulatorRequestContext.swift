import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's basics plus the connection, which the `reset`
/// fault needs in order to drop the connection without answering.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
