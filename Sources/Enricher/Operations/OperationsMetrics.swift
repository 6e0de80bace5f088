import MediaArchive
import Pipeline
public import Prometheus

/// The metrics factory `faceid-enricher run` hands to the service, writing into the registry that
/// `/metrics` renders.
///
/// swift-prometheus turns every swift-metrics `Timer` into a histogram in seconds (the Prometheus
/// base unit) with buckets from 5 ms to 10 s. That fits one API call, but an event's end-to-end
/// latency includes its retries and pending polls (up to `--retry-max-elapsed`, 10 minutes by
/// default), which would all land in `+Inf`; so each duration histogram gets buckets that cover
/// its range. Tests build the factory the same way, so what they scrape is what operators see.
public enum OperationsMetrics {
    /// API call latency buckets: up to the client's 30 s request timeout.
    public static let apiRequestDurationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30),
    ]

    /// End-to-end latency buckets: from a fraction of a second to the 10-minute retry budget and beyond.
    public static let endToEndLatencyBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
        .seconds(1200),
    ]

    /// Media archive latency buckets: a best frame and a video, downloaded and stored, from tens
    /// of milliseconds to the two-minute transfer timeout.
    public static let mediaArchiveDurationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(120),
    ]

    /// A Prometheus metrics factory over `registry` with the service's histogram buckets.
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            MetricNames.apiRequestDuration: apiRequestDurationBuckets,
            MetricNames.endToEndLatency: endToEndLatencyBuckets,
            MediaMetricNames.archiveDuration: mediaArchiveDurationBuckets,
        ]
        return factory
    }
}
