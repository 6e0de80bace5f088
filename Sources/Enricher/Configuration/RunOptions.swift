/// The values given on the command line, before environment variables and defaults fill the
/// gaps. `nil` means "not given". Kept free of ArgumentParser so resolution is testable.
public struct RunOptions: Sendable {
    public var brokers: String?
    public var group: String?
    public var inputTopic: String?
    public var outputTopic: String?
    public var dlqTopic: String?
    /// `-X key=value`, in order.
    public var kafkaProperties: [String] = []
    public var rateLimit: String?
    public var maxInFlight: String?
    public var retryMaxElapsed: String?
    public var httpPort: String?
    public var httpHost: String?
    public var logFormat: String?
    public var keepMediaBase64: Bool = false
    /// `--rate-coordination on|off`.
    public var rateCoordination: String?
    /// `--coordination-topic NAME`.
    public var coordinationTopic: String?
    /// `--media-archive`, `--s3-endpoint`, `--s3-addressing`, `--media-concurrency`
    /// (resolved by ``MediaArchiveConfiguration/resolve(_:environment:faceIDEndpoint:)``).
    public var mediaArchive: String?
    public var s3Endpoint: String?
    public var s3Addressing: String?
    public var mediaConcurrency: String?

    public init() {}
}

extension EnricherConfiguration {
    /// Resolves flags over environment over defaults, validating each value and naming the
    /// flag and variable in the error.
    public static func resolve(
        _ options: RunOptions,
        environment: [String: String],
        standardErrorIsTerminal: Bool
    ) throws(ConfigurationError) -> EnricherConfiguration {
        var c = EnricherConfiguration.defaults
        func pick(_ flag: String?, _ variable: String) -> String? {
            if let flag { return flag }
            if let value = environment[variable], !value.isEmpty { return value }
            return nil
        }
        func nonEmpty(_ value: String?, _ flag: String, _ variable: String, _ keep: String) throws(ConfigurationError) -> String {
            guard let value else { return keep }
            guard !value.trimmingSpaces().isEmpty else { throw ConfigurationError("\(flag) / \(variable) must not be empty") }
            return value.trimmingSpaces()
        }
        c.brokers = try nonEmpty(pick(options.brokers, "KAFKA_BROKERS"), "--brokers", "KAFKA_BROKERS", c.brokers)
        c.group = try nonEmpty(pick(options.group, "KAFKA_GROUP_ID"), "--group", "KAFKA_GROUP_ID", c.group)
        c.inputTopic = try nonEmpty(pick(options.inputTopic, "INPUT_TOPIC"), "--input-topic", "INPUT_TOPIC", c.inputTopic)
        c.outputTopic = try nonEmpty(pick(options.outputTopic, "OUTPUT_TOPIC"), "--output-topic", "OUTPUT_TOPIC", c.outputTopic)
        c.dlqTopic = try nonEmpty(pick(options.dlqTopic, "DLQ_TOPIC"), "--dlq-topic", "DLQ_TOPIC", c.dlqTopic)
        guard Set([c.inputTopic, c.outputTopic, c.dlqTopic]).count == 3 else {
            throw ConfigurationError("--input-topic, --output-topic and --dlq-topic must be three different topics")
        }

        // KAFKA_CONFIG first, then -X, so a flag overrides the environment for the same key.
        var properties: [(key: String, value: String)] = []
        if let fromEnvironment = environment["KAFKA_CONFIG"], !fromEnvironment.isEmpty {
            for item in fromEnvironment.split(separator: ",") {
                properties.append(try parseProperty(String(item), source: "KAFKA_CONFIG"))
            }
        }
        for item in options.kafkaProperties {
            properties.append(try parseProperty(item, source: "-X"))
        }
        c.kafkaProperties = properties

        if let text = pick(options.rateLimit, "FACEID_RATE_LIMIT") {
            guard let value = Double(text.trimmingSpaces()), value > 0, value.isFinite else {
                throw ConfigurationError("--rate-limit / FACEID_RATE_LIMIT must be a positive number of requests per second, got '\(text)'")
            }
            c.rateLimit = value
        }
        if let text = pick(options.maxInFlight, "MAX_IN_FLIGHT") {
            guard let value = Int(text.trimmingSpaces()), (1...10_000).contains(value) else {
                throw ConfigurationError("--max-in-flight / MAX_IN_FLIGHT must be a whole number from 1 to 10000, got '\(text)'")
            }
            c.maxInFlight = value
        }
        if let text = pick(options.retryMaxElapsed, "RETRY_MAX_ELAPSED") {
            do {
                c.retryMaxElapsed = try DurationParsing.parse(text)
            } catch {
                throw ConfigurationError("--retry-max-elapsed / RETRY_MAX_ELAPSED: \(error)")
            }
        }
        if let text = pick(options.httpPort, "HTTP_PORT") {
            guard let value = Int(text.trimmingSpaces()), (0...65535).contains(value) else {
                throw ConfigurationError("--http-port / HTTP_PORT must be a port number, got '\(text)'")
            }
            c.httpPort = value
        }
        c.httpHost = try nonEmpty(pick(options.httpHost, "HTTP_HOST"), "--http-host", "HTTP_HOST", c.httpHost)
        if let text = pick(options.logFormat, "LOG_FORMAT") {
            guard let format = LogFormat(rawValue: text.trimmingSpaces().lowercased()) else {
                throw ConfigurationError("--log-format / LOG_FORMAT must be text or json, got '\(text)'")
            }
            c.logFormat = format
        } else {
            c.logFormat = standardErrorIsTerminal ? .text : .json
        }
        c.keepMediaBase64 = options.keepMediaBase64 || environment["KEEP_MEDIA_BASE64"].map { ["1", "true", "yes"].contains($0.lowercased()) } == true
        let coordination = pick(options.rateCoordination, "RATE_COORDINATION")?.trimmingSpaces().lowercased() ?? "on"
        guard ["on", "off"].contains(coordination) else {
            throw ConfigurationError("--rate-coordination / RATE_COORDINATION must be on or off, got '\(coordination)'")
        }
        let topic = try nonEmpty(
            pick(options.coordinationTopic, "COORDINATION_TOPIC"),
            "--coordination-topic",
            "COORDINATION_TOPIC",
            EnricherConfiguration.defaultCoordinationTopic(group: c.group)
        )
        guard ![c.inputTopic, c.outputTopic, c.dlqTopic].contains(topic) else {
            throw ConfigurationError("--coordination-topic / COORDINATION_TOPIC must differ from the input, output and DLQ topics")
        }
        c.coordinationTopic = coordination == "on" ? topic : nil
        return c
    }

    static func parseProperty(_ item: String, source: String) throws(ConfigurationError) -> (key: String, value: String) {
        guard let equals = item.firstIndex(of: "=") else {
            throw ConfigurationError("\(source) '\(item)' is not key=value")
        }
        let key = String(item[..<equals]).trimmingSpaces()
        let value = String(item[item.index(after: equals)...]).trimmingSpaces()
        guard !key.isEmpty else { throw ConfigurationError("\(source) '\(item)' has an empty key") }
        return (key: key, value: value)
    }
}
