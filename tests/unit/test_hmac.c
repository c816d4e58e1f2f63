/*
 * test_hmac.c: the precomputed-state HMAC-SHA256 against RFC 4231 test
 * cases 1-7 (shared/spec/test-vectors.md B3 lists 1 and 2), against
 * OpenSSL's one-shot HMAC() at every message length around the one-block
 * fast path's edges, the fingerprint's truncation and hex form, concurrent
 * use of one context, and a speed figure (ns per fingerprint).
 */
#include "crypto/crypto.h"
#include "eg_test.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <time.h>

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static void mac_hex(const void *key, size_t kl, const void *msg, size_t n,
                    size_t outbytes, char *out)
{
    eg__hmac_ctx ctx;
    unsigned char mac[32];
    EG_CHECK_INT(eg__hmac_init(&ctx, key, kl), EG_OK);
    eg__hmac_sha256(&ctx, msg, n, mac);
    hex(mac, outbytes, out);
    eg__hmac_wipe(&ctx);
}

EG_TEST(rfc4231)
{
    unsigned char k[131], d[50];
    char out[65];

    memset(k, 0x0b, 20);
    mac_hex(k, 20, "Hi There", 8, 32, out);
    EG_CHECK_STR(
        out,
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

    mac_hex("Jefe", 4, "what do ya want for nothing?", 28, 32, out);
    EG_CHECK_STR(
        out,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    memset(k, 0xaa, 20);
    memset(d, 0xdd, 50);
    mac_hex(k, 20, d, 50, 32, out);
    EG_CHECK_STR(
        out,
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");

    for (int i = 0; i < 25; i++)
        k[i] = (unsigned char)(i + 1);
    memset(d, 0xcd, 50);
    mac_hex(k, 25, d, 50, 32, out);
    EG_CHECK_STR(
        out,
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");

    memset(k, 0x0c, 20); /* case 5: output truncated to 128 bits */
    mac_hex(k, 20, "Test With Truncation", 20, 16, out);
    EG_CHECK_STR(out, "a3b6167473100ee06e0c796c2955552b");

    memset(k, 0xaa, 131); /* cases 6 and 7: key longer than a block */
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    mac_hex(k, 131, m6, strlen(m6), 32, out);
    EG_CHECK_STR(
        out,
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *m7 = "This is a test using a larger than block-size key and a "
                     "larger than block-size data. The key needs to be hashed "
                     "before being used by the HMAC algorithm.";
    mac_hex(k, 131, m7, strlen(m7), 32, out);
    EG_CHECK_STR(
        out,
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* Every length from 0 to 300 (the fast path ends at 55; blocks at 64) and
 * key lengths 0..130 against OpenSSL's HMAC(). */
EG_TEST(matches_openssl_at_all_lengths)
{
    unsigned char key[130], msg[300], a[32], b[32];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)(i * 7 + 3);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 13 + 1);
    int mismatches = 0;
    for (size_t kl = 0; kl <= sizeof key; kl += 13) {
        eg__hmac_ctx ctx;
        EG_CHECK_INT(eg__hmac_init(&ctx, key, kl), EG_OK);
        for (size_t n = 0; n <= sizeof msg; n++) {
            unsigned int bl = 0;
            eg__hmac_sha256(&ctx, msg, n, a);
            HMAC(EVP_sha256(), kl ? key : (const unsigned char *)"", (int)kl,
                 msg, n, b, &bl);
            if (bl != 32 || memcmp(a, b, 32) != 0)
                mismatches++;
        }
    }
    EG_CHECK_INT(mismatches, 0);
}

EG_TEST(fingerprint_form)
{
    eg__hmac_ctx ctx;
    EG_CHECK_INT(eg__hmac_init(&ctx, "Jefe", 4), EG_OK);
    const char *m = "what do ya want for nothing?";
    uint64_t fp = 0;
    char hx[17];
    eg__fingerprint(&ctx, 3, m, strlen(m), &fp, hx);
    EG_CHECK_STR(hx, "5bdcc146bf60754e");
    EG_CHECK(fp == 0x5bdcc146bf60754eull);
    /* the type is not mixed in: the same value gives the same fingerprint */
    uint64_t fp2 = 0;
    eg__fingerprint(&ctx, 0, m, strlen(m), &fp2, NULL);
    EG_CHECK(fp == fp2);
    /* NULL outputs are allowed */
    eg__fingerprint(&ctx, 0, m, strlen(m), NULL, NULL);
    EG_CHECK_INT(eg__hmac_init(NULL, "k", 1), EG_EINVAL);
    EG_CHECK_INT(eg__hmac_init(&ctx, NULL, 1), EG_EINVAL);
}

EG_TEST(wipe_clears_state)
{
    eg__hmac_ctx ctx;
    EG_CHECK_INT(eg__hmac_init(&ctx, "secret", 6), EG_OK);
    eg__hmac_wipe(&ctx);
    static const eg__hmac_ctx zero;
    EG_CHECK(memcmp(&ctx, &zero, sizeof ctx) == 0);
}

/* Many threads on one const context get the single-threaded answers. */
typedef struct worker {
    const eg__hmac_ctx *ctx;
    int bad;
} worker;

static void *work(void *p)
{
    worker *w = p;
    char msg[40];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(msg, sizeof msg, "1380013%04d", i % 10000);
        unsigned char a[32], b[32];
        unsigned int bl;
        eg__hmac_sha256(w->ctx, msg, (size_t)n, a);
        HMAC(EVP_sha256(), "thread key", 10, (unsigned char *)msg, (size_t)n, b,
             &bl);
        if (memcmp(a, b, 32) != 0)
            w->bad++;
    }
    return NULL;
}

EG_TEST(concurrent_use)
{
    eg__hmac_ctx ctx;
    EG_CHECK_INT(eg__hmac_init(&ctx, "thread key", 10), EG_OK);
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].ctx = &ctx;
        w[i].bad = 0;
        EG_CHECK_INT(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        EG_CHECK_INT(w[i].bad, 0);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

EG_TEST(speed)
{
    static const char *values[] = {"13800138000", "11010519491231002X",
                                   "zhang.san@example.com.cn",
                                   "6222021234567890128 abcdefghijklmnop"};
    eg__hmac_ctx ctx;
    EG_CHECK_INT(eg__hmac_init(&ctx, "fingerprint subkey", 18), EG_OK);
    size_t lens[4];
    for (int i = 0; i < 4; i++)
        lens[i] = strlen(values[i]);
    int n = 1000000;
    uint64_t acc = 0, fp;
    char hx[17];
    double t0 = now();
    for (int i = 0; i < n; i++) {
        eg__fingerprint(&ctx, 0, values[i & 3], lens[i & 3], &fp, hx);
        acc ^= fp;
    }
    double ns = (now() - t0) / n * 1e9;
    fprintf(stderr, "fingerprint: %.0f ns/op (10-36 byte values) [%llx]\n", ns,
            (unsigned long long)(acc & 0xf));
    EG_CHECK(ns < 5000); /* loose: catches only a gross regression */
}

int main(void)
{
    EG_RUN(rfc4231);
    EG_RUN(matches_openssl_at_all_lengths);
    EG_RUN(fingerprint_form);
    EG_RUN(wipe_clears_state);
    EG_RUN(concurrent_use);
    EG_RUN(speed);
    return EG_TEST_END();
}
