import ArgumentParser
import Enricher
import Foundation
import Logging
import ServiceLifecycle
import Simulator

/// `faceid-enricher simulate`: the FaceID API simulator as a standalone HTTP server, for local
/// development and for tests of other clients (see CONTRACT.md, "The simulator").
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a FaceID API simulator over HTTP (TC3 signatures, rate limit, scripted and injected outcomes).",
        discussion: """
            BizToken prefixes script the answer: PASS- (default), FAIL<code>-, PEND<k>-, PENDX-, EXPD-, ILLG-.
            Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY and any --secret ID=KEY.
            Fault kinds: \(SimulatorFault.allCases.map(\.rawValue).joined(separator: ", ")).
            """
    )

    @Option(help: "TCP port to listen on (0 picks a free one).")
    var port: Int = 9000

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("rate-limit"), help: "Requests per second let through; 0 = unlimited.")
    var rateLimit: Int = 20

    @Option(name: .customLong("latency-ms"), help: "Latency added to every answer, in milliseconds.")
    var latencyMilliseconds: Int = 0

    @Option(name: .customLong("jitter-ms"), help: "Each answer's latency varies by up to ± this, in milliseconds.")
    var jitterMilliseconds: Int = 0

    @Option(name: .customLong("slow-ms"), help: "How long the slow fault holds an answer back, in milliseconds.")
    var slowMilliseconds: Int = 5000

    @Option(name: .customLong("fault"), help: "KIND=P: inject fault KIND with probability P in 0…1 (repeatable).")
    var faults: [String] = []

    @Option(name: .customLong("secret"), help: "ID=KEY: accept this SecretId and SecretKey too (repeatable).")
    var secrets: [String] = []

    @Option(name: .customLong("media-ttl"), help: "How long media URLs stay valid (10m, 30s, …).")
    var mediaTTL: String = "10m"

    @Option(name: .customLong("media-video-bytes"), help: "Size of every simulated video in bytes (default 4120).")
    var mediaVideoBytes: Int = 24 + 4096

    @Option(
        name: .customLong("media-base-url"),
        help: "Where media URLs point (http://host:port); default: the address each API request was sent to."
    )
    var mediaBaseURL: String?

    @Option(help: "Seed for the random draws (faults, jitter), for repeatable runs.")
    var seed: UInt64?

    @Flag(name: .customLong("log-requests"), help: "Print one JSON line per request on stdout.")
    var logsRequests = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be in 0…65535") }
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 (unlimited) or more") }
        guard latencyMilliseconds >= 0, jitterMilliseconds >= 0, slowMilliseconds >= 0 else {
            throw ValidationError("--latency-ms, --jitter-ms and --slow-ms must not be negative")
        }
        for fault in faults where SimulatorFault.parseAssignment(fault) == nil {
            throw ValidationError(
                "--fault \(fault): expected KIND=P with KIND one of "
                    + "\(SimulatorFault.allCases.map(\.rawValue).joined(separator: ", ")) and P in 0…1"
            )
        }
        guard (24...(1 << 30)).contains(mediaVideoBytes) else {
            throw ValidationError("--media-video-bytes must be from 24 to 1073741824")
        }
        if let mediaBaseURL, !(mediaBaseURL.hasPrefix("http://") || mediaBaseURL.hasPrefix("https://")) {
            throw ValidationError("--media-base-url must be an http(s):// URL")
        }
        for secret in secrets where SimulatorSecret(parsing: secret) == nil {
            throw ValidationError("--secret expects ID=KEY with neither part empty")
        }
        _ = try simulatorConfiguration(environment: ProcessInfo.processInfo.environment)
    }

    func run() async throws {
        let configuration = try simulatorConfiguration(environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "faceid-enricher.simulate")
        logger.logLevel = .info
        let simulator = FaceIDSimulator(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [simulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                guard let port = try? await simulator.waitUntilRunning() else { return }
                let accounts = configuration.secrets.map(\.secretID).joined(separator: ", ")
                StandardError.write("faceid simulator listening on http://\(configuration.host):\(port)/ (SecretIds: \(accounts))\n")
            }
            try await tasks.waitForAll()
        }
    }

    /// The simulator's configuration from the flags and the credential environment variables.
    func simulatorConfiguration(environment: [String: String]) throws -> SimulatorConfiguration {
        var accepted: [SimulatorSecret] = []
        if let id = environment["TENCENTCLOUD_SECRET_ID"], !id.isEmpty,
            let key = environment["TENCENTCLOUD_SECRET_KEY"], !key.isEmpty
        {
            accepted.append(SimulatorSecret(secretID: id, secretKey: key))
        }
        accepted += secrets.compactMap(SimulatorSecret.init(parsing:))
        guard !accepted.isEmpty else {
            throw ValidationError(
                "no credentials to accept: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, or pass --secret ID=KEY"
            )
        }
        var faultProbabilities: [SimulatorFault: Double] = [:]
        for assignment in faults.compactMap(SimulatorFault.parseAssignment) {
            faultProbabilities[assignment.fault] = assignment.probability
        }
        let ttl: Duration
        do {
            ttl = try DurationParsing.parse(mediaTTL)
        } catch {
            throw ValidationError("--media-ttl: \(error)")
        }
        return SimulatorConfiguration(
            host: host,
            port: port,
            secrets: accepted,
            rateLimit: rateLimit,
            latency: .milliseconds(latencyMilliseconds),
            jitter: .milliseconds(jitterMilliseconds),
            slowDelay: .milliseconds(slowMilliseconds),
            faults: faultProbabilities,
            seed: seed,
            logsRequests: logsRequests,
            mediaTTL: ttl,
            videoSize: mediaVideoBytes,
            mediaBaseURL: mediaBaseURL
        )
    }
}
