import CRDKafka

/// The destroy step of every handle owner, kept in one place.
enum RDKafkaDestroy {
    static func destroy(_ transfer: HandleTransfer) {
        rd_kafka_destroy(transfer.pointer)
        if let context = transfer.context {
            RDKafkaCallbackContext.releaseRetained(context)
        }
    }
}
