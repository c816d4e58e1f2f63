/*
 * crypto.h: the cryptographic primitives of libegress, internal interface.
 *
 * - HMAC-SHA256 with the key's inner and outer hash states computed once
 *   (eg__hmac_*): every finding of a scan gets a fingerprint, so this sits
 *   on the hot path and costs two SHA-256 compressions for short values.
 * - Fingerprints (eg__fingerprint): the findings contract's "16 hex digits
 *   of HMAC-SHA256(key, normalized value)".
 * - FF1 format-preserving encryption (NIST SP 800-38G) over numeral
 *   strings of radix 2..65536 (eg__ff1_*), used by the `encrypt` operator.
 *
 * Keys come from include/egress/keys.h (eg_key_derive gives each purpose
 * its own subkey).  Nothing here ever writes key or input bytes anywhere
 * but the caller's output buffers.
 */
#ifndef EG_CRYPTO_H
#define EG_CRYPTO_H

#include "common/eg_common.h"

/* ------------------------------------------------------------ HMAC-SHA256 */

#define EG_HMAC_BYTES 32

/** A keyed HMAC-SHA256: the SHA-256 chaining values after the key's ipad
 *  and opad blocks.  Plain data, no allocation: embed it anywhere, copy it,
 *  wipe it with eg__hmac_wipe().  It does not hold the key itself. */
typedef struct eg__hmac_ctx {
    uint32_t inner[8];
    uint32_t outer[8];
    int ready;
} eg__hmac_ctx;

/** Prepare `ctx` for `key` (any length; keys over 64 bytes are hashed
 *  first, as RFC 2104 says).  @return EG_OK or EG_EINVAL (NULL args). */
int eg__hmac_init(eg__hmac_ctx *ctx, const void *key, size_t keylen);

/** Forget the key-derived state (OPENSSL_cleanse). */
void eg__hmac_wipe(eg__hmac_ctx *ctx);

/** out = HMAC-SHA256(key, msg[0..n)).
 *  Thread-safety: any number of threads may call this on one const ctx. */
void eg__hmac_sha256(const eg__hmac_ctx *ctx, const void *msg, size_t n,
                     unsigned char out[EG_HMAC_BYTES]);

/** The fingerprint of a normalized value: the first 8 bytes of
 *  HMAC-SHA256(key, norm[0..n)) as a big-endian number (*fp64, may be NULL)
 *  and as 16 lowercase hex digits plus NUL (hex17, may be NULL).  `type`
 *  is accepted for the callers' convenience but is NOT mixed into the MAC,
 *  so that the value matches the findings contract exactly.
 *  Thread-safety: as eg__hmac_sha256(). */
void eg__fingerprint(const eg__hmac_ctx *ctx, int type, const char *norm,
                     size_t n, uint64_t *fp64, char hex17[17]);

/* -------------------------------------------------------------------- FF1 */

/** Longest numeral string FF1 accepts here.  The standard allows up to
 *  2^32; 65536 binary numerals cover every value we protect (a long
 *  private key block is the worst case) and bound the work per call. */
#define EG_FF1_MAX_LEN 65536
/** Smallest domain (radix^len) FF1 accepts: SP 800-38G Rev. 1. */
#define EG_FF1_MIN_DOMAIN 1000000u

/** An FF1 cipher under one AES key.  Holds an OpenSSL cipher context, so
 *  it is NOT safe for concurrent use: give each thread its own. */
typedef struct eg__ff1 eg__ff1;

/** Create an FF1 cipher.  `keylen` is 16, 24 or 32 (AES-128/192/256).
 *  @return EG_OK, EG_EINVAL (key length), EG_ENOMEM, EG_ERROR (OpenSSL).
 *  Ownership: *out is the caller's; free with eg__ff1_free(). */
int eg__ff1_new(eg__ff1 **out, const unsigned char *key, size_t keylen,
                eg_error *err);
/** Wipe and free; NULL is fine. */
void eg__ff1_free(eg__ff1 *f);

/** Encrypt the numeral string x[0..n) (each numeral < radix) into y
 *  (may equal x) under `tweak` (any length, may be NULL when tweaklen 0).
 *  radix: 2..65536; n: 2..EG_FF1_MAX_LEN; radix^n must be at least
 *  EG_FF1_MIN_DOMAIN.  @return EG_OK, EG_EINVAL (bad radix, length,
 *  numeral or too small a domain), EG_ENOMEM, EG_ERROR (OpenSSL). */
int eg__ff1_encrypt(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                    size_t tweaklen, const uint16_t *x, size_t n, uint16_t *y,
                    eg_error *err);
/** The inverse of eg__ff1_encrypt(): same arguments, same rules. */
int eg__ff1_decrypt(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                    size_t tweaklen, const uint16_t *x, size_t n, uint16_t *y,
                    eg_error *err);

/** String forms over the alphabet 0-9a-z (radix 2..36; the test vectors'
 *  convention).  `in` is NUL-terminated; `out` gets strlen(in)+1 bytes
 *  (may equal in).  Upper-case letters are read as lower-case. */
int eg__ff1_encrypt_str(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                        size_t tweaklen, const char *in, char *out,
                        eg_error *err);
int eg__ff1_decrypt_str(eg__ff1 *f, unsigned radix, const unsigned char *tweak,
                        size_t tweaklen, const char *in, char *out,
                        eg_error *err);

/** Accept-set predicate for cycle walking: return 1 if the mixed-radix
 *  numerals y[0..n) are in the set the caller wants to stay inside. */
typedef int (*eg__ff1_accept_cb)(const uint16_t *y, size_t n, void *payload);

/** FF1 over a mixed-radix domain: position i holds a numeral below
 *  radices[i] (2..65536), so the domain has D = product(radices) values
 *  (digits, letters and Han characters of one value; region index x
 *  sequence number of an ID...).  The numerals are read as one number
 *  below D, written as L = bitlen(D-1) bits, and encrypted with FF1 over
 *  radix 2 and length L, repeating ("cycle walking") until the result is
 *  below D and, when `accept` is not NULL, accepted by it.  Cycle walking
 *  is a permutation of the accepted subset as long as the input is in it;
 *  decryption walks back the same way.  Expected FF1 calls: 2^L/D (< 2)
 *  times 1/(fraction accepted).
 *  @return EG_OK, EG_EINVAL (bad radix or numeral, D < 10^6, or x not
 *  accepted), EG_ELIMIT (L above EG_FF1_MAX_LEN), EG_ENOMEM, EG_ERROR. */
int eg__ff1_encrypt_mixed(eg__ff1 *f, const uint32_t *radices, size_t n,
                          const unsigned char *tweak, size_t tweaklen,
                          const uint16_t *x, uint16_t *y,
                          eg__ff1_accept_cb accept, void *payload,
                          eg_error *err);
int eg__ff1_decrypt_mixed(eg__ff1 *f, const uint32_t *radices, size_t n,
                          const unsigned char *tweak, size_t tweaklen,
                          const uint16_t *x, uint16_t *y,
                          eg__ff1_accept_cb accept, void *payload,
                          eg_error *err);

#endif
