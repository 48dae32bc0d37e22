#ifndef KMIPD_TLS_TOKEN_KEY_H
#define KMIPD_TLS_TOKEN_KEY_H
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/ssl.h>

/* What OpenSSL asks of the key during a handshake. */
enum kmipd_token_key_op {
    KMIPD_TOKEN_KEY_RSA_PKCS1 = 1,  /* RSASSA-PKCS1-v1_5 over a DigestInfo OpenSSL built (CKM_RSA_PKCS) */
    KMIPD_TOKEN_KEY_RSA_RAW = 2,    /* raw RSA on an already padded block, PSS (CKM_RSA_X_509) */
    KMIPD_TOKEN_KEY_ECDSA = 3,      /* ECDSA over a digest; the answer is the DER signature */
};

/* Performs `op` on `in` with the token key behind `ctx`; writes at most *outlen bytes to `out` and
 * sets *outlen. Returns 1 on success, 0 on failure. Called on the thread doing the handshake. */
typedef int (*kmipd_token_key_fn)(void *ctx, int op, const unsigned char *in, size_t inlen,
                                  unsigned char *out, size_t *outlen);

/* Without blocking the handshake's thread: when the handshake runs in an OpenSSL ASYNC job
 * (SSL_MODE_ASYNC) and a waiter is set for the thread, `start` begins `op` and returns at once; the
 * job pauses (SSL_get_error says SSL_ERROR_WANT_ASYNC) and, each time the handshake is driven again,
 * `poll` is asked for the answer: -1 while it is not there, else as `fn` returns (1 with the bytes in
 * `out`, 0 on failure). The waiter belongs to the connection and outlives its SSL object. */
typedef void (*kmipd_token_key_start_fn)(void *ctx, void *waiter, int op, const unsigned char *in, size_t inlen);
typedef int (*kmipd_token_key_poll_fn)(void *waiter, unsigned char *out, size_t *outlen);

/* A private key for SSL_CTX_use_PrivateKey whose public half is `cert`'s and whose private operations
 * go to `fn`, or to `start`/`poll` when they can wait (RSA or EC keys; NULL otherwise). `ctx` must
 * outlive the key. */
EVP_PKEY *kmipd_token_key(X509 *cert, kmipd_token_key_fn fn, kmipd_token_key_start_fn start, kmipd_token_key_poll_fn poll,
                          void *ctx);

/* The waiter for handshakes driven on this thread until the next call (NULL: none). */
void kmipd_token_key_set_waiter(void *waiter);

/* SSL_MODE_ASYNC on or off for one connection, and SSL_ERROR_WANT_ASYNC (macros Swift cannot import). */
void kmipd_ssl_set_async(SSL *ssl, int on);
int kmipd_ssl_error_want_async(void);
#endif
