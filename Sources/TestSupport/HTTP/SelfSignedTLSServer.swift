import Foundation

/// An HTTPS server on `127.0.0.1` whose certificate is self-signed, so no client that verifies
/// against the system CA store may talk to it: the check that TLS verification is really on.
///
/// It is a child process (`python3` with its `ssl` module, a certificate made by the `openssl`
/// command), stopped by its PID in ``stop()``. When `FACEID_TEST_PIDDIR` is set (by `.ci/test`)
/// the PID is also recorded there, so CI kills it even if the test process dies first.
public final class SelfSignedTLSServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    private let process: Process
    private let directory: String
    private let pidFile: String?

    /// `https://127.0.0.1:<port>`.
    public var baseURL: String { "https://127.0.0.1:\(port)" }

    private static let script = """
        import http.server, ssl, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    /// Makes a certificate for `127.0.0.1`, starts the server and waits for its port.
    public init() throws {
        directory = NSTemporaryDirectory() + "faceid-tls-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificate = directory + "/cert.pem"
        let key = directory + "/key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw LoopbackServerError(message: "openssl could not make a certificate")
        }

        let output = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, certificate, key]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let pidDirectory = ProcessInfo.processInfo.environment["FACEID_TEST_PIDDIR"], !pidDirectory.isEmpty {
            let path = pidDirectory + "/tls-server-\(process.processIdentifier)"
            try? "\(process.processIdentifier)".write(toFile: path, atomically: true, encoding: .utf8)
            pidFile = path
        } else {
            pidFile = nil
        }
        // The first line is the port; an empty read means the server exited.
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw LoopbackServerError(message: "the TLS server did not start")
        }
        self.port = port
    }

    /// Stops the server (by its PID) and removes its certificate.
    public func stop() {
        if process.isRunning {
            // SIGKILL: the child inherits the test process's blocked signal mask, so SIGTERM may never arrive.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
