import ArgumentParser

/// The Kafka flags shared by `run` and `replay`. Values stay optional: environment variables
/// and defaults are applied by `EnricherConfiguration.resolve`, so a flag given here always
/// wins and an absent one falls through.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Bootstrap servers (env KAFKA_BROKERS, default localhost:9092).")
    var brokers: String?

    @Option(help: "Consumer group id (env KAFKA_GROUP_ID, default faceid-enricher).")
    var group: String?

    @Option(help: "Input topic (env INPUT_TOPIC, default faceid.verification.completed).")
    var inputTopic: String?

    @Option(help: "Output topic (env OUTPUT_TOPIC, default faceid.verification.result).")
    var outputTopic: String?

    @Option(help: "Dead-letter topic (env DLQ_TOPIC, default faceid.verification.dlq).")
    var dlqTopic: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "A librdkafka property, key=value; repeatable (env KAFKA_CONFIG, comma-separated).",
            valueName: "key=value"
        )
    )
    var kafkaProperties: [String] = []
}
