/*
 * check_cards.c: payment cards and devices: the Luhn check (bank cards,
 * IMEI) and the card issuer of a number from its IIN prefix and length.
 *
 * Table: data/card-issuers.tsv, rows `prefix_from prefix_to lengths
 * issuer`.  A few dozen rows at most, so they stay a small array, grouped
 * by first digit and, within a group, longest prefix first: a lookup reads
 * at most a handful of rows and the most specific range wins.
 */
#include "detect/check_int.h"

#include <string.h>

/* ---- Luhn ---- */

/* From the right, two digits a step: the rightmost of each pair as is,
 * the other doubled (digit sum of 2v, from a table). */
int eg__luhn(const char *d, size_t n)
{
    static const uint8_t doubled[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    unsigned sum = 0;
    size_t i = n;
    if (n == 0)
        return 0;
    for (; i >= 2; i -= 2) {
        unsigned plain = (unsigned char)d[i - 1] - (unsigned)'0';
        unsigned twice = (unsigned char)d[i - 2] - (unsigned)'0';
        if (plain > 9 || twice > 9)
            return 0;
        sum += plain + doubled[twice];
    }
    if (i == 1) {
        unsigned plain = (unsigned char)d[0] - (unsigned)'0';
        if (plain > 9)
            return 0;
        sum += plain;
    }
    return sum % 10 == 0;
}

/* ---- issuer table ---- */

#define MAX_ISSUER_ROWS 64
#define MAX_PREFIX_DIGITS 6
#define MAX_CARD_LEN 31

typedef struct issuer_row {
    uint32_t from, to; /* inclusive range of `digits`-digit prefixes */
    uint32_t lengths;  /* bit n set: n-digit numbers allowed */
    uint8_t digits;    /* number of prefix digits compared */
    uint8_t issuer;    /* eg_issuer */
} issuer_row;

static issuer_row rows[MAX_ISSUER_ROWS];
static size_t row_count;
/* Rows whose prefix starts with digit k: [group_start[k], group_start[k+1]). */
static uint8_t group_start[11];

extern const unsigned char eg__data_card_issuers_tsv[];
extern const size_t eg__data_card_issuers_tsv_len;

static const char *const issuer_names[] = {
    [EG_ISSUER_UNIONPAY] = "unionpay",
    [EG_ISSUER_VISA] = "visa",
    [EG_ISSUER_MASTERCARD] = "mastercard",
    [EG_ISSUER_AMEX] = "amex",
    [EG_ISSUER_JCB] = "jcb",
    [EG_ISSUER_DISCOVER] = "discover",
    [EG_ISSUER_DINERS] = "diners",
    [EG_ISSUER_OTHER_DOMESTIC] = "other_domestic",
};

static int issuer_from_name(eg_field f)
{
    for (size_t i = 1; i < EG_ARRAY_LEN(issuer_names); i++)
        if (eg__field_is(f, issuer_names[i]))
            return (int)i;
    return 0;
}

/* "16-19", "13,16,19" or "15" into a bit set of lengths; 0 if malformed. */
static uint32_t parse_lengths(eg_field f)
{
    uint32_t set = 0;
    const char *p = f.p, *end = f.p + f.n;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *dash = memchr(p, '-', (size_t)(stop - p));
        uint32_t lo, hi;
        eg_field a = {p, (size_t)((dash ? dash : stop) - p)};
        eg_field b = dash ? (eg_field){dash + 1, (size_t)(stop - dash - 1)} : a;
        if (!eg__field_uint(a, 1, 2, &lo) || !eg__field_uint(b, 1, 2, &hi) ||
            lo == 0 || lo > hi || hi > MAX_CARD_LEN)
            return 0;
        for (uint32_t k = lo; k <= hi; k++)
            set |= (uint32_t)1 << k;
        p = comma ? comma + 1 : end;
    }
    return set;
}

static int parse_issuer_row(eg_table *t, const eg_field *f, int nf,
                            issuer_row *r, eg_error *err)
{
    if (nf != 4)
        return eg__table_fail(t, err, "expected 4 fields");
    if (!eg__field_uint(f[0], 1, MAX_PREFIX_DIGITS, &r->from) ||
        !eg__field_uint(f[1], f[0].n, f[0].n, &r->to) || r->from > r->to ||
        f[0].p[0] == '0')
        return eg__table_fail(t, err, "bad prefix range");
    r->digits = (uint8_t)f[0].n;
    if ((r->lengths = parse_lengths(f[2])) == 0)
        return eg__table_fail(t, err, "bad lengths");
    if ((r->issuer = (uint8_t)issuer_from_name(f[3])) == 0)
        return eg__table_fail(t, err, "unknown issuer");
    return EG_OK;
}

static const uint32_t pow10[MAX_PREFIX_DIGITS] = {1,    10,    100,
                                                  1000, 10000, 100000};

static unsigned first_digit(const issuer_row *r)
{
    return r->from / pow10[r->digits - 1];
}

/* Ordered by first digit, then longest prefix first. */
static int row_before(const issuer_row *a, const issuer_row *b)
{
    if (first_digit(a) != first_digit(b))
        return first_digit(a) < first_digit(b);
    return a->digits > b->digits;
}

/* Insertion sort (a few dozen rows), then the start of each digit group. */
static void index_rows(void)
{
    for (size_t i = 1; i < row_count; i++) {
        issuer_row r = rows[i];
        size_t j = i;
        for (; j > 0 && row_before(&r, &rows[j - 1]); j--)
            rows[j] = rows[j - 1];
        rows[j] = r;
    }
    size_t k = 0;
    for (unsigned digit = 0; digit <= 10; digit++) {
        while (k < row_count && first_digit(&rows[k]) < digit)
            k++;
        group_start[digit] = (uint8_t)k;
    }
}

int eg__check_load_cards(eg_error *err)
{
    eg_table t;
    eg_field f[4];
    int nf, rc;
    eg__table_open(&t, eg__data_card_issuers_tsv, eg__data_card_issuers_tsv_len,
                   "card-issuers.tsv");
    rc = eg__table_header(&t, "prefix_from\tprefix_to\tlengths\tissuer", err);
    while (rc == EG_OK && (nf = eg__table_next(&t, f, 4)) > 0) {
        if (row_count == MAX_ISSUER_ROWS)
            return eg__table_fail(&t, err, "too many rows");
        rc = parse_issuer_row(&t, f, nf, &rows[row_count], err);
        row_count += rc == EG_OK;
    }
    if (rc == EG_OK && row_count == 0)
        rc = eg__table_fail(&t, err, "no rows");
    if (rc == EG_OK)
        index_rows();
    return rc;
}

/* ---- lookup ---- */

static int all_digits(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!eg__is_digit(d[i]))
            return 0;
    return 1;
}

eg_issuer eg__card_issuer(const char *d, size_t n)
{
    uint32_t prefix[MAX_PREFIX_DIGITS + 1] = {0};
    if (n < 2 || n > MAX_CARD_LEN || !all_digits(d, n))
        return EG_ISSUER_NONE;
    for (size_t k = 1; k <= MAX_PREFIX_DIGITS && k <= n; k++)
        prefix[k] = prefix[k - 1] * 10 + (uint32_t)(d[k - 1] - '0');
    eg__check_ensure_ready();
    unsigned digit = (unsigned)(d[0] - '0');
    for (size_t i = group_start[digit]; i < group_start[digit + 1]; i++) {
        const issuer_row *r = &rows[i];
        if (r->digits <= n && ((r->lengths >> n) & 1) &&
            prefix[r->digits] >= r->from && prefix[r->digits] <= r->to)
            return (eg_issuer)r->issuer;
    }
    return EG_ISSUER_NONE;
}
