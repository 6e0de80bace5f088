import KafkaClient
import Logging
import Metrics

/// Once a second: mirrors readiness into the `ready` gauge (the pipeline's health observer
/// keeps `/readyz` itself current), logs a halt once per code, and publishes per-partition consumer lag from
/// librdkafka's statistics (high watermark − committed offset) as
/// `faceid_enricher_consumer_lag{topic,partition}`. Partitions no longer assigned lose their
/// gauge, so a dashboard summing over instances counts each partition once.
struct StatusReporter: Sendable {
    static let lagMetric = "faceid_enricher_consumer_lag"
    static let readyMetric = "faceid_enricher_ready"

    let consumer: KafkaConsumer
    let health: ServiceHealth
    let metricsFactory: any MetricsFactory
    let logger: Logger

    func run() async {
        var lagGauges: [TopicPartition: Gauge] = [:]
        let ready = Gauge(label: Self.readyMetric, dimensions: [], factory: metricsFactory)
        var reportedHalt: String?
        while !Task.isCancelled {
            // The pipeline's health observer keeps `haltingCode` current.
            let state = health.current
            ready.record(state.isReady ? 1 : 0)
            if let code = state.haltingCode, reportedHalt != code {
                reportedHalt = code
                logger.error(
                    "progress stopped by an error that needs an operator; events are held and retried",
                    metadata: ["tencentcloud.error.code": "\(code)"]
                )
            } else if state.haltingCode == nil, let previous = reportedHalt {
                reportedHalt = nil
                logger.notice("progress resumed", metadata: ["tencentcloud.error.code": "\(previous)"])
            }

            let lag = consumer.lag()
            for (partition, value) in lag {
                let gauge =
                    lagGauges[partition]
                    ?? Gauge(
                        label: Self.lagMetric,
                        dimensions: [("topic", partition.topic), ("partition", String(partition.partition))],
                        factory: metricsFactory
                    )
                lagGauges[partition] = gauge
                gauge.record(value)
            }
            for (partition, gauge) in lagGauges where lag[partition] == nil {
                gauge.destroy()
                lagGauges[partition] = nil
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
