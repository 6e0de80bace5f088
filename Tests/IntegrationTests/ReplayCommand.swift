import Foundation
import TestSupport

/// Runs the built `faceid-enricher` executable's `replay` subcommand as an operator would: either
/// with stdout and stderr on a pseudo-terminal (through python3's `pty`, so the progress display is
/// exercised) or on pipes. The child's PID is recorded in `$FACEID_TEST_PIDDIR` while it runs, so
/// CI can stop it if the test dies; a run longer than 90 s is killed.
enum ReplayCommand {
    /// The built executable (see ``EnricherProcess/binaryPath``).
    static var executable: URL? {
        EnricherProcess.binaryPath.map { URL(fileURLWithPath: $0) }
    }

    static var isAvailable: Bool {
        executable != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    }

    /// Runs `faceid-enricher arguments…`; returns the exit status and standard output (on a
    /// terminal, the terminal's whole output) and standard error.
    static func run(
        _ arguments: [String],
        onTerminal: Bool
    ) async throws -> (status: Int32, output: String, errors: String) {
        guard let executable else { throw HarnessError("faceid-enricher is not built") }
        let process = Process()
        if onTerminal {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments =
                [
                    "-c", "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
                    executable.path,
                ] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let collected = ReplayOutputBuffer()
        let collectedErrors = ReplayOutputBuffer()
        collected.attach(output)
        collectedErrors.attach(errors)
        try process.run()
        let pidFile = recordPID(process.processIdentifier)
        defer { if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) } }

        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(90))
        while process.isRunning, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw HarnessError(
                "faceid-enricher \(arguments.first ?? "") did not finish within 90 s: \(collectedErrors.text)"
            )
        }
        // The readability handler may still be delivering the last chunk.
        _ = await waitUntil(timeout: .seconds(2)) { collected.isClosed && collectedErrors.isClosed }
        return (process.terminationStatus, collected.text, collectedErrors.text)
    }

    private static func recordPID(_ pid: Int32) -> String? {
        guard let directory = ProcessInfo.processInfo.environment["FACEID_TEST_PIDDIR"], !directory.isEmpty else {
            return nil
        }
        let path = "\(directory)/opsint-replay-\(pid)"
        return FileManager.default.createFile(atPath: path, contents: Data("\(pid)".utf8)) ? path : nil
    }

    private static func waitUntil(timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
