// The KafkaClient module: our Swift layer over librdkafka.
//
// Threading design (why no librdkafka call blocks Swift's cooperative pool):
// - Every librdkafka handle is owned by one `final class` (`ProducerHandle`, `ConsumerHandle`, `MockKafkaCluster`)
//   whose `deinit` destroys it; callbacks get a separate context object through librdkafka's opaque pointer, retained
//   for exactly as long as the handle lives.
// - Each producer and consumer owns one dedicated OS thread (not a Swift task) that loops on `rd_kafka_poll` /
//   `rd_kafka_consumer_poll` with a short timeout. librdkafka invokes our C callbacks (delivery reports, rebalances,
//   statistics, errors) on that thread; they only copy data out of C memory, update `Mutex`-protected state and
//   resume continuations, so Swift tasks wait on continuations instead of blocking.
// - Other blocking calls (`rd_kafka_flush`, synchronous commits, committed-offset and watermark queries, admin
//   requests) run on a short-lived dedicated thread each (`DedicatedThread.run`) bridged with a continuation.
// - A handle is destroyed off the cooperative pool too: the owner's `deinit` hands it to a dedicated thread.
