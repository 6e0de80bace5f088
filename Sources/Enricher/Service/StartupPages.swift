import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Lets go of the program-file pages that only start-up used, so the resident set is what the
/// service runs on.
///
/// Why: most of a freshly started enricher's memory is not its own data but pages of its
/// executable and shared libraries (libcrypto, librdkafka, libcurl, the Swift runtime) mapped
/// while loading, relocating, parsing flags, joining the group and opening the first connections
/// — and, because the kernel maps up to 64 KiB around every page fault of a cached file, their
/// neighbours. Measured on the 15 events/s run: 50 MiB resident, of which 27 MiB are file pages
/// that steady processing never touches again. They are clean copies of files that stay in the
/// page cache, so dropping this process's mappings of them (`madvise(MADV_DONTNEED)`) frees
/// them from its resident set without losing anything; a page needed later is mapped again on
/// its next use, from the page cache.
///
/// Safety: only private, read-only mappings of files are released, and only those without
/// anonymous (copy-on-write) pages: a page the dynamic loader relocated, or anything else
/// written, lives in such pages, which `MADV_DONTNEED` would discard; those mappings are skipped.
/// Writable mappings, the heap, stacks and anything shared are never touched.
package enum StartupPages {
    /// When pages are released, counted from the first assignment: soon after it (start-up is over:
    /// the group is joined and the first fetches, calls and produces have run, or run on pages steady
    /// processing needs anyway), once more a minute later (pages only the first minute used), then
    /// every `interval` (pages a rebalance or a burst mapped and steady processing does not use).
    package static let gapsAfterJoin: [Duration] = [.seconds(5), .seconds(55)]
    package static let interval: Duration = .seconds(600)

    /// Waits for the group's first assignment, then releases the start-up pages on the schedule above
    /// until cancelled.
    static func releasePeriodically(health: ServiceHealth, logger: Logger) async {
        let clock = ContinuousClock()
        while !health.current.hasJoinedGroup {
            guard (try? await clock.sleep(for: .seconds(1))) != nil else { return }
        }
        var due = clock.now
        var pass = 0
        while true {
            due = due.advanced(by: pass < gapsAfterJoin.count ? gapsAfterJoin[pass] : interval)
            guard (try? await clock.sleep(until: due, tolerance: .seconds(1))) != nil else { return }
            let released = release()
            logger.debug("Start-up pages released", metadata: ["process.released_kib": "\(released)"])
            pass += 1
        }
    }

    /// One mapping from `/proc/self/smaps`, with what decides whether it may be released.
    package struct Mapping: Equatable {
        package var start: UInt
        package var end: UInt
        package var permissions: String
        package var path: String
        package var anonymousKiB: Int
        package var residentKiB: Int

        /// A private, read-only mapping of a file with no anonymous pages: only clean file pages.
        package var isReleasable: Bool {
            let p = Array(permissions.utf8)
            return p.count == 4 && p[0] == UInt8(ascii: "r") && p[1] == UInt8(ascii: "-")
                && p[3] == UInt8(ascii: "p") && path.hasPrefix("/") && !path.hasSuffix(" (deleted)")
                && anonymousKiB == 0 && end > start
        }
    }

    /// Releases every releasable mapping of this process; returns how many KiB were resident in them.
    @discardableResult
    package static func release() -> Int {
        guard let smaps = readFile("/proc/self/smaps") else { return 0 }
        var released = 0
        for mapping in mappings(in: smaps) where mapping.isReleasable && mapping.residentKiB > 0 {
            guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
            if madvise(address, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                released += mapping.residentKiB
            }
        }
        return released
    }

    /// The mappings described by the text of an `smaps` file.
    package static func mappings(in smaps: String) -> [Mapping] {
        mappings(in: Array(smaps.utf8))
    }

    /// The mappings described by the bytes of an `smaps` file: a header line per mapping
    /// (`start-end perms offset dev inode [path]`) followed by `Key: value kB` lines, of which only
    /// `Rss` and `Anonymous` matter. Read byte by byte: the file has thousands of lines.
    static func mappings(in smaps: [UInt8]) -> [Mapping] {
        var result: [Mapping] = []
        var lineStart = 0
        while lineStart < smaps.count {
            var lineEnd = lineStart
            while lineEnd < smaps.count, smaps[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let line = smaps[lineStart..<lineEnd]
            if let first = line.first, isHexDigit(first) {
                if let mapping = header(line) { result.append(mapping) }
            } else if !result.isEmpty {
                if line.starts(with: "Rss:".utf8) {
                    result[result.count - 1].residentKiB = kibValue(line) ?? 0
                } else if line.starts(with: "Anonymous:".utf8) {
                    result[result.count - 1].anonymousKiB = kibValue(line) ?? Int.max
                }
            }
            lineStart = lineEnd + 1
        }
        return result
    }

    /// `start-end perms offset dev inode [path]`.
    private static func header(_ line: ArraySlice<UInt8>) -> Mapping? {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5 else { return nil }
        let range = fields[0].split(separator: UInt8(ascii: "-"))
        guard range.count == 2, let start = hexValue(range[0]), let end = hexValue(range[1]) else { return nil }
        let path = fields.count == 6 ? String(decoding: fields[5].drop { $0 == UInt8(ascii: " ") }, as: UTF8.self) : ""
        // Anonymous pages count as unknown until the mapping's own line says how many: never released by default.
        return Mapping(
            start: start,
            end: end,
            permissions: String(decoding: fields[1], as: UTF8.self),
            path: path,
            anonymousKiB: Int.max,
            residentKiB: 0
        )
    }

    private static func hexValue(_ digits: ArraySlice<UInt8>) -> UInt? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var value: UInt = 0
        for digit in digits {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt(digit - UInt8(ascii: "a") + 10)
            default: return nil
            }
        }
        return value
    }

    /// The number in `Key:   123 kB`.
    private static func kibValue(_ line: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var sawDigit = false
        for byte in line.drop(while: { $0 != UInt8(ascii: ":") }) {
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                sawDigit = true
            } else if sawDigit {
                break
            }
        }
        return sawDigit ? value : nil
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    /// The whole of a (proc) file, read with plain `read` calls: `/proc` files have no size to read up front.
    private static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        // Bounded: an smaps file is a few hundred KiB; stop at 64 MiB whatever happens.
        for _ in 0..<1024 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}
