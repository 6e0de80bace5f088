#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H

// librdkafka through C interop. Debian's pkg-config adds -I/usr/include/x86_64-linux-gnu,
// so the headers are reached by their <librdkafka/...> path. rdkafka_mock.h needs rdkafka.h first.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

// Typed, non-variadic wrappers: Swift cannot call C variadics or function-like macros.

/// Produces one message to an unassigned partition (the partitioner picks it), copying key and value.
/// On success librdkafka owns `headers` (may be NULL); on failure the caller still owns them.
/// `opaque` is handed back in the delivery report callback.
static inline rd_kafka_resp_err_t crdkafka_produce(rd_kafka_t *_Nonnull rk,
                                                   const char *_Nonnull topic,
                                                   const void *_Nullable key, size_t key_len,
                                                   const void *_Nullable value, size_t value_len,
                                                   rd_kafka_headers_t *_Nullable headers,
                                                   void *_Nullable opaque) {
    if (headers != NULL) {
        return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
                                 RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_HEADERS(headers),
                                 RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    }
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len), RD_KAFKA_V_OPAQUE(opaque),
                             RD_KAFKA_V_END);
}

/// One entry of the variadic `rd_kafka_mock_broker_push_request_error_rtts`: the next `api_key` request to broker
/// `broker_id` is answered with `err` (0: success) `rtt_ms` milliseconds late.
static inline rd_kafka_resp_err_t crdkafka_mock_broker_push_request_error_rtt(rd_kafka_mock_cluster_t *_Nonnull mcluster,
                                                                              int32_t broker_id, int16_t api_key,
                                                                              rd_kafka_resp_err_t err, int rtt_ms) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, rtt_ms);
}

/// `RD_KAFKA_OFFSET_INVALID` as a typed constant (the macro is not imported reliably).
static inline int64_t crdkafka_offset_invalid(void) { return RD_KAFKA_OFFSET_INVALID; }

/// `RD_KAFKA_OFFSET_BEGINNING` (the logical start of a partition) as a typed constant.
static inline int64_t crdkafka_offset_beginning(void) { return RD_KAFKA_OFFSET_BEGINNING; }

#endif
