/*
 * ff1.c: FF1 format-preserving encryption (NIST SP 800-38G, Rev. 1 domain
 * rule), AES-128/192/256 through OpenSSL EVP in ECB mode.
 *
 * FF1 is a 10-round Feistel network over the two halves A (u numerals) and
 * B (v numerals) of the input.  Each round feeds NUM_radix(B) through an
 * AES CBC-MAC (the PRF) and adds the result to A modulo radix^m.  The
 * textbook implementation needs big integers for NUM_radix, the modular
 * addition and STR_radix.  We avoid general big-number division:
 *
 *  - NUM_radix(B) is a Horner evaluation (multiply by a word, add a word)
 *    on little-endian 32-bit limbs, several numerals per step;
 *  - y mod radix^m is taken as the m lowest base-radix digits of y, got by
 *    repeated short division of y by a power of the radix that fits a word;
 *  - (NUM(A) + y) mod radix^m is then a digit-wise addition with carry in
 *    base radix whose last carry is dropped (subtraction with borrow for
 *    decryption).  No number larger than y (d bytes) is ever formed.
 *
 * The PRF input P || Q has a constant head (P and the tweak part of Q), so
 * its CBC-MAC state is computed once per call and each round only MACs the
 * last block(s).  For the common case (radix 10, 16 numerals, tweak under
 * 12 bytes) a round is one AES block.  Measured: ~0.9-1.0 M encryptions/s of
 * 16-digit values on one core of the CI machine (AES-NI).
 *
 * Scratch space comes from the stack for inputs up to SMALL_SCRATCH bytes
 * of working state, else from eg__malloc (EG_ENOMEM on failure).
 * An eg__ff1 owns an EVP_CIPHER_CTX and is not safe for concurrent use.
 */
#include "crypto/crypto.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define ROUNDS 10
#define MAX_TWEAK 65536u
#define SMALL_SCRATCH 2048

struct eg__ff1 {
    EVP_CIPHER_CTX *ecb;
};

int eg__ff1_new(eg__ff1 **out, const unsigned char *key, size_t keylen,
                eg_error *err)
{
    const EVP_CIPHER *cipher = keylen == 16   ? EVP_aes_128_ecb()
                               : keylen == 24 ? EVP_aes_192_ecb()
                               : keylen == 32 ? EVP_aes_256_ecb()
                                              : NULL;
    if (!out || !key || !cipher)
        return eg__fail(err, EG_EINVAL,
                        "FF1: the AES key must be 16, 24 or "
                        "32 bytes");
    *out = NULL;
    eg__ff1 *f = eg__calloc(1, sizeof *f);
    if (!f)
        return eg__fail(err, EG_ENOMEM, "FF1: out of memory");
    f->ecb = EVP_CIPHER_CTX_new();
    if (!f->ecb) {
        eg__free(f);
        return eg__fail(err, EG_ENOMEM, "FF1: out of memory (OpenSSL)");
    }
    if (EVP_EncryptInit_ex(f->ecb, cipher, NULL, key, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(f->ecb, 0) != 1) {
        eg__ff1_free(f);
        return eg__fail(err, EG_ERROR, "FF1: AES key setup failed (OpenSSL)");
    }
    *out = f;
    return EG_OK;
}

void eg__ff1_free(eg__ff1 *f)
{
    if (!f)
        return;
    EVP_CIPHER_CTX_free(f->ecb); /* cleanses the key schedule */
    eg__free(f);
}

/* AES-ECB over `n` (a multiple of 16) bytes. */
static int aes_blocks(eg__ff1 *f, const unsigned char *in, unsigned char *out,
                      size_t n)
{
    int outl = 0;
    return EVP_EncryptUpdate(f->ecb, out, &outl, in, (int)n) == 1 &&
           (size_t)outl == n;
}

/* CBC-MAC step: state = AES(state ^ block) for each 16-byte block. */
static int cbc_mac(eg__ff1 *f, unsigned char state[16],
                   const unsigned char *data, size_t nblocks)
{
    for (size_t k = 0; k < nblocks; k++) {
        unsigned char x[16];
        for (int j = 0; j < 16; j++)
            x[j] = state[j] ^ data[16 * k + j];
        if (!aes_blocks(f, x, state, 16))
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------- limb arithmetic */

/* z (zl limbs, little-endian) = z * mul + add.  Returns the new length. */
static size_t bn_mul_add(uint32_t *z, size_t zl, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (size_t i = 0; i < zl; i++) {
        uint64_t t = (uint64_t)z[i] * mul + carry;
        z[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry)
        z[zl++] = (uint32_t)carry;
    return zl;
}

/* The digits of one Horner step: numerals per step (k) and radix^k, with
 * radix^k < 2^32. */
typedef struct radix_step {
    unsigned radix;
    unsigned k;
    uint32_t pow_k;
} radix_step;

static radix_step radix_step_of(unsigned radix)
{
    radix_step s = {radix, 1, radix};
    while ((uint64_t)s.pow_k * radix <= UINT32_MAX) {
        s.pow_k *= radix;
        s.k++;
    }
    return s;
}

/* z = NUM_radix(x[0..len)), most significant numeral first. */
static size_t bn_from_numerals(uint32_t *z, const uint16_t *x, size_t len,
                               const radix_step *rs)
{
    size_t zl = 0;
    size_t first = len % rs->k ? len % rs->k : rs->k;
    for (size_t i = 0; i < len;) {
        size_t g = i == 0 ? (first < len ? first : len) : rs->k;
        uint32_t val = 0, mul = 1;
        for (size_t j = 0; j < g; j++) {
            val = val * rs->radix + x[i + j];
            mul *= rs->radix;
        }
        zl = bn_mul_add(z, zl, mul, val);
        i += g;
    }
    return zl;
}

/* out[0..nbytes) = z big-endian, z < 256^nbytes. */
static void bn_to_bytes(const uint32_t *z, size_t zl, unsigned char *out,
                        size_t nbytes)
{
    for (size_t i = 0; i < nbytes; i++) {
        size_t bytepos = nbytes - 1 - i; /* significance of out[i] */
        size_t limb = bytepos / 4;
        out[i] =
            limb < zl ? (unsigned char)(z[limb] >> (8 * (bytepos % 4))) : 0;
    }
}

static size_t bn_from_bytes(uint32_t *z, const unsigned char *in, size_t n)
{
    size_t zl = (n + 3) / 4;
    memset(z, 0, zl * sizeof *z);
    for (size_t i = 0; i < n; i++) {
        size_t bytepos = n - 1 - i;
        z[bytepos / 4] |= (uint32_t)in[i] << (8 * (bytepos % 4));
    }
    while (zl && z[zl - 1] == 0)
        zl--;
    return zl;
}

/* digits[0..m) = the m lowest base-radix digits of y, most significant
 * first (that is: STR_radix^m(y mod radix^m)).  Destroys y.  Written as an
 * inline body so that the common radix 10 gets constant divisors (a
 * multiply instead of a hardware divide: twice as fast overall). */
static inline void low_digits_body(uint32_t *y, size_t yl, uint16_t *digits,
                                   size_t m, unsigned radix, unsigned k,
                                   uint32_t pow_k)
{
    size_t done = 0;
    while (done < m) {
        uint32_t rem = 0;
        if (yl) {
            uint64_t r = 0;
            for (size_t i = yl; i-- > 0;) {
                uint64_t cur = r << 32 | y[i];
                y[i] = (uint32_t)(cur / pow_k);
                r = cur % pow_k;
            }
            while (yl && y[yl - 1] == 0)
                yl--;
            rem = (uint32_t)r;
        }
        for (unsigned j = 0; j < k && done < m; j++) {
            digits[m - 1 - done++] = (uint16_t)(rem % radix);
            rem /= radix;
        }
    }
}

static void bn_low_digits(uint32_t *y, size_t yl, uint16_t *digits, size_t m,
                          const radix_step *rs)
{
    if (rs->radix == 10)
        low_digits_body(y, yl, digits, m, 10, 9, 1000000000u);
    else
        low_digits_body(y, yl, digits, m, rs->radix, rs->k, rs->pow_k);
}

/* ------------------------------------------------------------- the cipher */

typedef struct ff1_shape {
    unsigned radix;
    size_t n, u, v, t;
    size_t b, d;
    size_t qlen, qconst; /* Q length; bytes of Q MACed once per call */
} ff1_shape;

static size_t bit_length(const uint32_t *z, size_t zl)
{
    if (!zl)
        return 0;
    size_t bits = (zl - 1) * 32;
    for (uint32_t top = z[zl - 1]; top; top >>= 1)
        bits++;
    return bits;
}

static int check_args(unsigned radix, size_t tweaklen, const uint16_t *x,
                      size_t n, eg_error *err)
{
    if (radix < 2 || radix > 65536)
        return eg__fail(err, EG_EINVAL, "FF1: radix %u out of 2..65536", radix);
    if (n < 2 || n > EG_FF1_MAX_LEN)
        return eg__fail(err, EG_EINVAL, "FF1: length %zu out of 2..%d", n,
                        EG_FF1_MAX_LEN);
    if (tweaklen > MAX_TWEAK)
        return eg__fail(err, EG_EINVAL, "FF1: tweak longer than %u bytes",
                        MAX_TWEAK);
    uint64_t domain = 1;
    for (size_t i = 0; i < n && domain < EG_FF1_MIN_DOMAIN; i++)
        domain *= radix;
    if (domain < EG_FF1_MIN_DOMAIN)
        return eg__fail(err, EG_EINVAL,
                        "FF1: domain radix^len = %u^%zu is below 10^6; "
                        "too small to encrypt safely",
                        radix, n);
    for (size_t i = 0; i < n; i++)
        if (x[i] >= radix)
            return eg__fail(err, EG_EINVAL,
                            "FF1: numeral %zu is not below the radix", i);
    return EG_OK;
}

/* b = ceil(ceil(v * log2(radix)) / 8), computed exactly as the byte
 * length of radix^v - 1 (no floating point). */
static size_t compute_b(unsigned radix, size_t v, uint32_t *scratch)
{
    size_t zl = 1;
    scratch[0] = 1;
    radix_step rs = radix_step_of(radix);
    for (size_t i = 0; i < v; i += rs.k) {
        uint32_t mul = 1;
        for (size_t j = i; j < v && j < i + rs.k; j++)
            mul *= radix;
        zl = bn_mul_add(scratch, zl, mul, 0);
    }
    /* radix^v - 1: radix^v is > 1, so subtracting one never underflows */
    for (size_t i = 0; i < zl; i++)
        if (scratch[i]-- != 0)
            break;
    while (zl && scratch[zl - 1] == 0)
        zl--;
    return (bit_length(scratch, zl) + 7) / 8;
}

/* The working memory of one call, carved out of one block. */
typedef struct ff1_work {
    uint16_t *a, *bb, *c; /* halves, v numerals each */
    uint32_t *num;        /* NUM_radix of a half: b bytes + a limb */
    uint32_t *y;          /* NUM(S): d bytes */
    unsigned char *q;     /* Q */
    unsigned char *s;     /* S, rounded up to whole blocks */
} ff1_work;

static size_t work_bytes(const ff1_shape *sh)
{
    size_t nums = 3 * sh->v * sizeof(uint16_t);
    size_t limbs = ((sh->b + 3) / 4 + 2 + (sh->d + 3) / 4 + 1) * 4;
    size_t bytes = sh->qlen + (sh->d + 15) / 16 * 16;
    return nums + limbs + bytes + 16;
}

static void work_carve(ff1_work *w, unsigned char *mem, const ff1_shape *sh)
{
    /* limbs first: the block is malloc- or uint64-aligned */
    w->num = (uint32_t *)mem;
    w->y = w->num + (sh->b + 3) / 4 + 2;
    unsigned char *p = (unsigned char *)(w->y + (sh->d + 3) / 4 + 1);
    w->a = (uint16_t *)p;
    w->bb = w->a + sh->v;
    w->c = w->bb + sh->v;
    p = (unsigned char *)(w->c + sh->v);
    w->q = p;
    w->s = p + sh->qlen;
}

/* R = PRF(P || Q) with Q's round-dependent tail filled in; `head` is the
 * CBC-MAC state after P and Q's constant whole blocks. */
static int round_prf(eg__ff1 *f, const ff1_shape *sh,
                     const unsigned char head[16], ff1_work *w, unsigned round,
                     const uint16_t *half, size_t halflen, const radix_step *rs,
                     unsigned char r[16])
{
    size_t tail = sh->t + (sh->qlen - sh->t - 1 - sh->b);
    w->q[tail] = (unsigned char)round;
    size_t zl = bn_from_numerals(w->num, half, halflen, rs);
    bn_to_bytes(w->num, zl, w->q + tail + 1, sh->b);
    memcpy(r, head, 16);
    return cbc_mac(f, r, w->q + sh->qconst, (sh->qlen - sh->qconst) / 16);
}

/* S = R || AES(R ^ [1]) || AES(R ^ [2]) ..., truncated to d bytes. */
static int expand_s(eg__ff1 *f, const ff1_shape *sh, const unsigned char r[16],
                    unsigned char *s)
{
    size_t blocks = (sh->d + 15) / 16;
    memcpy(s, r, 16);
    for (size_t j = 1; j < blocks; j++) {
        unsigned char x[16];
        memcpy(x, r, 16);
        for (int k = 0; k < 8; k++)
            x[15 - k] ^= (unsigned char)((uint64_t)j >> (8 * k));
        if (!aes_blocks(f, x, s + 16 * j, 16))
            return 0;
    }
    return 1;
}

/* c = (x + y) or (x - y) mod radix^m, digit-wise, into out (may be yd).
 * Branch-free: the carries are random, and mispredicted branches cost more
 * here than the arithmetic. */
static void digits_combine(const uint16_t *x, const uint16_t *yd, size_t m,
                           unsigned radix, int subtract, uint16_t *out)
{
    long carry = 0, r = (long)radix;
    if (!subtract) {
        for (size_t i = m; i-- > 0;) {
            long v = (long)x[i] + yd[i] + carry;
            carry = v >= r;
            out[i] = (uint16_t)(v - carry * r);
        }
    } else {
        for (size_t i = m; i-- > 0;) {
            long v = (long)x[i] - yd[i] - carry;
            carry = v < 0;
            out[i] = (uint16_t)(v + carry * r);
        }
    }
}

static void build_p(const ff1_shape *sh, unsigned char p[16])
{
    p[0] = 1;
    p[1] = 2;
    p[2] = 1;
    p[3] = (unsigned char)(sh->radix >> 16);
    p[4] = (unsigned char)(sh->radix >> 8);
    p[5] = (unsigned char)sh->radix;
    p[6] = 10;
    p[7] = (unsigned char)(sh->u % 256);
    for (int i = 0; i < 4; i++) {
        p[8 + i] = (unsigned char)((uint64_t)sh->n >> (24 - 8 * i));
        p[12 + i] = (unsigned char)((uint64_t)sh->t >> (24 - 8 * i));
    }
}

static int ff1_rounds(eg__ff1 *f, const ff1_shape *sh,
                      const unsigned char *tweak, const uint16_t *x,
                      uint16_t *out, int decrypt, ff1_work *w)
{
    radix_step rs = radix_step_of(sh->radix);
    unsigned char head[16], p[16], r[16];

    /* the constant head of the PRF input: P, then Q's tweak and zeros */
    build_p(sh, p);
    memset(head, 0, sizeof head);
    if (!cbc_mac(f, head, p, 1))
        return 0;
    memset(w->q, 0, sh->qlen);
    if (sh->t)
        memcpy(w->q, tweak, sh->t);
    if (!cbc_mac(f, head, w->q, sh->qconst / 16))
        return 0;

    /* halves: encryption starts from (A, B), decryption from (A, B) of the
     * last round and walks back; a and bb are always u- and v-long at the
     * start of an even round */
    size_t la = sh->u, lb = sh->v;
    memcpy(w->a, x, sh->u * sizeof *x);
    memcpy(w->bb, x + sh->u, sh->v * sizeof *x);
    for (int k = 0; k < ROUNDS; k++) {
        unsigned i = decrypt ? (unsigned)(ROUNDS - 1 - k) : (unsigned)k;
        size_t m = (i % 2 == 0) ? sh->u : sh->v;
        /* encrypt: MAC B, combine into A; decrypt: MAC A, combine into B */
        const uint16_t *mac_in = decrypt ? w->a : w->bb;
        size_t mac_len = decrypt ? la : lb;
        if (!round_prf(f, sh, head, w, i, mac_in, mac_len, &rs, r) ||
            !expand_s(f, sh, r, w->s))
            return 0;
        size_t yl = bn_from_bytes(w->y, w->s, sh->d);
        bn_low_digits(w->y, yl, w->c, m, &rs);
        uint16_t *tmp;
        if (!decrypt) {
            digits_combine(w->a, w->c, m, sh->radix, 0, w->c);
            tmp = w->a;
            w->a = w->bb;
            la = lb;
            w->bb = w->c;
            lb = m;
        } else {
            digits_combine(w->bb, w->c, m, sh->radix, 1, w->c);
            tmp = w->bb;
            w->bb = w->a;
            lb = la;
            w->a = w->c;
            la = m;
        }
        w->c = tmp;
    }
    memcpy(out, w->a, la * sizeof *out);
    memcpy(out + la, w->bb, lb * sizeof *out);
    return 1;
}

static int ff1_crypt(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                     size_t tweaklen, const uint16_t *x, size_t n, uint16_t *y,
                     int decrypt, eg_error *err)
{
    if (!f || !x || !y || (tweaklen && !tweak))
        return eg__fail(err, EG_EINVAL, "FF1: NULL argument");
    int rc = check_args(radix, tweaklen, x, n, err);
    if (rc != EG_OK)
        return rc;

    ff1_shape sh = {
        .radix = radix, .n = n, .u = n / 2, .v = n - n / 2, .t = tweaklen};
    /* radix^v < 2^(16 v): (v+1) limbs of 16 bits hold it comfortably */
    uint32_t stackb[SMALL_SCRATCH / sizeof(uint32_t)];
    uint32_t *bscratch = stackb;
    size_t need_b = (sh.v * 16 + 31) / 32 + 2;
    if (need_b > EG_ARRAY_LEN(stackb)) {
        bscratch = eg__malloc(need_b * sizeof *bscratch);
        if (!bscratch)
            return eg__fail(err, EG_ENOMEM, "FF1: out of memory");
    }
    sh.b = compute_b(radix, sh.v, bscratch);
    if (bscratch != stackb)
        eg__free(bscratch);
    sh.d = 4 * ((sh.b + 3) / 4) + 4;
    size_t pad = (16 - (sh.t + sh.b + 1) % 16) % 16;
    sh.qlen = sh.t + pad + 1 + sh.b;
    sh.qconst = (sh.t + pad) / 16 * 16;

    uint64_t stackw[SMALL_SCRATCH / sizeof(uint64_t)];
    unsigned char *mem = (unsigned char *)stackw;
    size_t wb = work_bytes(&sh);
    if (wb > sizeof stackw) {
        mem = eg__malloc(wb);
        if (!mem)
            return eg__fail(err, EG_ENOMEM, "FF1: out of memory");
    }
    ff1_work w;
    work_carve(&w, mem, &sh);
    int ok = ff1_rounds(f, &sh, tweak, x, y, decrypt, &w);
    OPENSSL_cleanse(mem, wb);
    if (mem != (unsigned char *)stackw)
        eg__free(mem);
    if (!ok)
        return eg__fail(err, EG_ERROR, "FF1: AES failed (OpenSSL)");
    return EG_OK;
}

int eg__ff1_encrypt(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                    size_t tweaklen, const uint16_t *x, size_t n, uint16_t *y,
                    eg_error *err)
{
    return ff1_crypt(f, radix, tweak, tweaklen, x, n, y, 0, err);
}

int eg__ff1_decrypt(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                    size_t tweaklen, const uint16_t *x, size_t n, uint16_t *y,
                    eg_error *err)
{
    return ff1_crypt(f, radix, tweak, tweaklen, x, n, y, 1, err);
}

/* ------------------------------------------------------- string helpers */

static int numeral_of(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

static int crypt_str(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                     size_t tweaklen, const char *in, char *out, int decrypt,
                     eg_error *err)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    if (!in || !out)
        return eg__fail(err, EG_EINVAL, "FF1: NULL argument");
    if (radix < 2 || radix > 36)
        return eg__fail(err, EG_EINVAL, "FF1: string radix %u out of 2..36",
                        radix);
    size_t n = strlen(in);
    if (n > EG_FF1_MAX_LEN)
        return eg__fail(err, EG_EINVAL, "FF1: string too long");
    uint16_t stackx[256] = {0};
    uint16_t *x =
        n <= EG_ARRAY_LEN(stackx) ? stackx : eg__malloc(n * sizeof *x + 1);
    if (!x)
        return eg__fail(err, EG_ENOMEM, "FF1: out of memory");
    int rc = EG_OK;
    for (size_t i = 0; i < n && rc == EG_OK; i++) {
        int d = numeral_of(in[i]);
        if (d >= (int)radix)
            rc = eg__fail(err, EG_EINVAL,
                          "FF1: character %zu is not a radix-%u numeral", i,
                          radix);
        x[i] = (uint16_t)d;
    }
    if (rc == EG_OK)
        rc = ff1_crypt(f, radix, tweak, tweaklen, x, n, x, decrypt, err);
    if (rc == EG_OK) {
        for (size_t i = 0; i < n; i++)
            out[i] = alphabet[x[i]];
        out[n] = '\0';
    }
    OPENSSL_cleanse(x, n * sizeof *x);
    if (x != stackx)
        eg__free(x);
    return rc;
}

int eg__ff1_encrypt_str(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                        size_t tweaklen, const char *in, char *out,
                        eg_error *err)
{
    return crypt_str(f, radix, tweak, tweaklen, in, out, 0, err);
}

int eg__ff1_decrypt_str(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                        size_t tweaklen, const char *in, char *out,
                        eg_error *err)
{
    return crypt_str(f, radix, tweak, tweaklen, in, out, 1, err);
}

/* ---------------------------------------------- mixed radix, cycle walking */

/* Upper bound on FF1 calls in one walk.  The expected count is below 2 for
 * a plain walk and ~22 for the ID check-character subset; this only turns
 * a broken predicate into an error instead of a hang. */
#define MAX_WALK 1000000

/* z = z / div, returns the remainder; *zl drops leading zero limbs. */
static uint32_t bn_div_small(uint32_t *z, size_t *zl, uint32_t div)
{
    uint64_t rem = 0;
    for (size_t i = *zl; i-- > 0;) {
        uint64_t cur = rem << 32 | z[i];
        z[i] = (uint32_t)(cur / div);
        rem = cur % div;
    }
    while (*zl && z[*zl - 1] == 0)
        (*zl)--;
    return (uint32_t)rem;
}

/* -1, 0, 1 as a <, =, > b (both normalised: no leading zero limbs). */
static int bn_cmp(const uint32_t *a, size_t al, const uint32_t *b, size_t bl)
{
    if (al != bl)
        return al < bl ? -1 : 1;
    for (size_t i = al; i-- > 0;)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Mixed-radix numerals -> number (Horner). */
static size_t bn_from_mixed(uint32_t *z, const uint32_t *radices,
                            const uint16_t *x, size_t n)
{
    size_t zl = 0;
    for (size_t i = 0; i < n; i++)
        zl = bn_mul_add(z, zl, radices[i], x[i]);
    return zl;
}

static size_t bn_product(uint32_t *z, const uint32_t *radices, size_t n)
{
    z[0] = 1;
    size_t zl = 1;
    for (size_t i = 0; i < n; i++)
        zl = bn_mul_add(z, zl, radices[i], 0);
    return zl;
}

/* Number (< product of radices) -> mixed-radix numerals.  Destroys z. */
static void bn_to_mixed(uint32_t *z, size_t zl, const uint32_t *radices,
                        uint16_t *y, size_t n)
{
    for (size_t i = n; i-- > 0;)
        y[i] = (uint16_t)(zl ? bn_div_small(z, &zl, radices[i]) : 0);
}

static void bn_to_bits(const uint32_t *z, size_t zl, uint16_t *bits,
                       size_t nbits)
{
    for (size_t i = 0; i < nbits; i++) {
        size_t pos = nbits - 1 - i;
        bits[i] = pos / 32 < zl ? (uint16_t)(z[pos / 32] >> (pos % 32) & 1) : 0;
    }
}

static size_t bn_from_bits(uint32_t *z, const uint16_t *bits, size_t nbits)
{
    size_t zl = (nbits + 31) / 32;
    memset(z, 0, zl * sizeof *z);
    for (size_t i = 0; i < nbits; i++) {
        size_t pos = nbits - 1 - i;
        z[pos / 32] |= (uint32_t)bits[i] << (pos % 32);
    }
    while (zl && z[zl - 1] == 0)
        zl--;
    return zl;
}

static int check_mixed(const uint32_t *radices, size_t n, const uint16_t *x,
                       eg_error *err)
{
    if (n == 0 || n > EG_FF1_MAX_LEN)
        return eg__fail(err, EG_EINVAL, "FF1: %zu mixed-radix positions", n);
    for (size_t i = 0; i < n; i++) {
        if (radices[i] < 2 || radices[i] > 65536)
            return eg__fail(err, EG_EINVAL,
                            "FF1: radix at position %zu out of 2..65536", i);
        if (x[i] >= radices[i])
            return eg__fail(err, EG_EINVAL,
                            "FF1: numeral %zu is not below its radix", i);
    }
    return EG_OK;
}

/* The walk itself: apply FF1 to the L-bit string until it encodes a
 * number below D (dom, dl limbs) whose mixed-radix form is accepted.
 * `num` is scratch for one number. */
static int walk(eg__ff1 *f, const uint32_t *radices, size_t n,
                const unsigned char *tweak, size_t tweaklen, uint16_t *bits,
                size_t nbits, const uint32_t *dom, size_t dl, uint32_t *num,
                uint16_t *y, eg__ff1_accept_cb accept, void *payload,
                int decrypt, eg_error *err)
{
    for (long iter = 0; iter < MAX_WALK; iter++) {
        int rc =
            ff1_crypt(f, 2, tweak, tweaklen, bits, nbits, bits, decrypt, err);
        if (rc != EG_OK)
            return rc;
        size_t zl = bn_from_bits(num, bits, nbits);
        if (bn_cmp(num, zl, dom, dl) >= 0)
            continue;
        bn_to_mixed(num, zl, radices, y, n);
        if (!accept || accept(y, n, payload))
            return EG_OK;
    }
    return eg__fail(err, EG_ELIMIT, "FF1: cycle walk did not end");
}

static int crypt_mixed(eg__ff1 *f, const uint32_t *radices, size_t n,
                       const unsigned char *tweak, size_t tweaklen,
                       const uint16_t *x, uint16_t *y, eg__ff1_accept_cb accept,
                       void *payload, int decrypt, eg_error *err)
{
    if (!f || !radices || !x || !y || (tweaklen && !tweak))
        return eg__fail(err, EG_EINVAL, "FF1: NULL argument");
    int rc = check_mixed(radices, n, x, err);
    if (rc != EG_OK)
        return rc;
    if (accept && !accept(x, n, payload))
        return eg__fail(err, EG_EINVAL, "FF1: input outside the walk's set");

    /* each radix adds at most 17 bits */
    size_t limbs = (n * 17 + 31) / 32 + 2;
    uint32_t *mem = eg__malloc(2 * limbs * sizeof(uint32_t) +
                               (limbs * 32 + 1) * sizeof(uint16_t));
    if (!mem)
        return eg__fail(err, EG_ENOMEM, "FF1: out of memory");
    uint32_t *dom = mem, *num = mem + limbs;
    uint16_t *bits = (uint16_t *)(mem + 2 * limbs);

    size_t dl = bn_product(dom, radices, n); /* D */
    if (dl == 1 && dom[0] < EG_FF1_MIN_DOMAIN) {
        rc = eg__fail(err, EG_EINVAL,
                      "FF1: domain of %u values is below 10^6; too small to "
                      "encrypt safely",
                      dom[0]);
    } else {
        /* L = bitlen(D - 1) */
        memcpy(num, dom, dl * sizeof *num);
        for (size_t i = 0; i < dl; i++)
            if (num[i]-- != 0)
                break;
        size_t ml = dl;
        while (ml && num[ml - 1] == 0)
            ml--;
        size_t nbits = bit_length(num, ml);
        if (nbits > EG_FF1_MAX_LEN) {
            rc = eg__fail(err, EG_ELIMIT,
                          "FF1: value too long to encrypt (%zu bits)", nbits);
        } else {
            size_t zl = bn_from_mixed(num, radices, x, n);
            bn_to_bits(num, zl, bits, nbits);
            rc = walk(f, radices, n, tweak, tweaklen, bits, nbits, dom, dl, num,
                      y, accept, payload, decrypt, err);
        }
    }
    OPENSSL_cleanse(mem, 2 * limbs * sizeof(uint32_t) +
                             (limbs * 32 + 1) * sizeof(uint16_t));
    eg__free(mem);
    return rc;
}

int eg__ff1_encrypt_mixed(eg__ff1 *f, const uint32_t *radices, size_t n,
                          const unsigned char *tweak, size_t tweaklen,
                          const uint16_t *x, uint16_t *y,
                          eg__ff1_accept_cb accept, void *payload,
                          eg_error *err)
{
    return crypt_mixed(f, radices, n, tweak, tweaklen, x, y, accept, payload, 0,
                       err);
}

int eg__ff1_decrypt_mixed(eg__ff1 *f, const uint32_t *radices, size_t n,
                          const unsigned char *tweak, size_t tweaklen,
                          const uint16_t *x, uint16_t *y,
                          eg__ff1_accept_cb accept, void *payload,
                          eg_error *err)
{
    return crypt_mixed(f, radices, n, tweak, tweaklen, x, y, accept, payload, 1,
                       err);
}
