/*
 * test_ff1.c: FF1 (NIST SP 800-38G) against the nine official samples
 * (shared/spec/test-vectors.md B1), random round trips over radices and
 * lengths, the small-domain refusal, argument checks, and a speed figure
 * (printed, asserted only loosely so that a slow CI machine passes).
 */
#include "crypto/crypto.h"
#include "eg_test.h"

#include <stdlib.h>
#include <time.h>

static const unsigned char K256[32] = {
    0x2B, 0x7E, 0x15, 0x16, 0x28, 0xAE, 0xD2, 0xA6, 0xAB, 0xF7, 0x15,
    0x88, 0x09, 0xCF, 0x4F, 0x3C, 0xEF, 0x43, 0x59, 0xD8, 0xD5, 0x80,
    0xAA, 0x4F, 0x7F, 0x03, 0x6D, 0x6F, 0x04, 0xFC, 0x6A, 0x94};

static const unsigned char T10[] = {0x39, 0x38, 0x37, 0x36, 0x35,
                                    0x34, 0x33, 0x32, 0x31, 0x30};
static const unsigned char T11[] = {0x37, 0x37, 0x37, 0x37, 0x70, 0x71,
                                    0x72, 0x73, 0x37, 0x37, 0x37};

static const struct {
    size_t keylen;
    unsigned radix;
    const unsigned char *tweak;
    size_t tweaklen;
    const char *pt, *ct;
} samples[] = {
    {16, 10, NULL, 0, "0123456789", "2433477484"},
    {16, 10, T10, sizeof T10, "0123456789", "6124200773"},
    {16, 36, T11, sizeof T11, "0123456789abcdefghi", "a9tv40mll9kdu509eum"},
    {24, 10, NULL, 0, "0123456789", "2830668132"},
    {24, 10, T10, sizeof T10, "0123456789", "2496655549"},
    {24, 36, T11, sizeof T11, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"},
    {32, 10, NULL, 0, "0123456789", "6657667009"},
    {32, 10, T10, sizeof T10, "0123456789", "1001623463"},
    {32, 36, T11, sizeof T11, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"},
};

EG_TEST(nist_samples)
{
    for (size_t i = 0; i < EG_ARRAY_LEN(samples); i++) {
        eg__ff1 *f = NULL;
        eg_error err;
        EG_CHECK_INT(eg__ff1_new(&f, K256, samples[i].keylen, &err), EG_OK);
        char out[64], back[64];
        EG_CHECK_INT(eg__ff1_encrypt_str(f, samples[i].radix, samples[i].tweak,
                                         samples[i].tweaklen, samples[i].pt,
                                         out, &err),
                     EG_OK);
        EG_CHECK_STR(out, samples[i].ct);
        EG_CHECK_INT(eg__ff1_decrypt_str(f, samples[i].radix, samples[i].tweak,
                                         samples[i].tweaklen, out, back, &err),
                     EG_OK);
        EG_CHECK_STR(back, samples[i].pt);
        eg__ff1_free(f);
    }
}

/* Encryption in place gives the same result as out of place. */
EG_TEST(in_place)
{
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    char buf[] = "0123456789";
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 10, T10, sizeof T10, buf, buf, NULL),
                 EG_OK);
    EG_CHECK_STR(buf, "1001623463");
    eg__ff1_free(f);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Smallest length with radix^len >= 10^6. */
static size_t min_len(unsigned radix)
{
    uint64_t d = 1;
    size_t n = 0;
    while (d < EG_FF1_MIN_DOMAIN) {
        d *= radix;
        n++;
    }
    return n < 2 ? 2 : n;
}

EG_TEST(random_round_trips)
{
    static const unsigned radices[] = {2,  3,   7,   10,   16,    26,    36,
                                       62, 255, 256, 1000, 20992, 65535, 65536};
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    uint16_t x[160], y[160], z[160];
    unsigned char tweak[40];
    int failures = 0, unchanged = 0, runs = 20000;
    for (int r = 0; r < runs; r++) {
        unsigned radix = radices[rnd() % EG_ARRAY_LEN(radices)];
        size_t lo = min_len(radix);
        size_t n = lo + (size_t)(rnd() % (160 - lo + 1));
        size_t tl = (size_t)(rnd() % sizeof tweak);
        for (size_t i = 0; i < tl; i++)
            tweak[i] = (unsigned char)rnd();
        for (size_t i = 0; i < n; i++)
            x[i] = (uint16_t)(rnd() % radix);
        if (eg__ff1_encrypt(f, radix, tweak, tl, x, n, y, NULL) != EG_OK ||
            eg__ff1_decrypt(f, radix, tweak, tl, y, n, z, NULL) != EG_OK) {
            failures++;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (y[i] >= radix)
                failures++;
        if (memcmp(x, z, n * sizeof *x) != 0)
            failures++;
        if (memcmp(x, y, n * sizeof *x) == 0)
            unchanged++;
    }
    EG_CHECK_INT(failures, 0);
    EG_CHECK(unchanged < 3); /* a fixed point is possible, but not often */
    eg__ff1_free(f);
}

/* Long inputs take the heap path and still round-trip. */
EG_TEST(long_inputs)
{
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 16, NULL), EG_OK);
    static uint16_t x[EG_FF1_MAX_LEN], y[EG_FF1_MAX_LEN], z[EG_FF1_MAX_LEN];
    static const unsigned radices[] = {65536, 10, 2};
    static const size_t lens[] = {1001, 4097, EG_FF1_MAX_LEN};
    for (size_t k = 0; k < 3; k++) {
        size_t n = lens[k];
        for (size_t i = 0; i < n; i++)
            x[i] = (uint16_t)(rnd() % radices[k]);
        EG_CHECK_INT(eg__ff1_encrypt(f, radices[k], (const unsigned char *)"t",
                                     1, x, n, y, NULL),
                     EG_OK);
        EG_CHECK_INT(eg__ff1_decrypt(f, radices[k], (const unsigned char *)"t",
                                     1, y, n, z, NULL),
                     EG_OK);
        EG_CHECK(memcmp(x, z, n * sizeof *x) == 0);
        EG_CHECK(memcmp(x, y, n * sizeof *x) != 0);
    }
    eg__ff1_free(f);
}

EG_TEST(tweak_and_key_matter)
{
    eg__ff1 *f = NULL, *g = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    EG_CHECK_INT(eg__ff1_new(&g, K256, 16, NULL), EG_OK);
    char a[32], b[32], c[32];
    const char *pt = "6222021234567890";
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 10, (const unsigned char *)"bank_card",
                                     9, pt, a, NULL),
                 EG_OK);
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 10, (const unsigned char *)"cn_mobile",
                                     9, pt, b, NULL),
                 EG_OK);
    EG_CHECK_INT(eg__ff1_encrypt_str(g, 10, (const unsigned char *)"bank_card",
                                     9, pt, c, NULL),
                 EG_OK);
    EG_CHECK(strcmp(a, b) != 0);
    EG_CHECK(strcmp(a, c) != 0);
    EG_CHECK_INT(strlen(a), 16);
    eg__ff1_free(f);
    eg__ff1_free(g);
}

EG_TEST(refusals)
{
    eg__ff1 *f = NULL;
    eg_error err;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 20, &err), EG_EINVAL);
    EG_CHECK(f == NULL);
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, &err), EG_OK);
    char out[64];
    /* 10^5 < 10^6: refused; 10^6 accepted */
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 10, NULL, 0, "12345", out, &err),
                 EG_EINVAL);
    EG_CHECK(strstr(err.message, "10^6") != NULL);
    EG_CHECK(strstr(err.message, "12345") == NULL); /* no value in errors */
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 10, NULL, 0, "123456", out, &err),
                 EG_OK);
    /* the 3-digit sequence number of an ID alone is far too small */
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 10, NULL, 0, "002", out, &err),
                 EG_EINVAL);
    /* 2^19 < 10^6 <= 2^20 */
    EG_CHECK_INT(
        eg__ff1_encrypt_str(f, 2, NULL, 0, "1010101010101010101", out, &err),
        EG_EINVAL);
    EG_CHECK_INT(
        eg__ff1_encrypt_str(f, 2, NULL, 0, "10101010101010101010", out, &err),
        EG_OK);
    /* numerals outside the radix, bad radices */
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 10, NULL, 0, "12345678a", out, &err),
                 EG_EINVAL);
    EG_CHECK_INT(eg__ff1_encrypt_str(f, 37, NULL, 0, "12345678", out, &err),
                 EG_EINVAL);
    uint16_t x[8] = {0, 1, 2, 3, 4, 5, 6, 7}, y[8];
    EG_CHECK_INT(eg__ff1_encrypt(f, 1, NULL, 0, x, 8, y, &err), EG_EINVAL);
    EG_CHECK_INT(eg__ff1_encrypt(f, 65537, NULL, 0, x, 8, y, &err), EG_EINVAL);
    EG_CHECK_INT(eg__ff1_encrypt(f, 65536, NULL, 0, x, 1, y, &err),
                 EG_EINVAL); /* length 1 */
    EG_CHECK_INT(
        eg__ff1_encrypt(f, 10, NULL, 0, x, EG_FF1_MAX_LEN + 1, y, &err),
        EG_EINVAL);
    eg__ff1_free(f);
}

/* Allocation failures on the heap path end in EG_ENOMEM, no leak. */
EG_TEST(out_of_memory)
{
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    static uint16_t x[3000], y[3000];
    for (size_t i = 0; i < 3000; i++)
        x[i] = (uint16_t)(i % 10);
    eg__alloc_fail_at(1, true);
    EG_CHECK_INT(eg__ff1_encrypt(f, 10, NULL, 0, x, 3000, y, NULL), EG_ENOMEM);
    eg__ff1 *g = NULL;
    EG_CHECK_INT(eg__ff1_new(&g, K256, 32, NULL), EG_ENOMEM);
    eg__alloc_fail_at(0, false);
    eg__ff1_free(f);
}

/* With radices all 2 and D = 2^n there is nothing to walk: the mixed
 * form must equal plain FF1 over radix 2. */
EG_TEST(mixed_equals_binary_ff1)
{
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    uint32_t radices[40];
    uint16_t x[40], a[40], b[40];
    for (int i = 0; i < 40; i++) {
        radices[i] = 2;
        x[i] = (uint16_t)(rnd() & 1);
    }
    EG_CHECK_INT(eg__ff1_encrypt_mixed(f, radices, 40, T10, sizeof T10, x, a,
                                       NULL, NULL, NULL),
                 EG_OK);
    EG_CHECK_INT(eg__ff1_encrypt(f, 2, T10, sizeof T10, x, 40, b, NULL), EG_OK);
    EG_CHECK(memcmp(a, b, sizeof a) == 0);
    eg__ff1_free(f);
}

/* Over radices {1000, 1000} (D = 10^6, walked on 20 bits) every input is
 * encrypted, decrypts back, and the outputs are a permutation. */
EG_TEST(mixed_is_a_permutation)
{
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    static unsigned char seen[1000000];
    const uint32_t radices[2] = {1000, 1000};
    int bad = 0, dup = 0;
    for (uint32_t v = 0; v < 1000000; v++) {
        uint16_t x[2] = {(uint16_t)(v / 1000), (uint16_t)(v % 1000)}, y[2],
                 z[2];
        if (eg__ff1_encrypt_mixed(f, radices, 2, NULL, 0, x, y, NULL, NULL,
                                  NULL) != EG_OK ||
            y[0] >= 1000 || y[1] >= 1000) {
            bad++;
            continue;
        }
        uint32_t w = (uint32_t)y[0] * 1000 + y[1];
        dup += seen[w]++ != 0;
        if (v % 97 == 0) {
            if (eg__ff1_decrypt_mixed(f, radices, 2, NULL, 0, y, z, NULL, NULL,
                                      NULL) != EG_OK ||
                z[0] != x[0] || z[1] != x[1])
                bad++;
        }
    }
    EG_CHECK_INT(bad, 0);
    EG_CHECK_INT(dup, 0);
    eg__ff1_free(f);
}

/* Cycle walking inside a subset: digit sum even. */
static int even_sum(const uint16_t *y, size_t n, void *payload)
{
    unsigned s = 0;
    (void)payload;
    for (size_t i = 0; i < n; i++)
        s += y[i];
    return s % 2 == 0;
}

EG_TEST(mixed_round_trips)
{
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 24, NULL), EG_OK);
    static const uint32_t pool[] = {2,    10,   26,    36,    1000,
                                    1461, 3500, 20992, 65535, 65536};
    uint32_t radices[64];
    uint16_t x[64], y[64], z[64];
    int bad = 0, walked = 0;
    for (int r = 0; r < 5000; r++) {
        size_t n = 2 + (size_t)(rnd() % 62);
        for (size_t i = 0; i < n; i++) {
            radices[i] = pool[rnd() % EG_ARRAY_LEN(pool)];
            x[i] = (uint16_t)(rnd() % radices[i]);
        }
        eg__ff1_accept_cb acc = (r % 3 == 0) ? even_sum : NULL;
        if (acc && !acc(x, n, NULL)) /* move to an even sum: +-1 at x[0] */
            x[0] = (uint16_t)(x[0] ? x[0] - 1 : 1);
        int rc = eg__ff1_encrypt_mixed(f, radices, n, T11, sizeof T11, x, y,
                                       acc, NULL, NULL);
        if (rc == EG_EINVAL) /* product below 10^6: legitimately refused */
            continue;
        if (rc != EG_OK ||
            eg__ff1_decrypt_mixed(f, radices, n, T11, sizeof T11, y, z, acc,
                                  NULL, NULL) != EG_OK) {
            bad++;
            continue;
        }
        walked++;
        for (size_t i = 0; i < n; i++)
            bad += y[i] >= radices[i];
        bad += memcmp(x, z, n * sizeof *x) != 0;
        if (acc)
            bad += !acc(y, n, NULL);
    }
    EG_CHECK_INT(bad, 0);
    EG_CHECK(walked > 4000);
    eg__ff1_free(f);
}

EG_TEST(mixed_refusals)
{
    eg__ff1 *f = NULL;
    eg_error err;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    const uint32_t small[2] = {999, 1000}; /* 999,000 < 10^6 */
    uint16_t x[2] = {5, 5}, y[2];
    EG_CHECK_INT(
        eg__ff1_encrypt_mixed(f, small, 2, NULL, 0, x, y, NULL, NULL, &err),
        EG_EINVAL);
    const uint32_t ok[2] = {1000, 1000};
    uint16_t big[2] = {1000, 5};
    EG_CHECK_INT(
        eg__ff1_encrypt_mixed(f, ok, 2, NULL, 0, big, y, NULL, NULL, &err),
        EG_EINVAL);
    const uint32_t one[2] = {1, 1000000};
    EG_CHECK_INT(
        eg__ff1_encrypt_mixed(f, one, 2, NULL, 0, x, y, NULL, NULL, &err),
        EG_EINVAL);
    uint16_t odd[2] = {1, 2};
    EG_CHECK_INT(
        eg__ff1_encrypt_mixed(f, ok, 2, NULL, 0, odd, y, even_sum, NULL, &err),
        EG_EINVAL); /* input outside the accepted set */
    eg__ff1_free(f);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

EG_TEST(speed)
{
    eg__ff1 *f = NULL;
    EG_CHECK_INT(eg__ff1_new(&f, K256, 32, NULL), EG_OK);
    uint16_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = (uint16_t)(i % 10);
    int n = 200000, bad = 0;
    double t0 = now();
    for (int i = 0; i < n; i++)
        bad += eg__ff1_encrypt(f, 10, (const unsigned char *)"bank_card", 9, x,
                               16, x, NULL) != EG_OK;
    double dt = now() - t0;
    EG_CHECK_INT(bad, 0);
    fprintf(stderr, "ff1: %.0f encryptions/s of 16 digits (AES-256)\n", n / dt);
    EG_CHECK(n / dt > 20000); /* the target is 200k/s; leave CI slack */
    eg__ff1_free(f);
}

int main(void)
{
    EG_RUN(nist_samples);
    EG_RUN(in_place);
    EG_RUN(random_round_trips);
    EG_RUN(long_inputs);
    EG_RUN(tweak_and_key_matter);
    EG_RUN(refusals);
    EG_RUN(out_of_memory);
    EG_RUN(mixed_equals_binary_ff1);
    EG_RUN(mixed_is_a_permutation);
    EG_RUN(mixed_round_trips);
    EG_RUN(mixed_refusals);
    EG_RUN(speed);
    return EG_TEST_END();
}
