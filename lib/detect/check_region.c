/*
 * check_region.c: GB/T 2260 region codes, the first six digits of a
 * resident ID.
 *
 * Table: data/gb2260-regions.tsv, every code published 1980-2021.  IDs keep
 * the code of the place and time they were issued, so the test is "seen in
 * any revision", not "exists today".  Every one of the 10^6 possible codes
 * gets a bit (125 KB), so the hot lookup is one load.  Two smaller sets
 * remember which provinces and which 4-digit prefectures have county-level
 * codes, to tell a plausible but unpublished county code (real IDs carry
 * codes newer than our data) from noise.
 */
#include "detect/check_int.h"

#define REGION_CODES 1000000u
#define PREFECTURES 10000u
#define PROVINCES 100u

static uint64_t region_seen[EG_BITS_WORDS(REGION_CODES)];
static uint64_t prefecture_known[EG_BITS_WORDS(PREFECTURES)];
static uint64_t province_known[EG_BITS_WORDS(PROVINCES)];

extern const unsigned char eg__data_gb2260_regions_tsv[];
extern const size_t eg__data_gb2260_regions_tsv_len;

/* A county-level code (xxyyzz, yy and zz not 00) vouches for its province
 * xx and its prefecture xxyy.  Codes like 810001 (Hong Kong districts,
 * directly under the region) vouch for nothing. */
static void note_region(uint32_t code)
{
    eg__bit_set(region_seen, code);
    if (code % 100 != 0 && code / 100 % 100 != 0) {
        eg__bit_set(prefecture_known, code / 100);
        eg__bit_set(province_known, code / 10000);
    }
}

static int load_region_row(eg_table *t, const eg_field *f, int nf,
                           eg_error *err)
{
    uint32_t code, first, last;
    if (nf != 4)
        return eg__table_fail(t, err, "expected 4 fields");
    if (!eg__field_uint(f[0], 6, 6, &code) || code < 100000)
        return eg__table_fail(t, err, "bad region code");
    if (f[1].n == 0)
        return eg__table_fail(t, err, "empty name");
    if (!eg__field_uint(f[2], 4, 4, &first) ||
        !eg__field_uint(f[3], 4, 4, &last) || first > last)
        return eg__table_fail(t, err, "bad years");
    note_region(code);
    return EG_OK;
}

int eg__check_load_regions(eg_error *err)
{
    eg_table t;
    eg_field f[4];
    int nf, rc, rows = 0;
    eg__table_open(&t, eg__data_gb2260_regions_tsv,
                   eg__data_gb2260_regions_tsv_len, "gb2260-regions.tsv");
    rc = eg__table_header(&t, "code\tname\tfirst_year\tlast_year", err);
    while (rc == EG_OK && (nf = eg__table_next(&t, f, 4)) > 0) {
        rc = load_region_row(&t, f, nf, err);
        rows++;
    }
    if (rc == EG_OK && rows == 0)
        rc = eg__table_fail(&t, err, "no rows");
    return rc;
}

/* Not in any table: decide from the province and prefecture digits. */
static eg_region_class classify_unlisted(uint32_t code)
{
    uint32_t prefecture_digits = code / 100 % 100;
    int prefecture_seen = eg__bit_test(prefecture_known, code / 100);
    if (!eg__bit_test(province_known, code / 10000))
        return EG_REGION_INVALID;
    if (code % 100 == 0)
        return prefecture_seen ? EG_REGION_PREFECTURE : EG_REGION_INVALID;
    if (prefecture_seen || (prefecture_digits >= 1 && prefecture_digits <= 90))
        return EG_REGION_UNKNOWN_COUNTY;
    return EG_REGION_INVALID;
}

eg_region_class eg__region_class(const char *d)
{
    uint32_t code;
    if (!eg__digits_value(d, 6, &code))
        return EG_REGION_INVALID;
    if (code == 810000 || code == 820000 || code == 830000)
        return EG_REGION_SPECIAL;
    eg__check_ensure_ready();
    if (eg__bit_test(region_seen, code))
        return code % 100 ? EG_REGION_COUNTY : EG_REGION_PREFECTURE;
    return classify_unlisted(code);
}
