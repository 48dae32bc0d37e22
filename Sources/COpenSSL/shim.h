#ifndef KMIPD_COPENSSL_SHIM_H
#define KMIPD_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>

/* Macros that do not import into Swift. */
static inline int kmipd_SSL_CTX_set_min_proto(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_min_proto_version(ctx, v); }
static inline int kmipd_SSL_CTX_set_max_proto(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_max_proto_version(ctx, v); }
static inline void kmipd_BIO_set_mem_eof_return(BIO *b, int v) { BIO_set_mem_eof_return(b, v); }
static inline void kmipd_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline unsigned long kmipd_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }
static inline void kmipd_SSL_CTX_set_options(SSL_CTX *ctx) {
    /* No TLS 1.2 session tickets: a resumed session would skip the CRL check of the client certificate. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TICKET);
}
static inline long kmipd_SSL_CTX_set_mode_release_buffers(SSL_CTX *ctx) { return SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS); }
static inline long kmipd_BIO_ctrl_pending(BIO *b) { return (long)BIO_ctrl_pending(b); }
static inline long kmipd_SSL_CTX_no_session_cache(SSL_CTX *ctx) { return SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF); }
#endif
