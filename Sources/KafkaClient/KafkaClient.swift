// The KafkaClient module: our Swift layer over librdkafka.
//
// The design (threads and callbacks, commit semantics, bounded memory, lag, the mock cluster) is described in
// KafkaClient.docc/KafkaClient.md. In short: no librdkafka call that blocks ever runs on Swift's cooperative pool —
// each client owns a dedicated poll thread, other blocking calls run on short-lived dedicated threads bridged with
// continuations, and handles are destroyed on a dedicated thread.
