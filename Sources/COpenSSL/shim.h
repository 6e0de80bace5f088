#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

// OpenSSL 3 libcrypto: EVP_Digest for SHA-256 and MD5, HMAC() with EVP_sha256() for TC3 signing.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#endif
