#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The built `faceid-enricher` executable run as a child process, as an operator or a supervisor runs it:
/// chosen arguments and environment, stdout and stderr captured to files, signals sent by PID, exit awaited
/// with a deadline. The PID is recorded in `$FACEID_TEST_PIDDIR` (CI kills whatever is left) until reaped.
///
/// Use ``withEnricherProcess(_:environment:removingEnvironment:_:)`` (which always stops it) or
/// ``run(_:environment:removingEnvironment:timeout:)`` for a command that ends by itself.
public final class EnricherProcess: Sendable {
    /// How the process ended.
    public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
        /// It exited with this code.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)

        /// `exit N` or `signal N`.
        public var description: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signalled(let signal): return "signal \(signal)"
            }
        }
    }

    /// What a command that ran to completion printed, and how it ended.
    public struct Outcome: Sendable {
        /// How it ended.
        public var status: ExitStatus
        /// Everything it wrote to stdout.
        public var standardOutput: String
        /// Everything it wrote to stderr.
        public var standardError: String
    }

    /// The child's PID.
    public let pid: Int32
    private let stdoutPath: String
    private let stderrPath: String
    private let pidFile: String?
    private let exit = Mutex<ExitStatus?>(nil)

    private init(pid: Int32, stdoutPath: String, stderrPath: String, pidFile: String?) {
        self.pid = pid
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.pidFile = pidFile
    }

    /// The executable: `$FACEID_ENRICHER_BIN` when set, else `.build/debug/faceid-enricher` under the package
    /// root (found by walking up from this source file to `Package.swift`); `nil` when it does not exist.
    public static var binaryPath: String? {
        if let path = ChildProcess.environment("FACEID_ENRICHER_BIN") {
            return access(path, X_OK) == 0 ? path : nil
        }
        var directory = #filePath
        while let slash = directory.lastIndex(of: "/"), slash != directory.startIndex {
            directory = String(directory[..<slash])
            if access(directory + "/Package.swift", F_OK) == 0 {
                let path = directory + "/.build/debug/faceid-enricher"
                return access(path, X_OK) == 0 ? path : nil
            }
        }
        return nil
    }

    /// Starts the executable with `arguments`; the child's environment is this process's, minus
    /// `removingEnvironment`, plus `environment` (which wins). Throws when the binary is missing or cannot start.
    public static func launch(
        _ arguments: [String],
        environment: [String: String] = [:],
        removingEnvironment: Set<String> = []
    ) throws -> EnricherProcess {
        guard let binary = binaryPath else {
            throw KafkaTestRigError("faceid-enricher is not built (swift build) and FACEID_ENRICHER_BIN is unset")
        }
        let base = "/tmp/faceid-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let stdoutPath = base + ".out"
        let stderrPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        ChildProcess.closeInheritedDescriptors(&actions)

        var variables: [String: String] = [:]
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            index += 1
        }
        for name in removingEnvironment { variables[name] = nil }
        // Tests serve /metrics, /healthz and /readyz on loopback only.
        variables["HTTP_HOST"] = "127.0.0.1"
        variables.merge(environment) { _, new in new }

        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        guard rc == 0 else {
            throw KafkaTestRigError("could not start \(binary): \(String(cString: strerror(rc)))")
        }
        var pidFile: String?
        if let directory = ChildProcess.environment("FACEID_TEST_PIDDIR") {
            let path = "\(directory)/faceid-enricher-\(pid).pid"
            ChildProcess.writeFile(path, "\(pid)\n")
            pidFile = path
        }
        return EnricherProcess(pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath, pidFile: pidFile)
    }

    /// Everything written to stdout so far.
    public var standardOutput: String { ChildProcess.readFile(stdoutPath) }

    /// Everything written to stderr so far.
    public var standardError: String { ChildProcess.readFile(stderrPath) }

    /// How it ended, once reaped; `nil` while it runs.
    public var exitStatus: ExitStatus? {
        exit.withLock { status in
            if status == nil { status = Self.reap(pid, blocking: false) }
            return status
        }
    }

    /// Sends `signal` (e.g. `SIGTERM`, `SIGKILL`) unless the process has already been reaped.
    public func send(_ signal: Int32) {
        guard exitStatus == nil else { return }
        kill(pid, signal)
    }

    /// Waits (polling, at most `timeout`) until the process exits; its status, or `nil` if it still runs.
    public func waitForExit(timeout: Duration) async -> ExitStatus? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let status = exitStatus {
                removePIDFile()
                return status
            }
            if clock.now >= deadline || Task.isCancelled { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (at most `timeout`) until stderr or stdout contains `text`; returns whether it did.
    public func waitForOutput(containing text: String, timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if standardError.contains(text) || standardOutput.contains(text) { return true }
            if clock.now >= deadline || exitStatus != nil || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Ends the process for good: SIGKILL if it still runs, then reaps it and removes its files.
    public func stop() async {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = await waitForExit(timeout: .seconds(10))
        }
        removePIDFile()
        unlink(stdoutPath)
        unlink(stderrPath)
    }

    private func removePIDFile() {
        if let pidFile { unlink(pidFile) }
    }

    private static func reap(_ pid: pid_t, blocking: Bool) -> ExitStatus? {
        var status: Int32 = 0
        let rc = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        guard rc == pid else { return nil }
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(signal)
    }

    /// Runs the executable to completion (killed after `timeout`, which then throws) and returns what it printed.
    public static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        removingEnvironment: Set<String> = [],
        timeout: Duration = .seconds(60)
    ) async throws -> Outcome {
        let process = try launch(arguments, environment: environment, removingEnvironment: removingEnvironment)
        guard let status = await process.waitForExit(timeout: timeout) else {
            await process.stop()
            throw KafkaTestRigError("faceid-enricher \(arguments.first ?? "") did not finish within \(timeout)")
        }
        let outcome = Outcome(status: status, standardOutput: process.standardOutput, standardError: process.standardError)
        await process.stop()
        return outcome
    }
}

/// Starts the executable (see ``EnricherProcess/launch(_:environment:removingEnvironment:)``), runs `body` with it,
/// and kills and reaps it afterwards if it still runs, also when `body` throws.
public func withEnricherProcess<Result: Sendable>(
    _ arguments: [String],
    environment: [String: String] = [:],
    removingEnvironment: Set<String> = [],
    _ body: (EnricherProcess) async throws -> Result
) async throws -> Result {
    let process = try EnricherProcess.launch(arguments, environment: environment, removingEnvironment: removingEnvironment)
    do {
        let result = try await body(process)
        await process.stop()
        return result
    } catch {
        await process.stop()
        throw error
    }
}
