#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H

// librdkafka through C interop. Debian's pkg-config adds -I/usr/include/x86_64-linux-gnu,
// so the headers are reached by their <librdkafka/...> path. rdkafka_mock.h needs rdkafka.h first.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
