// SPDX-License-Identifier: Apache-2.0
// UsageFlow — system library shim for OpenSSL 3 (Debian: libssl-dev).
// Several OpenSSL entry points are macros; each gets one prefixed static inline function here.
#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/sha.h>
#include <openssl/rand.h>

static inline int copenssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int copenssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long copenssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline int copenssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline size_t copenssl_bio_pending(BIO *bio) { return (size_t)BIO_pending(bio); }
static inline void copenssl_free(void *pointer) { OPENSSL_free(pointer); }
static inline int copenssl_sk_x509_num(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }
static inline X509 *copenssl_sk_x509_value(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}
static inline const char *copenssl_version_text(void) { return OpenSSL_version(OPENSSL_VERSION); }

// --- TLS engine (Sources/TLS) ---------------------------------------------------------------
// Option and flag constants built from macros Swift cannot import (SSL_OP_BIT shifts, XN_FLAG_*).
static inline uint64_t copenssl_op_no_compression(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t copenssl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t copenssl_op_cipher_server_preference(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline unsigned long copenssl_xn_flag_rfc2253(void) { return XN_FLAG_RFC2253; }

static inline int copenssl_ctx_get_min_proto_version(SSL_CTX *ctx) { return (int)SSL_CTX_get_min_proto_version(ctx); }
static inline int copenssl_ctx_get_max_proto_version(SSL_CTX *ctx) { return (int)SSL_CTX_get_max_proto_version(ctx); }
static inline long copenssl_ctx_clear_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_clear_mode(ctx, mode); }
static inline long copenssl_ctx_get_mode(SSL_CTX *ctx) { return SSL_CTX_get_mode(ctx); }
static inline int copenssl_ctx_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}
/// Adds `x509` to the context's chain, taking a new reference: the caller keeps its own.
static inline int copenssl_ctx_add1_chain_cert(SSL_CTX *ctx, X509 *x509) {
    return (int)SSL_CTX_add1_chain_cert(ctx, x509);
}
static inline int copenssl_set_app_data(SSL *ssl, void *data) { return SSL_set_app_data(ssl, data); }
static inline void *copenssl_get_app_data(const SSL *ssl) { return SSL_get_app_data(ssl); }

/// An empty memory BIO reports "retry" rather than end of file.
static inline void copenssl_bio_set_mem_eof_return(BIO *bio, int value) { (void)BIO_set_mem_eof_return(bio, value); }
/// Retry flags of the TLS engine's own ciphertext BIO (Sources/TLS/Internal/CiphertextChannel.swift).
static inline void copenssl_bio_clear_retry_flags(BIO *bio) { BIO_clear_retry_flags(bio); }
static inline void copenssl_bio_set_retry_read(BIO *bio) { BIO_set_retry_read(bio); }

static inline int copenssl_sk_general_name_num(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }
/// The string inside a DNS, URI, e-mail or IP address general name (NULL for other kinds); `type` gets GEN_*.
static inline const ASN1_STRING *copenssl_general_name_string(const GENERAL_NAMES *names, int index, int *type) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, index);
    if (name == NULL) return NULL;
    *type = name->type;
    switch (name->type) {
    case GEN_DNS: return name->d.dNSName;
    case GEN_URI: return name->d.uniformResourceIdentifier;
    case GEN_EMAIL: return name->d.rfc822Name;
    case GEN_IPADD: return name->d.iPAddress;
    default: return NULL;
    }
}

#endif
