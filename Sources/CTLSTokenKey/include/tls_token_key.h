#ifndef KMIPD_TLS_TOKEN_KEY_H
#define KMIPD_TLS_TOKEN_KEY_H
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

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

/* A private key for SSL_CTX_use_PrivateKey whose public half is `cert`'s and whose private operations
 * go to `fn` (RSA or EC keys; NULL otherwise). `ctx` must outlive the key. */
EVP_PKEY *kmipd_token_key(X509 *cert, kmipd_token_key_fn fn, void *ctx);
#endif
