import Testing

/// Every Kafka test lives under this suite so they run one at a time: each starts clients with several
/// librdkafka threads (and, on Tansu, a broker process), and the group timeouts are short enough that a starved
/// machine would turn CPU contention into spurious rebalances.
@Suite("KafkaClient", .serialized)
enum KafkaClientSuite {}
