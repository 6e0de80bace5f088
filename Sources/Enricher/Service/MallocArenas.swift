#if canImport(Glibc)
import Glibc
#endif

/// How many glibc malloc arenas the `run` service may use.
///
/// glibc gives a thread that finds the arenas busy an arena of its own, up to eight per core. The
/// service has about seventeen threads (Swift's pool, libcurl's loop, the Kafka poll threads and
/// librdkafka's own), and memory freed in one arena is not reused by another, so a burst leaves
/// each arena holding its own high-water mark. Two arenas, one per core of the machines it runs
/// on, measured 64 MiB instead of 69 MiB in the 20,000-event burst, at the same throughput; the
/// per-thread caches glibc keeps in front of the arenas stay, so threads rarely contend.
/// `MALLOC_ARENA_MAX` in the environment, glibc's own setting, wins.
package enum MallocArenas {
    /// The arena limit the service sets when the environment does not.
    package static let serviceDefault: Int32 = 2
    /// `M_ARENA_MAX` from glibc's `<malloc.h>`, which Swift's Glibc module does not include.
    static let arenaMaxParameter: Int32 = -8

    /// Limits the arenas to `serviceDefault` unless `MALLOC_ARENA_MAX` is set; call before the
    /// service starts its threads. Returns whether the limit was set here.
    @discardableResult
    package static func limit(environment: [String: String]) -> Bool {
        #if canImport(Glibc)
        guard environment["MALLOC_ARENA_MAX"] == nil else { return false }
        // Looked up at run time: `mallopt` is glibc's, but `<malloc.h>` is not part of the Glibc module.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        return mallopt(arenaMaxParameter, serviceDefault) == 1
        #else
        return false
        #endif
    }
}
