import KafkaClient
import Synchronization

/// Holds the first fatal consumer error seen while the pipeline runs, so `run()` can throw it
/// after the drain. A class because it is shared between the input sequence and the service.
final class FatalErrorBox: Sendable {
    private let stored = Mutex<KafkaError?>(nil)

    func set(_ error: KafkaError) {
        stored.withLock { if $0 == nil { $0 = error } }
    }

    var error: KafkaError? { stored.withLock { $0 } }
}
