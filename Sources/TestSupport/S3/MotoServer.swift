import CurlHTTP
import EnricherJSON
public import MediaArchive

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A real S3-compatible server for tests: moto's server (`python3 -m moto.server`, the `moto_server`
/// of PyPI `moto[server]`) on a free 127.0.0.1 port, with IAM users and buckets made by a second
/// client (boto3, `s3_rig.py`) and SigV4 verification turned on, so a request signed wrongly is
/// refused as S3 would refuse it. Prefer ``withMotoServer(buckets:_:)``, which stops it even when
/// the test fails.
///
/// The PID is written to `$FACEID_TEST_PIDDIR` (when set) and removed on stop, like ``TansuBroker``.
public final class MotoServer: Sendable {
    /// A key pair moto knows.
    public struct Account: Sendable, Hashable {
        /// The access key id.
        public var accessKeyID: String
        /// The secret access key.
        public var secretAccessKey: String
    }

    /// One stored object as boto3 read it back.
    public struct StoredObject: Sendable, Hashable {
        /// Its key.
        public var key: String
        /// Its size.
        public var bytes: Int
        /// The MD5 of the bytes boto3 downloaded, lower-case hex.
        public var md5: String
        /// Its `Content-Type`.
        public var contentType: String?

        /// An object as a test expects it.
        public init(key: String, bytes: Int, md5: String, contentType: String?) {
            self.key = key
            self.bytes = bytes
            self.md5 = md5
            self.contentType = contentType
        }
    }

    /// The server's port on 127.0.0.1.
    public let port: Int
    /// Its process id.
    public let pid: Int32
    /// Where its output goes.
    public let logPath: String
    /// A user allowed everything (`s3:*`).
    public let writer: Account
    /// A user allowed only to read: its uploads are refused with `AccessDenied`.
    public let denied: Account
    private let pidFile: String?

    /// `http://127.0.0.1:PORT`, for `--s3-endpoint`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, pid: Int32, logPath: String, writer: Account, denied: Account, pidFile: String?) {
        self.port = port
        self.pid = pid
        self.logPath = logPath
        self.writer = writer
        self.denied = denied
        self.pidFile = pidFile
    }

    /// `s3_rig.py`, next to this file.
    static var rigScript: String {
        let file = #filePath
        return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]) + "/s3_rig.py"
    }

    /// Starts moto, waits until it answers, creates the users and `buckets`, turns authentication on.
    public static func start(
        buckets: [String],
        readyTimeout: Duration = .seconds(30)
    ) async throws(KafkaTestRigError) -> MotoServer {
        let port = try ChildProcess.freeLoopbackPort()
        let logPath = "/tmp/faceid-moto-\(getpid())-\(port).log"
        let pid = try ChildProcess.spawn(
            "/usr/bin/env",
            ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"],
            outputPath: logPath
        )
        var pidFile: String?
        if let directory = ChildProcess.environment("FACEID_TEST_PIDDIR") {
            let path = "\(directory)/moto-\(pid).pid"
            ChildProcess.writeFile(path, "\(pid)\n")
            pidFile = path
        }
        func fail(_ message: String) async -> KafkaTestRigError {
            await ChildProcess.stop(pid)
            if let pidFile { unlink(pidFile) }
            return KafkaTestRigError("\(message): \(ChildProcess.readFile(logPath).suffix(1500))")
        }
        guard await waitUntilAnswering(port: port, pid: pid, timeout: readyTimeout) else {
            throw await fail(
                "moto_server on port \(port) did not answer within \(readyTimeout) (pip install 'moto[server]')"
            )
        }
        let result: JSONValue
        do {
            result = try await rig(["setup", "http://127.0.0.1:\(port)"] + buckets)
        } catch {
            throw await fail("s3_rig.py setup failed: \(error)")
        }
        guard let writer = account(result["writer"]), let denied = account(result["denied"]) else {
            throw await fail("s3_rig.py setup printed no credentials")
        }
        return MotoServer(port: port, pid: pid, logPath: logPath, writer: writer, denied: denied, pidFile: pidFile)
    }

    /// Every object under `prefix` in `bucket`, read back by boto3 with the writer's key.
    public func objects(bucket: String, prefix: String = "") async throws(KafkaTestRigError) -> [StoredObject] {
        let result = try await Self.rig([
            "objects", endpoint, writer.accessKeyID, writer.secretAccessKey, bucket, prefix,
        ])
        return (result.arrayValue ?? []).compactMap { item in
            guard let key = item["key"]?.stringValue, let bytes = item["bytes"]?.intValue,
                let md5 = item["md5"]?.stringValue
            else { return nil }
            return StoredObject(key: key, bytes: bytes, md5: md5, contentType: item["contentType"]?.stringValue)
        }
    }

    /// Creates `bucket` with the writer's key (e.g. the operator fixing a missing bucket mid-test).
    public func createBucket(_ bucket: String) async throws(KafkaTestRigError) {
        _ = try await Self.rig(["create-bucket", endpoint, writer.accessKeyID, writer.secretAccessKey, bucket])
    }

    /// The S3 store configuration for `bucket` under `prefix`, signed with `account` (the writer's by default).
    public func store(
        bucket: String,
        prefix: String = "",
        account: Account? = nil
    ) throws -> MediaArchiveConfiguration.Store {
        let account = account ?? writer
        return .s3(
            try S3StoreConfiguration(
                bucket: bucket,
                prefix: prefix,
                endpoint: endpoint,
                region: "us-east-1",
                credentials: S3Credentials(accessKeyID: account.accessKeyID, secretAccessKey: account.secretAccessKey)
            )
        )
    }

    /// Stops the server (SIGTERM, then SIGKILL after a grace) and removes its PID file.
    public func stop() async {
        await ChildProcess.stop(pid, grace: .seconds(2))
        if let pidFile { unlink(pidFile) }
    }

    private static func account(_ value: JSONValue?) -> Account? {
        guard let id = value?["id"]?.stringValue, let secret = value?["secret"]?.stringValue else { return nil }
        return Account(accessKeyID: id, secretAccessKey: secret)
    }

    /// Runs `s3_rig.py` with `arguments` and parses its `RESULT` line.
    private static func rig(_ arguments: [String]) async throws(KafkaTestRigError) -> JSONValue {
        let (status, output) = try await ChildProcess.output(
            "/usr/bin/env",
            ["python3", rigScript] + arguments,
            timeout: .seconds(60)
        )
        guard status == 0,
            let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
            let value = try? JSONValue(parsing: Array(line.dropFirst("RESULT ".count).utf8))
        else {
            throw KafkaTestRigError("s3_rig.py \(arguments.first ?? "") exited \(status): \(output.suffix(1500))")
        }
        return value
    }

    private static func waitUntilAnswering(port: Int, pid: Int32, timeout: Duration) async -> Bool {
        guard
            let http = try? CurlHTTPClient(
                configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), totalTimeout: .seconds(2))
            )
        else { return false }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var isAnswering = false
        for _ in 0..<600 where clock.now < deadline && !ChildProcess.hasExited(pid) {
            if let response = try? await http.execute(
                HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/moto-api/data.json")
            ),
                response.status == 200
            {
                isAnswering = true
                break
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        await http.shutdown()
        return isAnswering
    }
}

/// Runs `body` with a fresh moto server holding `buckets`, and stops it afterwards, whatever happens.
public func withMotoServer<T>(buckets: [String], _ body: (MotoServer) async throws -> T) async throws -> T {
    let server = try await MotoServer.start(buckets: buckets)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
