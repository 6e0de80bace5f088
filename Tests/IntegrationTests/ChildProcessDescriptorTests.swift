import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The rig's children start with stdin, stdout and stderr only. A child that inherited a copy of a test's socket
/// would keep that connection open after the test closed it, so the peer would never see the close — the cause
/// of `CurlHTTPClientTests` "a server slower than the total timeout …" failing in full runs (`Tests/RIG-NOTES.md`).
@Suite("Test rig: child processes")
struct ChildProcessDescriptorTests {
    @Test("a process the rig starts holds none of the test process's sockets")
    func childrenInheritNoSockets() async throws {
        // Opened as libcurl opens its connections: without close-on-exec.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let ours = try #require(Self.target(of: "/proc/self/fd/\(descriptor)"))
        #expect(ours.hasPrefix("socket:"))
        try await withEnricherProcess(["simulate", "--port", "0", "--rate-limit", "0"]) { process in
            // posix_spawn returns once the child has exec'd: its table is what it inherited, plus its own.
            let children = Self.targets(in: "/proc/\(process.pid)/fd")
            #expect(!children.isEmpty, "the child's descriptors are readable")
            #expect(!children.contains(ours), "the child holds the test's socket: \(children.sorted())")
            let parents = Self.targets(in: "/proc/self/fd").filter { $0.hasPrefix("socket:") }
            #expect(children.isDisjoint(with: parents), "shared sockets: \(children.intersection(parents).sorted())")
        }
    }

    private static func target(of link: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: link)
    }

    private static func targets(in directory: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Set(names.compactMap { target(of: "\(directory)/\($0)") })
    }
}
