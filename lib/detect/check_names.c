/*
 * check_names.c: Chinese surnames at the start of UTF-8 text, for the
 * person-name detector.
 *
 * Table: data/surnames.txt, one surname per line in sections [common]
 * (the most frequent ones, Simplified and Traditional), [single] and
 * [compound].  Every surname character is a CJK ideograph in U+3400-U+9FFF,
 * i.e. three UTF-8 bytes, so single surnames are a bit per code point of
 * that range (3.4 KB) and the few compound ones a sorted array of code
 * point pairs, reached only when the first character can start one.
 */
#include "detect/check_int.h"

#define CJK_FIRST 0x3400u
#define CJK_LAST 0x9FFFu
#define CJK_COUNT (CJK_LAST - CJK_FIRST + 1)
#define MAX_COMPOUNDS 256

static uint64_t single_set[EG_BITS_WORDS(CJK_COUNT)];
static uint64_t common_set[EG_BITS_WORDS(CJK_COUNT)];
static uint64_t compound_first_set[EG_BITS_WORDS(CJK_COUNT)];
static uint32_t compounds[MAX_COMPOUNDS]; /* (first << 16 | second), sorted */
static size_t compound_count;

extern const unsigned char eg__data_surnames_txt[];
extern const size_t eg__data_surnames_txt_len;

/* The index in U+3400-U+9FFF of the 3-byte UTF-8 character at s, or -1. */
static int32_t cjk_index(const unsigned char *s, size_t n)
{
    if (n < 3 || s[0] < 0xE3 || s[0] > 0xE9 || (s[1] & 0xC0) != 0x80 ||
        (s[2] & 0xC0) != 0x80)
        return -1;
    uint32_t cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
                  (uint32_t)(s[2] & 0x3F);
    return cp >= CJK_FIRST ? (int32_t)(cp - CJK_FIRST) : -1;
}

/* ---- loading ---- */

enum section { SEC_NONE, SEC_COMMON, SEC_SINGLE, SEC_COMPOUND };

static int section_from(eg_field f, enum section *sec)
{
    if (f.n == 0 || f.p[0] != '[')
        return 0;
    *sec = eg__field_is(f, "[common]")     ? SEC_COMMON
           : eg__field_is(f, "[single]")   ? SEC_SINGLE
           : eg__field_is(f, "[compound]") ? SEC_COMPOUND
                                           : SEC_NONE;
    return 1;
}

static int add_single(eg_table *t, eg_field f, int common, eg_error *err)
{
    int32_t i = cjk_index((const unsigned char *)f.p, f.n);
    if (f.n != 3 || i < 0)
        return eg__table_fail(t, err, "not one CJK character");
    if (eg__bit_test(single_set, (uint32_t)i))
        return eg__table_fail(t, err, "duplicate surname");
    eg__bit_set(single_set, (uint32_t)i);
    if (common)
        eg__bit_set(common_set, (uint32_t)i);
    return EG_OK;
}

/* Compounds arrive in any order: insert keeping the array sorted. */
static int add_compound(eg_table *t, eg_field f, eg_error *err)
{
    int32_t a = cjk_index((const unsigned char *)f.p, f.n);
    int32_t b = f.n == 6 ? cjk_index((const unsigned char *)f.p + 3, 3) : -1;
    if (a < 0 || b < 0)
        return eg__table_fail(t, err, "not two CJK characters");
    if (compound_count == MAX_COMPOUNDS)
        return eg__table_fail(t, err, "too many compound surnames");
    uint32_t key = (uint32_t)a << 16 | (uint32_t)b;
    size_t j = compound_count;
    for (; j > 0 && compounds[j - 1] >= key; j--) {
        if (compounds[j - 1] == key)
            return eg__table_fail(t, err, "duplicate surname");
        compounds[j] = compounds[j - 1];
    }
    compounds[j] = key;
    compound_count++;
    eg__bit_set(compound_first_set, (uint32_t)a);
    return EG_OK;
}

static int load_surname_line(eg_table *t, eg_field f, enum section *sec,
                             eg_error *err)
{
    if (section_from(f, sec))
        return *sec == SEC_NONE ? eg__table_fail(t, err, "unknown section")
                                : EG_OK;
    switch (*sec) {
    case SEC_COMMON:
        return add_single(t, f, 1, err);
    case SEC_SINGLE:
        return add_single(t, f, 0, err);
    case SEC_COMPOUND:
        return add_compound(t, f, err);
    default:
        return eg__table_fail(t, err, "surname before any section");
    }
}

int eg__check_load_surnames(eg_error *err)
{
    eg_table t;
    eg_field f;
    enum section sec = SEC_NONE;
    int nf, rc = EG_OK;
    eg__table_open(&t, eg__data_surnames_txt, eg__data_surnames_txt_len,
                   "surnames.txt");
    while (rc == EG_OK && (nf = eg__table_next(&t, &f, 1)) > 0)
        rc = nf == 1 ? load_surname_line(&t, f, &sec, err)
                     : eg__table_fail(&t, err, "unexpected TAB");
    if (rc == EG_OK && compound_count == 0)
        rc = eg__table_fail(&t, err, "no compound surnames");
    return rc;
}

/* ---- lookup ---- */

static int compound_known(uint32_t key)
{
    size_t lo = 0, hi = compound_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (compounds[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < compound_count && compounds[lo] == key;
}

/* Byte length of the surname at s (6 compound, 3 single, 0 none); a
 * compound surname wins over its first character alone. */
int eg__surname_len(const unsigned char *s, size_t n)
{
    int32_t a = cjk_index(s, n);
    if (a < 0)
        return 0;
    eg__check_ensure_ready();
    if (eg__bit_test(compound_first_set, (uint32_t)a)) {
        int32_t b = cjk_index(s + 3, n - 3);
        if (b >= 0 && compound_known((uint32_t)a << 16 | (uint32_t)b))
            return 6;
    }
    return eg__bit_test(single_set, (uint32_t)a) ? 3 : 0;
}

int eg__surname_is_common(const unsigned char *s, size_t n)
{
    int len = eg__surname_len(s, n);
    return len == 3 && eg__bit_test(common_set, (uint32_t)cjk_index(s, n));
}
