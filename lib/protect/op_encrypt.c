/*
 * op_encrypt.c: the `encrypt` operator and its inverse (`egress unmask`):
 * FF1 (AES-256, key = the "ff1" subkey) over the characters of a value,
 * keeping its format: digits stay digits, letters stay letters of the same
 * case, Han characters stay Han characters, every separator and the width
 * (ASCII or full-width) of every position is kept.  Reversal restores the
 * original bytes exactly.  The output is de-identified data: still PI under
 * PIPL Art 73, since the key restores it.
 *
 * Three shapes:
 *
 * - Generic.  A value of digits only is one FF1 numeral string of radix 10
 *   (tweak: the type id).  A value mixing digits, letters and Han is one
 *   mixed-radix number (10 / 26 / 20992 per position) encrypted by cycle
 *   walking (eg__ff1_encrypt_mixed).  A mobile keeps its +86 / 0086 in
 *   clear (and one without never gains a prefix-looking 86: cycle walk). Values
 * whose domain is below 10^6 (five digits, "1.2.3.4", a one-character name) are
 * refused with EG_EINVAL: the caller falls back.
 *
 * - Bank cards and IMEIs.  The card keeps its 6-digit issuer prefix (IIN,
 *   setting keep_issuer), the middle digits are encrypted (tweak: type and
 *   the kept prefix) and the last digit is recomputed so that the Luhn sum
 *   keeps its residue: a Luhn-valid input gives a Luhn-valid output, and a
 *   rare invalid one still decrypts exactly.
 *
 * - Resident IDs (GB 11643).  The output must again pass a validator:
 *   known region, real birth date not in the future, correct check
 *   character.  Encrypting all 17 digits would break all three, so the
 *   body is encrypted as a small mixed-radix domain of valid parts:
 *     keep_region 0 (default): (index of the region code among the
 *       county-level codes of data/gb2260-regions.tsv, sequence number
 *       000-999); the birth date stays in clear and is part of the tweak.
 *       ~3,000 x 1000 values, well above 10^6.  Ages survive.
 *     keep_region 1: the region stays; (day within the birth date's
 *       4-year block, sequence number) is encrypted: blocks start in 1850,
 *       1854, ... 2022, so the date stays in its block (at most 4 years
 *       off) and is always a real date.  1460/1461 x 1000 >= 10^6.  A block
 *       that reaches past "today" (eg__op_as_of) is refused, because it
 *       could produce a future birth date; once a block is closed it stays
 *       closed, so decryption never depends on the day it runs.  Legacy
 *       15-digit IDs (years 19yy) need a block inside 1900-1999.
 *   The check character is recomputed keeping the input's MOD 11-2
 *   residue (0 for valid IDs).  A lower-case x must come back as x, which
 *   a recomputed check cannot promise, so an ID written with a lower-case
 *   x is encrypted by cycle walking inside the IDs whose check is X: the
 *   output ends in x again and decrypts exactly.  An ID whose region is in
 *   no table (keep_region 0) or whose date is not real (keep_region 1) is
 *   refused.
 *
 * The region list is frozen by rule: codes with first_year <= 2021 in the
 * table, which only ever gains rows for later years.  A revision that
 * removed or renumbered a row would change the mapping and with it every
 * ciphertext: docs/internals/OPERATORS.md says so.
 */
#include "protect/operators_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char eg__data_gb2260_regions_tsv[];
extern const size_t eg__data_gb2260_regions_tsv_len;

#define TYPE_TWEAK_MAX 64
#define SMALL_UNITS 64

/* ------------------------------------------------------ region domain */

#define MAX_REGIONS 8192
#define REGION_FREEZE_YEAR 2021

static uint32_t region_codes[MAX_REGIONS];
static size_t region_count;
static int region_status = EG_OK;
static pthread_once_t region_once = PTHREAD_ONCE_INIT;

static int parse_uint(const char *p, const char *end, size_t digits,
                      uint32_t *out)
{
    uint32_t v = 0;
    if ((size_t)(end - p) < digits)
        return 0;
    for (size_t i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (uint32_t)(p[i] - '0');
    }
    *out = v;
    return 1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* One data row "code\tname\tfirst\tlast": county-level codes (not ending
 * in 00) seen by the freeze year join the domain. */
static void region_row(const char *p, const char *eol)
{
    uint32_t code, first;
    const char *tab1 = memchr(p, '\t', (size_t)(eol - p));
    const char *tab2 =
        tab1 ? memchr(tab1 + 1, '\t', (size_t)(eol - tab1 - 1)) : NULL;
    if (!tab2 || tab1 - p != 6 || !parse_uint(p, tab1, 6, &code) ||
        !parse_uint(tab2 + 1, eol, 4, &first))
        return; /* the header line, or a malformed row: not a code */
    if (code % 100 != 0 && first <= REGION_FREEZE_YEAR &&
        region_count < MAX_REGIONS)
        region_codes[region_count++] = code;
}

static void load_regions(void)
{
    const char *p = (const char *)eg__data_gb2260_regions_tsv;
    const char *end = p + eg__data_gb2260_regions_tsv_len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (*p != '#')
            region_row(p, eol);
        p = eol + 1;
    }
    /* Hong Kong, Macao, Taiwan residence permits */
    static const uint32_t special[] = {810000, 820000, 830000};
    for (size_t i = 0; i < 3 && region_count < MAX_REGIONS; i++)
        region_codes[region_count++] = special[i];
    qsort(region_codes, region_count, sizeof *region_codes, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < region_count; i++)
        if (k == 0 || region_codes[k - 1] != region_codes[i])
            region_codes[k++] = region_codes[i];
    region_count = k;
    if (region_count < 1000)
        region_status = EG_EFORMAT;
}

static int regions_ready(eg_error *err)
{
    pthread_once(&region_once, load_regions);
    if (region_status != EG_OK)
        return eg__fail(err, region_status,
                        "encrypt: the embedded region table is unusable");
    return EG_OK;
}

static long region_index(uint32_t code)
{
    size_t lo = 0, hi = region_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (region_codes[mid] < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < region_count && region_codes[lo] == code ? (long)lo : -1;
}

/* ------------------------------------------------------------- dates */

static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* ----------------------------------------------------------- plumbing */

/* The tweak: type id, a NUL, then `extra` (tags and kept digits). */
static size_t make_tweak(unsigned char *tw, int type, const char *extra,
                         size_t extralen)
{
    const char *id = eg_type_id(type);
    size_t n = strlen(id);
    memcpy(tw, id, n);
    tw[n++] = 0;
    memcpy(tw + n, extra, extralen);
    return n + extralen;
}

/* Write the units, replacing the significant ones listed in pos[] by new
 * values of class cls[] (same width as the original). */
static int emit(const eg_op_worker *w, const char *in, const size_t *pos,
                const uint8_t *cls, const uint16_t *vals, size_t count,
                eg_buf *out)
{
    size_t k = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        int rc;
        if (k < count && pos[k] == i) {
            rc = eg__unit_put(out, cls[k], u->wide, vals[k]);
            k++;
        } else {
            rc = eg__buf_append(out, in + u->off, u->len);
        }
        if (rc != EG_OK)
            return rc;
    }
    return EG_OK;
}

/* ------------------------------------------------------- generic shape */

typedef struct scratch {
    size_t *pos;
    uint8_t *cls;
    uint16_t *x, *y;
    uint32_t *radix;
    void *heap;
    size_t small_pos[SMALL_UNITS];
    uint8_t small_cls[SMALL_UNITS];
    uint16_t small_x[SMALL_UNITS], small_y[SMALL_UNITS];
    uint32_t small_radix[SMALL_UNITS];
} scratch;

static int scratch_init(scratch *s, size_t n)
{
    s->heap = NULL;
    if (n <= SMALL_UNITS) {
        s->pos = s->small_pos, s->cls = s->small_cls;
        s->x = s->small_x, s->y = s->small_y, s->radix = s->small_radix;
        return EG_OK;
    }
    size_t bytes =
        n * (sizeof(size_t) + 1 + 2 * sizeof(uint16_t) + sizeof(uint32_t));
    unsigned char *p = eg__malloc(bytes);
    if (!p)
        return EG_ENOMEM;
    s->heap = p;
    s->pos = (size_t *)p;
    s->radix = (uint32_t *)(s->pos + n);
    s->x = (uint16_t *)(s->radix + n);
    s->y = s->x + n;
    s->cls = (uint8_t *)(s->y + n);
    return EG_OK;
}

static void scratch_free(scratch *s)
{
    eg__free(s->heap);
}

static uint32_t class_radix(int cls)
{
    return cls == EG_U_DIGIT ? 10 : cls == EG_U_HAN ? EG_HAN_COUNT : 26;
}

/* Digits a mobile keeps in clear: its country code. */
static size_t mobile_kept(const eg_op_worker *w, size_t ndigits)
{
    if (ndigits != 13 && ndigits != 15)
        return 0;
    char d[4];
    size_t k = 0;
    for (size_t i = 0; i < w->nunits && k < 4; i++)
        if (w->units[i].cls == EG_U_DIGIT)
            d[k++] = (char)('0' + w->units[i].val);
    if (ndigits == 13 && memcmp(d, "86", 2) == 0)
        return 2;
    if (ndigits == 15 && memcmp(d, "0086", 4) == 0)
        return 4;
    return 0;
}

/* A mobile without a country code must not come out looking like one
 * (13 digits starting 86, 15 starting 0086): the decryption would keep
 * those digits.  Cycle walking keeps FF1 a permutation of the numbers
 * without that prefix; about one call in a hundred repeats. */
static int looks_prefixed(const uint16_t *y, size_t k)
{
    return (k == 13 && y[0] == 8 && y[1] == 6) ||
           (k == 15 && y[0] == 0 && y[1] == 0 && y[2] == 8 && y[3] == 6);
}

static int digits_walk(eg__ff1 *f, const unsigned char *tw, size_t tl,
                       const uint16_t *x, size_t k, uint16_t *y,
                       int avoid_prefix, int decrypt, eg_error *err)
{
    const uint16_t *from = x;
    for (int i = 0; i < 100000; i++) {
        int rc = decrypt ? eg__ff1_decrypt(f, 10, tw, tl, from, k, y, err)
                         : eg__ff1_encrypt(f, 10, tw, tl, from, k, y, err);
        if (rc != EG_OK || !avoid_prefix || !looks_prefixed(y, k))
            return rc;
        from = y;
    }
    return eg__fail(err, EG_ELIMIT, "encrypt: cycle walk did not end");
}

static int encrypt_generic(eg_op_worker *w, int type, const char *in,
                           int decrypt, eg_buf *out, eg_error *err)
{
    size_t count = 0, ndigits = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        int c = w->units[i].cls;
        count += c == EG_U_DIGIT || c == EG_U_LOWER || c == EG_U_UPPER ||
                 c == EG_U_HAN;
        ndigits += c == EG_U_DIGIT;
    }
    size_t skip = type == EG_T_cn_mobile && ndigits == count
                      ? mobile_kept(w, ndigits)
                      : 0;
    scratch sc;
    if (scratch_init(&sc, count) != EG_OK)
        return eg__fail(err, EG_ENOMEM, "encrypt: out of memory");
    size_t k = 0, seen = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        if (u->cls == EG_U_SEP || u->cls == EG_U_OTHER || seen++ < skip)
            continue;
        sc.pos[k] = i, sc.cls[k] = u->cls, sc.x[k] = u->val;
        sc.radix[k] = class_radix(u->cls);
        k++;
    }
    unsigned char tw[TYPE_TWEAK_MAX];
    int rc;
    eg__ff1 *f = NULL;
    if (k == 0)
        rc = eg__fail(err, EG_EINVAL,
                      "encrypt: a %s value with nothing to "
                      "encrypt",
                      eg_type_id(type));
    else if ((rc = eg__op_worker_ff1(w, &f, err)) != EG_OK)
        ;
    else if (ndigits == count) {
        size_t tl = make_tweak(tw, type, "D", 1);
        rc = digits_walk(f, tw, tl, sc.x, k, sc.y,
                         type == EG_T_cn_mobile && skip == 0, decrypt, err);
    } else {
        size_t tl = make_tweak(tw, type, "M", 1);
        rc = decrypt ? eg__ff1_decrypt_mixed(f, sc.radix, k, tw, tl, sc.x, sc.y,
                                             NULL, NULL, err)
                     : eg__ff1_encrypt_mixed(f, sc.radix, k, tw, tl, sc.x, sc.y,
                                             NULL, NULL, err);
    }
    if (rc == EG_OK)
        rc = emit(w, in, sc.pos, sc.cls, sc.y, k, out);
    scratch_free(&sc);
    return rc;
}

/* -------------------------------------------------- cards and IMEIs */

static int encrypt_luhn(eg_op_worker *w, int type, const eg_op_settings *s,
                        const char *in, int decrypt, eg_buf *out, eg_error *err)
{
    size_t pos[32];
    uint8_t d[32], cls[32];
    uint16_t x[32], y[32];
    size_t nd = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        if (u->cls == EG_U_SEP)
            continue;
        if (u->cls != EG_U_DIGIT || nd == 32)
            return eg__fail(err, EG_EINVAL,
                            "encrypt: a %s value that is not 12-32 digits",
                            eg_type_id(type));
        pos[nd] = i;
        cls[nd] = EG_U_DIGIT;
        d[nd++] = (uint8_t)u->val;
    }
    size_t keep = type == EG_T_bank_card && s->keep_issuer ? 6 : 0;
    if (nd < keep + 7)
        return eg__fail(err, EG_EINVAL,
                        "encrypt: a %s value too short to encrypt (%zu digits)",
                        eg_type_id(type), nd);
    int residue = eg__luhn_mod10(d, nd);
    size_t mid = nd - keep - 1;
    for (size_t i = 0; i < mid; i++)
        x[i] = d[keep + i];
    char prefix[8];
    for (size_t i = 0; i < keep; i++)
        prefix[1 + i] = (char)('0' + d[i]);
    prefix[0] = 'P';
    unsigned char tw[TYPE_TWEAK_MAX];
    size_t tl = make_tweak(tw, type, prefix, 1 + keep);
    eg__ff1 *f = NULL;
    int rc = eg__op_worker_ff1(w, &f, err);
    if (rc == EG_OK)
        rc = decrypt ? eg__ff1_decrypt(f, 10, tw, tl, x, mid, y, err)
                     : eg__ff1_encrypt(f, 10, tw, tl, x, mid, y, err);
    if (rc != EG_OK)
        return rc;
    for (size_t i = 0; i < mid; i++)
        d[keep + i] = (uint8_t)y[i];
    d[nd - 1] = 0;
    d[nd - 1] = (uint8_t)((residue - eg__luhn_mod10(d, nd) + 10) % 10);
    for (size_t i = 0; i < nd; i++)
        x[i] = d[i];
    return emit(w, in, pos, cls, x, nd, out);
}

/* ------------------------------------------------------ resident IDs */

typedef struct rid {
    size_t pos[18];
    size_t n;        /* 15 or 18 significant characters */
    uint8_t d[18];   /* digit values; d[17] the check value 0..10 */
    int lower_x;     /* the check character is a lower-case x */
    int delta;       /* check value minus the computed one, mod 11 */
    int region_kept; /* which shape: keep_region */
    /* for the walk predicate */
    int day0_y; /* keep_region 1: first year of the block */
} rid;

static int rid_parse(const eg_op_worker *w, rid *r, eg_error *err)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        if (u->cls == EG_U_SEP)
            continue;
        int is_x = (u->cls == EG_U_UPPER || u->cls == EG_U_LOWER) &&
                   u->val == 'x' - 'a';
        if (r->n == 18 || !(u->cls == EG_U_DIGIT || (is_x && r->n == 17)))
            return eg__fail(err, EG_EINVAL,
                            "encrypt: a cn_resident_id value that is not 18 "
                            "(or 15) ID characters");
        r->pos[r->n] = i;
        r->d[r->n++] = is_x ? 10 : (uint8_t)u->val;
        r->lower_x = is_x && u->cls == EG_U_LOWER;
    }
    if (r->n != 18 && r->n != 15)
        return eg__fail(err, EG_EINVAL,
                        "encrypt: a cn_resident_id value that is not 18 (or "
                        "15) ID characters");
    if (r->n == 18)
        r->delta = (r->d[17] - eg__rid_check_value(r->d) + 11) % 11;
    return EG_OK;
}

static int rid_seq_at(const rid *r)
{
    return r->n == 18 ? 14 : 12;
}

static void put_digits(uint8_t *d, unsigned v, int count)
{
    for (int i = count - 1; i >= 0; i--, v /= 10)
        d[i] = (uint8_t)(v % 10);
}

static unsigned get_digits(const uint8_t *d, int count)
{
    unsigned v = 0;
    for (int i = 0; i < count; i++)
        v = v * 10 + d[i];
    return v;
}

/* Write numerals y = (part, seq) into the ID's digits. */
static void rid_fill(rid *r, const uint16_t *y)
{
    if (!r->region_kept) {
        put_digits(r->d, region_codes[y[0]], 6);
    } else {
        int yy, mm, dd;
        civil_from_days(days_from_civil(r->day0_y, 1, 1) + y[0], &yy, &mm, &dd);
        if (r->n == 18) {
            put_digits(r->d + 6, (unsigned)yy, 4);
            put_digits(r->d + 10, (unsigned)(mm * 100 + dd), 4);
        } else {
            put_digits(r->d + 6, (unsigned)(yy - 1900), 2);
            put_digits(r->d + 8, (unsigned)(mm * 100 + dd), 4);
        }
    }
    put_digits(r->d + rid_seq_at(r), y[1], 3);
    if (r->n == 18)
        r->d[17] = (uint8_t)((eg__rid_check_value(r->d) + r->delta) % 11);
}

/* Walk predicate for a lower-case x: stay among IDs whose check is X. */
static int rid_accept_x(const uint16_t *y, size_t n, void *payload)
{
    rid tmp = *(const rid *)payload;
    (void)n;
    rid_fill(&tmp, y);
    return tmp.d[17] == 10;
}

static int rid_date(const rid *r, int *y, int *m, int *d)
{
    if (r->n == 18) {
        *y = (int)get_digits(r->d + 6, 4);
        *m = (int)get_digits(r->d + 10, 2);
        *d = (int)get_digits(r->d + 12, 2);
    } else {
        *y = 1900 + (int)get_digits(r->d + 6, 2);
        *m = (int)get_digits(r->d + 8, 2);
        *d = (int)get_digits(r->d + 10, 2);
    }
    return eg__date_real(*y, *m, *d) && *y >= 1850;
}

/* Numerals and radices of the region-encrypting shape. */
static int rid_shape_region(rid *r, uint16_t *x, uint32_t *radix, char *extra,
                            size_t *extralen, eg_error *err)
{
    long ri = region_index(get_digits(r->d, 6));
    if (ri < 0)
        return eg__fail(err, EG_EINVAL,
                        "encrypt: a cn_resident_id whose region code is in "
                        "no table; cannot keep it valid");
    x[0] = (uint16_t)ri;
    radix[0] = (uint32_t)region_count;
    /* tweak: tag, length, and the birth date kept in clear */
    extra[0] = 'R', extra[1] = '0', extra[2] = r->n == 18 ? 'L' : 'S';
    size_t date_len = r->n == 18 ? 8 : 6;
    for (size_t i = 0; i < date_len; i++)
        extra[3 + i] = (char)('0' + r->d[6 + i]);
    *extralen = 3 + date_len;
    return EG_OK;
}

/* Numerals and radices of the region-keeping shape (date in its block). */
static int rid_shape_date(rid *r, int encrypting, int as_of, uint16_t *x,
                          uint32_t *radix, char *extra, size_t *extralen,
                          eg_error *err)
{
    int y, m, d;
    if (!rid_date(r, &y, &m, &d))
        return eg__fail(err, EG_EINVAL,
                        "encrypt: a cn_resident_id without a real birth date "
                        "cannot keep its region");
    int b = 1850 + (y - 1850) / 4 * 4;
    if (r->n == 15 && (b < 1900 || b + 3 > 1999))
        return eg__fail(err, EG_EINVAL,
                        "encrypt: a 15-digit cn_resident_id born in a block "
                        "crossing a century cannot keep its region");
    if (encrypting && (b + 3) * 10000 + 1231 > as_of)
        return eg__fail(err, EG_EINVAL,
                        "encrypt: a cn_resident_id born in the current "
                        "4-year block cannot keep its region (the date "
                        "could move into the future)");
    r->day0_y = b;
    long day0 = days_from_civil(b, 1, 1);
    x[0] = (uint16_t)(days_from_civil(y, m, d) - day0);
    radix[0] = (uint32_t)(days_from_civil(b + 4, 1, 1) - day0);
    extra[0] = 'R', extra[1] = '1', extra[2] = r->n == 18 ? 'L' : 'S';
    for (int i = 0; i < 6; i++)
        extra[3 + i] = (char)('0' + r->d[i]);
    put_digits((uint8_t *)extra + 9, (unsigned)b, 4);
    for (int i = 9; i < 13; i++)
        extra[i] = (char)('0' + extra[i]);
    *extralen = 13;
    return EG_OK;
}

static int rid_emit(const eg_op_worker *w, const rid *r, const char *in,
                    eg_buf *out)
{
    uint8_t cls[18];
    uint16_t vals[18];
    for (size_t i = 0; i < r->n; i++) {
        cls[i] = EG_U_DIGIT;
        vals[i] = r->d[i];
    }
    if (r->n == 18 && r->d[17] == 10) {
        cls[17] = r->lower_x ? EG_U_LOWER : EG_U_UPPER;
        vals[17] = 'x' - 'a';
    }
    return emit(w, in, r->pos, cls, vals, r->n, out);
}

static int encrypt_rid(eg_op_worker *w, const eg_op_settings *s, const char *in,
                       int decrypt, eg_buf *out, eg_error *err)
{
    rid r;
    int rc = regions_ready(err);
    if (rc == EG_OK)
        rc = rid_parse(w, &r, err);
    if (rc != EG_OK)
        return rc;
    r.region_kept = s->keep_region != 0;
    uint16_t x[2], y[2];
    uint32_t radix[2] = {0, 1000};
    char extra[16];
    size_t extralen = 0;
    rc = r.region_kept ? rid_shape_date(&r, !decrypt, eg__op_as_of(s), x, radix,
                                        extra, &extralen, err)
                       : rid_shape_region(&r, x, radix, extra, &extralen, err);
    if (rc != EG_OK)
        return rc;
    x[1] = (uint16_t)get_digits(r.d + rid_seq_at(&r), 3);
    unsigned char tw[TYPE_TWEAK_MAX];
    size_t tl = make_tweak(tw, EG_T_cn_resident_id, extra, extralen);
    eg__ff1_accept_cb accept = r.lower_x ? rid_accept_x : NULL;
    eg__ff1 *f = NULL;
    rc = eg__op_worker_ff1(w, &f, err);
    if (rc == EG_OK)
        rc = decrypt ? eg__ff1_decrypt_mixed(f, radix, 2, tw, tl, x, y, accept,
                                             &r, err)
                     : eg__ff1_encrypt_mixed(f, radix, 2, tw, tl, x, y, accept,
                                             &r, err);
    if (rc != EG_OK)
        return rc;
    rid_fill(&r, y);
    return rid_emit(w, &r, in, out);
}

/* ----------------------------------------------------------- dispatch */

int eg__op_encrypt(eg_op_worker *w, int type, const eg_op_settings *s,
                   const char *in, size_t n, int decrypt, eg_buf *out,
                   eg_error *err)
{
    (void)n; /* w->units already describe in[0..n) */
    switch (type) {
    case EG_T_cn_resident_id:
        return encrypt_rid(w, s, in, decrypt, out, err);
    case EG_T_bank_card:
    case EG_T_imei:
        return encrypt_luhn(w, type, s, in, decrypt, out, err);
    default:
        return encrypt_generic(w, type, in, decrypt, out, err);
    }
}
