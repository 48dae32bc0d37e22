/* A TLS server key that stays in the PKCS#11 token: OpenSSL 3 treats an RSA or EC key with a
 * non-default method as a legacy ("foreign") key and calls the method for every private operation,
 * which this file forwards to the server (and the server to C_Sign). See include/tls_token_key.h. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "tls_token_key.h"
#include <openssl/async.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdlib.h>

struct token_key { kmipd_token_key_fn fn; kmipd_token_key_start_fn start; kmipd_token_key_poll_fn poll; void *ctx; };

static __thread void *current_waiter;
void kmipd_token_key_set_waiter(void *waiter) { current_waiter = waiter; }
void kmipd_ssl_set_async(SSL *ssl, int on) { if (on) SSL_set_mode(ssl, SSL_MODE_ASYNC); else SSL_clear_mode(ssl, SSL_MODE_ASYNC); }
int kmipd_ssl_error_want_async(void) { return SSL_ERROR_WANT_ASYNC; }

/* One private operation: in a paused ASYNC job while the token works (the thread goes on serving other
 * connections), or synchronously when the handshake is not in a job. */
static int perform(struct token_key *k, int op, const unsigned char *in, size_t inlen, unsigned char *out, size_t *outlen) {
    void *waiter = current_waiter;
    if (!ASYNC_get_current_job() || !waiter || !k->start || !k->poll) return k->fn(k->ctx, op, in, inlen, out, outlen);
    k->start(k->ctx, waiter, op, in, inlen);
    for (;;) {
        /* After a pause the handshake may be driven from the same connection only, so the waiter is
         * the one this operation started with. */
        int r = k->poll(waiter, out, outlen);
        if (r >= 0) return r;
        if (!ASYNC_pause_job()) return 0;
    }
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int rsa_index = -1, ec_index = -1;
static RSA_METHOD *rsa_method;
static EC_KEY_METHOD *ec_method;

static int rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int padding) {
    struct token_key *k = RSA_get_ex_data(rsa, rsa_index);
    int op = padding == RSA_PKCS1_PADDING ? KMIPD_TOKEN_KEY_RSA_PKCS1 : padding == RSA_NO_PADDING ? KMIPD_TOKEN_KEY_RSA_RAW : 0;
    size_t outlen = (size_t)RSA_size(rsa);
    if (!k || !op || !perform(k, op, from, (size_t)flen, to, &outlen)) return -1;
    return (int)outlen;
}

/* Decryption (TLS_RSA key exchange) is not offered. OpenSSL 3.0 does not even call this for such a key
 * (measured: a TLS_RSA handshake ends in a decrypt_error alert before it runs). */
static int rsa_priv_dec(int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int padding) {
    (void)flen; (void)from; (void)to; (void)rsa; (void)padding;
    return -1;
}

static int ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig, unsigned int *siglen,
                   const BIGNUM *kinv, const BIGNUM *r, EC_KEY *eckey) {
    (void)type; (void)kinv; (void)r;
    struct token_key *k = EC_KEY_get_ex_data(eckey, ec_index);
    size_t outlen = (size_t)ECDSA_size(eckey);
    if (!k || !perform(k, KMIPD_TOKEN_KEY_ECDSA, dgst, (size_t)dlen, sig, &outlen)) return 0;
    *siglen = (unsigned int)outlen;
    return 1;
}

static ECDSA_SIG *ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *eckey) {
    unsigned char der[256];
    unsigned int len = sizeof der;
    if (ECDSA_size(eckey) > (int)sizeof der || !ec_sign(0, dgst, dlen, der, &len, kinv, r, eckey)) return NULL;
    const unsigned char *p = der;
    return d2i_ECDSA_SIG(NULL, &p, (long)len);
}

static void init(void) {
    rsa_index = RSA_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ec_index = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    rsa_method = RSA_meth_dup(RSA_get_default_method());
    RSA_meth_set1_name(rsa_method, "kmipd token key");
    RSA_meth_set_priv_enc(rsa_method, rsa_priv_enc);
    RSA_meth_set_priv_dec(rsa_method, rsa_priv_dec);
    ec_method = EC_KEY_METHOD_new(EC_KEY_get_default_method());
    int (*sign_setup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **) = NULL;
    EC_KEY_METHOD_get_sign(ec_method, NULL, &sign_setup, NULL);
    EC_KEY_METHOD_set_sign(ec_method, ec_sign, sign_setup, ec_sign_sig);
}

EVP_PKEY *kmipd_token_key(X509 *cert, kmipd_token_key_fn fn, kmipd_token_key_start_fn start, kmipd_token_key_poll_fn poll,
                          void *ctx) {
    pthread_once(&once, init);
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    if (!pub || !rsa_method || !ec_method) return NULL;
    struct token_key *k = malloc(sizeof *k);  /* lives as long as the key: the server's lifetime */
    if (!k) return NULL;
    k->fn = fn; k->start = start; k->poll = poll; k->ctx = ctx;
    EVP_PKEY *out = EVP_PKEY_new();
    if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
        RSA *rsa = RSAPublicKey_dup(EVP_PKEY_get0_RSA(pub));
        if (rsa && RSA_set_method(rsa, rsa_method) && RSA_set_ex_data(rsa, rsa_index, k) && EVP_PKEY_assign_RSA(out, rsa)) return out;
        RSA_free(rsa);
    } else if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC) {
        EC_KEY *ec = EC_KEY_dup(EVP_PKEY_get0_EC_KEY(pub));
        if (ec && EC_KEY_set_method(ec, ec_method) && EC_KEY_set_ex_data(ec, ec_index, k) && EVP_PKEY_assign_EC_KEY(out, ec)) return out;
        EC_KEY_free(ec);
    }
    EVP_PKEY_free(out);
    free(k);
    return NULL;
}
