import Enricher
import EnricherJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Start-up pages")
struct StartupPagesTests {
    @Test("only private read-only file mappings without copy-on-write pages are releasable")
    func releasableMappings() {
        let smaps = """
            55d0c0000000-55d0c0100000 r-xp 00001000 fe:01 1234 /usr/bin/faceid-enricher
            Size:               1024 kB
            Rss:                 512 kB
            Anonymous:             0 kB
            VmFlags: rd ex mr mw me
            55d0c0100000-55d0c0110000 r--p 00101000 fe:01 1234 /usr/bin/faceid-enricher
            Rss:                  64 kB
            Anonymous:            64 kB
            55d0c0110000-55d0c0120000 rw-p 00111000 fe:01 1234 /usr/bin/faceid-enricher
            Rss:                  64 kB
            Anonymous:             0 kB
            7f0000000000-7f0000001000 r--s 00000000 00:05 77 /dev/shm/segment
            Rss:                   4 kB
            Anonymous:             0 kB
            7f0000002000-7f0000003000 r--p 00000000 00:00 0 
            Rss:                   4 kB
            Anonymous:             0 kB
            7f0000004000-7f0000005000 r--p 00000000 fe:01 99 /tmp/gone.so (deleted)
            Rss:                   4 kB
            Anonymous:             0 kB
            7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]
            Rss:                   8 kB
            Anonymous:             0 kB
            7f0000006000-7f0000007000 r--p 00000000 fe:01 100 /usr/lib/libexample.so
            Rss:                   4 kB
            """
        let mappings = StartupPages.mappings(in: smaps)
        #expect(mappings.count == 8)
        #expect(mappings.map(\.isReleasable) == [true, false, false, false, false, false, false, false])
        #expect(mappings[0].residentKiB == 512)
        #expect(mappings[0].start == 0x55d0_c000_0000 && mappings[0].end == 0x55d0_c010_0000)
    }

    @Test("releasing this process's start-up pages leaves it running and lowers its file-backed memory")
    func releaseKeepsTheProcessWorking() throws {
        let before = Self.rssFileKiB()
        let released = StartupPages.release()
        // Everything still runs: code and read-only data come back from the page cache on use.
        let value = try JSONValue(parsing: #"{"a":[1,2,{"b":"c"}]}"#)
        #expect(value.serialized == #"{"a":[1,2,{"b":"c"}]}"#)
        #expect(released > 0)
        if let before, let after = Self.rssFileKiB() {
            #expect(after < before)
        }
    }

    /// `RssFile` of this process, from `/proc/self/status`.
    static func rssFileKiB() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("RssFile:") {
                return text.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            }
        }
        return nil
    }
}

@Suite("Malloc arenas")
struct MallocArenasTests {
    @Test("the service limits glibc's arenas unless MALLOC_ARENA_MAX says otherwise")
    func limitsArenasUnlessTheEnvironmentDoes() {
        #expect(!MallocArenas.limit(environment: ["MALLOC_ARENA_MAX": "4"]))
        #expect(MallocArenas.limit(environment: [:]))
    }
}
