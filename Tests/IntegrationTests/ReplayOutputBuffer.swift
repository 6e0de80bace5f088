import Foundation
import Synchronization

/// Collects a pipe's output as it arrives (so a child never blocks on a full pipe) and notes the
/// end of the stream.
final class ReplayOutputBuffer: Sendable {
    private let state = Mutex((text: "", isClosed: false))

    func attach(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                // End of file: stop watching, or the handler would be called again and again.
                handle.readabilityHandler = nil
                state.withLock { $0.isClosed = true }
                return
            }
            let chunk = String(decoding: data, as: UTF8.self)
            state.withLock { $0.text += chunk }
        }
    }

    var text: String { state.withLock { $0.text } }
    var isClosed: Bool { state.withLock { $0.isClosed } }
}
