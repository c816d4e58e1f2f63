/*
 * check_phone.c: mainland telephone numbers: allocated mobile segments and
 * fixed-line area codes.
 *
 * Mobile (data/mobile-segments.tsv): segments are 3-, 4- or 5-digit
 * prefixes.  A byte per 4-digit prefix says "allocated", "not allocated" or
 * "look at the 5th digit" (174: only 17400-17405 are mobile numbers), and a
 * bit per 5-digit prefix settles the last case.  One or two loads a lookup.
 *
 * Area codes (data/area-codes.tsv): the file lists the codes we know with
 * their city, for precision and naming.  For recall, any 4-digit code
 * 03xx-09xx is accepted as plausible (the numbering plan gives all of them
 * to prefecture-level areas), so a real code missing from the file is not
 * lost.  3-digit codes (010, 02x) come from the file only: 01x other than
 * 010 and 026 are not allocated, 00 is the international prefix.
 */
#include "detect/check_int.h"

#include <string.h>

/* ---- mobile segments ---- */

enum { SEG_NONE = 0, SEG_ALL = 1, SEG_SPLIT = 2 };

static uint8_t segment4[10000];
static uint64_t segment5[EG_BITS_WORDS(100000)];

extern const unsigned char eg__data_mobile_segments_tsv[];
extern const size_t eg__data_mobile_segments_tsv_len;

/* A 3- or 4-digit segment allocates every 4-digit prefix under it; a
 * 5-digit one splits its 4-digit prefix unless that is wholly allocated. */
static void note_segment(uint32_t prefix, size_t digits)
{
    if (digits == 3)
        memset(&segment4[prefix * 10], SEG_ALL, 10);
    else if (digits == 4)
        segment4[prefix] = SEG_ALL;
    else {
        eg__bit_set(segment5, prefix);
        if (segment4[prefix / 10] == SEG_NONE)
            segment4[prefix / 10] = SEG_SPLIT;
    }
}

static int load_segment_row(eg_table *t, const eg_field *f, int nf,
                            eg_error *err)
{
    uint32_t prefix;
    if (nf != 2)
        return eg__table_fail(t, err, "expected 2 fields");
    if (!eg__field_uint(f[0], 3, 5, &prefix) || f[0].p[0] != '1' ||
        f[0].p[1] < '3')
        return eg__table_fail(t, err, "bad segment");
    if (f[1].n == 0)
        return eg__table_fail(t, err, "empty carrier");
    note_segment(prefix, f[0].n);
    return EG_OK;
}

int eg__check_load_mobile(eg_error *err)
{
    eg_table t;
    eg_field f[2];
    int nf, rc, rows = 0;
    eg__table_open(&t, eg__data_mobile_segments_tsv,
                   eg__data_mobile_segments_tsv_len, "mobile-segments.tsv");
    rc = eg__table_header(&t, "segment\tcarrier", err);
    while (rc == EG_OK && (nf = eg__table_next(&t, f, 2)) > 0) {
        rc = load_segment_row(&t, f, nf, err);
        rows++;
    }
    if (rc == EG_OK && rows == 0)
        rc = eg__table_fail(&t, err, "no rows");
    return rc;
}

int eg__mobile_segment_ok(const char *d11)
{
    uint32_t prefix5, rest;
    if (!eg__digits_value(d11, 5, &prefix5) ||
        !eg__digits_value(d11 + 5, 6, &rest))
        return 0;
    eg__check_ensure_ready();
    uint8_t seg = segment4[prefix5 / 10];
    return seg == SEG_ALL ||
           (seg == SEG_SPLIT && eg__bit_test(segment5, prefix5));
}

/* ---- area codes ---- */

#define NAME_POOL_SIZE 16384

/* Indexed by the digits after the leading 0: 2 digits for 3-character
 * codes, 3 for 4-character ones.  Value: 1 + offset of the NUL-terminated
 * city name in name_pool, 0 = not in the file. */
static uint16_t code3_name[100];
static uint16_t code4_name[1000];
static char name_pool[NAME_POOL_SIZE];
static size_t name_pool_used;

extern const unsigned char eg__data_area_codes_tsv[];
extern const size_t eg__data_area_codes_tsv_len;

static int add_area_code(eg_table *t, eg_field code, eg_field name,
                         eg_error *err)
{
    uint32_t digits;
    if (!eg__field_uint(code, 3, 4, &digits) || code.p[0] != '0' ||
        code.p[1] == '0' || (code.n == 3) != (code.p[1] <= '2'))
        return eg__table_fail(t, err, "bad area code");
    if (name.n == 0 || name_pool_used + name.n + 1 > NAME_POOL_SIZE - 1)
        return eg__table_fail(t, err, "empty name or name pool full");
    uint16_t *slot = code.n == 3 ? &code3_name[digits] : &code4_name[digits];
    if (*slot)
        return eg__table_fail(t, err, "duplicate area code");
    *slot = (uint16_t)(name_pool_used + 1);
    memcpy(name_pool + name_pool_used, name.p, name.n);
    name_pool_used += name.n + 1; /* the pool is zeroed: NUL-terminated */
    return EG_OK;
}

int eg__check_load_area_codes(eg_error *err)
{
    eg_table t;
    eg_field f[2];
    int nf, rc, rows = 0;
    eg__table_open(&t, eg__data_area_codes_tsv, eg__data_area_codes_tsv_len,
                   "area-codes.tsv");
    rc = eg__table_header(&t, "code\tname", err);
    while (rc == EG_OK && (nf = eg__table_next(&t, f, 2)) > 0) {
        rc = nf == 2 ? add_area_code(&t, f[0], f[1], err)
                     : eg__table_fail(&t, err, "expected 2 fields");
        rows++;
    }
    if (rc == EG_OK && rows == 0)
        rc = eg__table_fail(&t, err, "no rows");
    return rc;
}

/* The code at the start of `d` as (length, name slot); length 0 if none.
 * A subscriber number never starts with 0, so a code followed by '0' is
 * no code ("0100..." is not Beijing). */
static int match_area_code(const char *d, size_t n, const uint16_t **slot)
{
    uint32_t after0;
    int len = 0;
    if (n < 3 || d[0] != '0' || !eg__digits_value(d + 1, 2, &after0))
        return 0;
    eg__check_ensure_ready();
    if (code3_name[after0]) {
        len = 3;
        *slot = &code3_name[after0];
    } else if (n >= 4 && d[1] >= '3' && eg__is_digit(d[3])) {
        len = 4;
        *slot = &code4_name[after0 * 10 + (uint32_t)(d[3] - '0')];
    }
    return (len && (size_t)len < n && d[len] == '0') ? 0 : len;
}

int eg__area_code_len(const char *d, size_t n)
{
    const uint16_t *slot;
    return match_area_code(d, n, &slot);
}

const char *eg__area_code_name(const char *d, size_t n)
{
    const uint16_t *slot;
    if (!match_area_code(d, n, &slot) || *slot == 0)
        return NULL;
    return name_pool + *slot - 1;
}
