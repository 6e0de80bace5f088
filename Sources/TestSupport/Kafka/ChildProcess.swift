import CSpawn

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Minimal process control for the test rig: `posix_spawn` so the rig owns the PID outright (no library reaps
/// it behind our back), and explicit SIGTERM → SIGKILL → `waitpid` on stop.
enum ChildProcess {
    /// Starts `path` with `arguments`, stdout and stderr appended to `outputPath`, stdin from /dev/null.
    static func spawn(_ path: String, _ arguments: [String], outputPath: String) throws(KafkaTestRigError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else {
            throw KafkaTestRigError("could not start \(path): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// Adds the action that closes every descriptor above stderr in the child. Without it a child inherits
    /// whatever the test process has open without close-on-exec — other tests' sockets among them, as hundreds
    /// run at once — and keeps them open for its whole life: a client's close then never reaches its server
    /// (`Tests/RIG-NOTES.md`).
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
    }

    /// Whether `pid` has exited (reaping it if so).
    static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        return rc == pid || (rc == -1 && errno == ECHILD)
    }

    /// SIGTERM, up to `grace` for it to exit, then SIGKILL and a blocking `waitpid`.
    static func stop(_ pid: pid_t, grace: Duration = .seconds(1)) async {
        guard !hasExited(pid) else { return }
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while clock.now < deadline {
            if hasExited(pid) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    /// Runs a short command to completion and returns its output (stdout and stderr).
    static func output(_ path: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws(KafkaTestRigError) -> (status: Int32, output: String) {
        let outputPath = "/tmp/faceid-testrig-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { unlink(outputPath) }
        let pid = try spawn(path, arguments, outputPath: outputPath)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if clock.now >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw KafkaTestRigError("\(path) did not finish within \(timeout)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return ((status >> 8) & 0xff, readFile(outputPath))
    }

    /// The contents of a (small) text file, or "" if unreadable.
    static func readFile(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `contents` to `path` (replacing it).
    static func writeFile(_ path: String, _ contents: String) {
        guard let file = fopen(path, "w") else { return }
        defer { fclose(file) }
        _ = contents.withCString { fputs($0, file) }
    }

    /// A free TCP port on 127.0.0.1 (bound to port 0, read back, released).
    static func freeLoopbackPort() throws(KafkaTestRigError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw KafkaTestRigError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw KafkaTestRigError("bind(127.0.0.1:0) failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw KafkaTestRigError("getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether process `pid` itself holds a listening TCP socket on 127.0.0.1:`port` (or on every address), read
    /// from `/proc`: a port picked free can be taken by another process before the child binds it, and then
    /// something answers on the port that is not the child.
    static func isListening(_ pid: pid_t, port: Int) -> Bool {
        let inodes = listeningSocketInodes(port: port)
        guard !inodes.isEmpty, let directory = opendir("/proc/\(pid)/fd") else { return false }
        defer { closedir(directory) }
        var buffer = [CChar](repeating: 0, count: 64)
        // A process has a bounded number of descriptors; the loop ends at the directory's end.
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            let count = readlink("/proc/\(pid)/fd/\(name)", &buffer, buffer.count - 1)
            guard count > 0 else { continue }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("socket:["), inodes.contains(String(target.dropFirst(8).dropLast())) { return true }
        }
        return false
    }

    /// Inodes of the sockets listening on `port` at 127.0.0.1 or 0.0.0.0, from `/proc/net/tcp`.
    private static func listeningSocketInodes(port: Int) -> Set<String> {
        let portHex = procHex(port)
        var inodes: Set<String> = []
        for line in readFile("/proc/net/tcp").split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A" else { continue }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, local[1] == portHex, local[0] == "0100007F" || local[0] == "00000000" else {
                continue
            }
            inodes.insert(String(fields[9]))
        }
        return inodes
    }

    /// `port` as `/proc/net/tcp` writes it: four upper-case hex digits.
    private static func procHex(_ port: Int) -> String {
        let hex = String(port, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// An environment variable, or nil when unset or empty.
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let string = String(cString: value)
        return string.isEmpty ? nil : string
    }
}
