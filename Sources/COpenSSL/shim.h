#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

// OpenSSL 3 libcrypto: the EVP digest interface (SHA-256 fetched once, MD5), on which TC3's HMAC is built.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#endif
