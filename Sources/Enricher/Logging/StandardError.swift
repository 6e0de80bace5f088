#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to file descriptor 2, for log lines and the one-line errors the
/// executable prints before a non-zero exit. Uses `write(2)` directly: C's `stderr` global is
/// not concurrency-safe to reference from Swift 6.
package enum StandardError {
    /// Writes `text` completely (retrying short writes).
    package static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { raw in
                Glibc.write(2, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written <= 0 {
                if written < 0, errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }

    /// Whether standard error is a terminal (the contract's default log format depends on it).
    package static var isTerminal: Bool { isatty(2) == 1 }
}
