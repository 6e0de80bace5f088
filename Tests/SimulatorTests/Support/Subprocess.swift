import Foundation

/// Runs a child process to completion with a deadline, for tests that drive an external client.
enum Subprocess {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        var command: String
        var description: String { "\(command) did not finish in time and was terminated" }
    }

    /// Records a started child's PID in `FACEID_TEST_PIDDIR`, where CI kills whatever is left
    /// if the test run dies before the child exits; returns the file to remove once it has.
    static func recordPID(of process: Process) -> URL? {
        guard let directory = ProcessInfo.processInfo.environment["FACEID_TEST_PIDDIR"] else { return nil }
        let file = URL(fileURLWithPath: directory).appendingPathComponent("simulator-test-\(process.processIdentifier)")
        try? Data(String(process.processIdentifier).utf8).write(to: file)
        return file
    }

    /// Runs `arguments` (looked up on PATH through `/usr/bin/env`) and waits at most `timeout`;
    /// on timeout the child is terminated (by its own handle) and `TimedOut` is thrown.
    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        timeout: Duration
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.finish() }
        try process.run()
        let pidFile = recordPID(of: process)
        defer {
            if let pidFile { try? FileManager.default.removeItem(at: pidFile) }
        }

        let completed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in finished.stream {}
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard completed else {
            process.terminate()
            throw TimedOut(command: arguments.joined(separator: " "))
        }
        return Outcome(
            status: process.terminationStatus,
            standardOutput: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            standardError: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        )
    }
}
