/*
 * operators_int.h: what the operator files (operators.c, op_encrypt.c,
 * op_generalize.c) share: the character model of a value and the worker.
 *
 * A value is read as a sequence of units, one per UTF-8 character, each
 * classified as a separator (kept by every operator), an ASCII or
 * full-width digit or letter (with its numeric value and its width, so an
 * operator can write a different character of the same class and width),
 * a Han character (CJK Unified Ideographs U+4E00..U+9FFF) or "other".
 * Invalid UTF-8 bytes become one "other" unit each, so every byte of the
 * input belongs to exactly one unit and untouched units can be copied
 * back byte for byte.
 */
#ifndef EG_OPERATORS_INT_H
#define EG_OPERATORS_INT_H

#include "crypto/crypto.h"
#include "detect/catalog.h"
#include "protect/operators.h"

typedef enum eg_unit_class {
    EG_U_SEP = 0, /* separators and punctuation: never changed */
    EG_U_DIGIT,   /* val 0..9 */
    EG_U_LOWER,   /* val 0..25 */
    EG_U_UPPER,   /* val 0..25 */
    EG_U_HAN,     /* val 0..20991 (code point - U+4E00) */
    EG_U_OTHER    /* any other character, or an invalid byte */
} eg_unit_class;

#define EG_HAN_FIRST 0x4E00u
#define EG_HAN_COUNT 20992u /* U+4E00..U+9FFF */

typedef struct eg_unit {
    uint32_t off; /* byte offset in the value */
    uint8_t len;  /* bytes */
    uint8_t cls;  /* eg_unit_class */
    uint8_t wide; /* 1 for the full-width forms U+FF10.. */
    uint16_t val; /* class value, see above */
    uint32_t cp;  /* code point (0xFFFD for an invalid byte) */
} eg_unit;

struct eg_protector {
    eg__hmac_ctx pseudo;       /* HMAC under the "pseudonym" subkey */
    unsigned char ff1_key[32]; /* AES-256 key for FF1 ("ff1" subkey) */
};

struct eg_op_worker {
    const eg_protector *p;
    eg__ff1 *ff1;   /* created on first use */
    eg_unit *units; /* the value being processed */
    size_t nunits, ucap;
};

/** Split in[0..n) into w->units.  EG_OK or EG_ENOMEM. */
int eg__units_parse(eg_op_worker *w, const char *in, size_t n);

/** Append the character of class `cls`, width `wide` and value `val`. */
int eg__unit_put(eg_buf *out, int cls, int wide, unsigned val);

/** 1 for the classes FF1 and the pseudonyms rewrite. */
static inline int eg__unit_is_alnum(const eg_unit *u)
{
    return u->cls == EG_U_DIGIT || u->cls == EG_U_LOWER || u->cls == EG_U_UPPER;
}

/** The FF1 cipher of a worker, created on first use. */
int eg__op_worker_ff1(eg_op_worker *w, eg__ff1 **out, eg_error *err);

/** "Today" of the settings: s->as_of_ymd, or the current date. */
int eg__op_as_of(const eg_op_settings *s);

/** ISO 7064 MOD 11-2 check value (0..10) of 17 digit values. */
int eg__rid_check_value(const uint8_t d[17]);

/** Luhn sum of digit values d[0..n) (the last one undoubled), mod 10. */
int eg__luhn_mod10(const uint8_t *d, size_t n);

/* op_encrypt.c */
int eg__op_encrypt(eg_op_worker *w, int type, const eg_op_settings *s,
                   const char *in, size_t n, int decrypt, eg_buf *out,
                   eg_error *err);

/* op_generalize.c */
int eg__op_generalize(eg_op_worker *w, int type, const eg_op_settings *s,
                      const char *in, size_t n, eg_buf *out, eg_error *err);
/** 1 if generalize has a rule for `type`. */
int eg__op_generalize_supported(int type);

#endif
