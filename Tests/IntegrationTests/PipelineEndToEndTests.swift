import Testing

/// The end-to-end suites of the running service (in-process instances and the built binary) over Kafka and the
/// FaceID simulator. One test at a time: each starts a cluster (a Tansu process on the second CI pass), a
/// simulator and a consumer group, and on 2 cores several at once would turn CPU starvation into flakiness.
@Suite("Pipeline end to end", .serialized)
enum PipelineEndToEndTests {}
