/*
 * check_id.c: check characters of personal and organisation identifiers:
 * resident ID (GB 11643, ISO 7064 MOD 11-2), Unified Social Credit Code
 * (GB 32100, MOD 31, plus the GB 11714 organisation-code check inside it),
 * Hong Kong ID, Taiwan ID and the Macao ID format.
 *
 * Workload: every candidate the matcher finds goes through here, most of
 * them digit runs that are not identifiers.  So each validator rejects on
 * the cheapest test first (length, alphabet, date), computes the check in
 * one pass over fixed weight tables, and never allocates.  Inputs are
 * normalized by the matcher (ASCII, uppercase) and never echoed anywhere.
 */
#include "detect/check_int.h"

/* ---- resident identity card ---- */

#define RID_MIN_YEAR 1850

static const uint8_t rid_weight[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
static const char rid_check_of[] = "10X98765432"; /* by weighted sum % 11 */

char eg__rid_check_char(const char *d17)
{
    unsigned sum = 0;
    for (int i = 0; i < 17; i++)
        sum += ((unsigned char)d17[i] - (unsigned)'0') * rid_weight[i];
    return rid_check_of[sum % 11];
}

/* A real date YYYYMMDD in [RID_MIN_YEAR, as_of]. */
static int birth_date_ok(uint32_t ymd, int as_of_ymd)
{
    int y = (int)(ymd / 10000), m = (int)(ymd / 100 % 100),
        d = (int)(ymd % 100);
    return y >= RID_MIN_YEAR && (int)ymd <= as_of_ymd && eg__date_real(y, m, d);
}

/* 18 characters: 17 digits (date at offset 6), then the MOD 11-2 check
 * ('0'-'9' or 'X').  Validating the digits and summing them is one pass;
 * the early exit measured faster than a branch-free loop. */
static int rid18_ok(const char *s, int as_of_ymd, uint32_t *ymd)
{
    unsigned sum = 0;
    for (int i = 0; i < 17; i++) {
        unsigned v = (unsigned char)s[i] - (unsigned)'0';
        if (v > 9)
            return 0;
        sum += v * rid_weight[i];
    }
    (void)eg__digits_value(s + 6, 8, ymd);
    return birth_date_ok(*ymd, as_of_ymd) && rid_check_of[sum % 11] == s[17];
}

/* 15 digits: region, YYMMDD of a 19YY date, sequence; no check. */
static int rid15_ok(const char *s, int as_of_ymd, uint32_t *ymd)
{
    uint32_t unused, yymmdd;
    if (!eg__digits_value(s, 6, &unused) ||
        !eg__digits_value(s + 6, 6, &yymmdd) ||
        !eg__digits_value(s + 12, 3, &unused))
        return 0;
    *ymd = 19000000 + yymmdd;
    return birth_date_ok(*ymd, as_of_ymd);
}

static eg_rid_result rid_result_for(eg_region_class region)
{
    switch (region) {
    case EG_REGION_COUNTY:
    case EG_REGION_SPECIAL:
        return EG_RID_VALID;
    case EG_REGION_PREFECTURE:
    case EG_REGION_UNKNOWN_COUNTY:
        return EG_RID_VALID_WEAK_REGION;
    default:
        return EG_RID_INVALID;
    }
}

eg_rid_result eg__check_resident_id(const char *s, size_t n, int as_of_ymd,
                                    uint32_t *birth_ymd)
{
    uint32_t ymd = 0;
    int format_ok = (n == 18)   ? rid18_ok(s, as_of_ymd, &ymd)
                    : (n == 15) ? rid15_ok(s, as_of_ymd, &ymd)
                                : 0;
    if (!format_ok)
        return EG_RID_INVALID;
    eg_rid_result r = rid_result_for(eg__region_class(s));
    if (r != EG_RID_INVALID && birth_ymd)
        *birth_ymd = ymd;
    return r;
}

/* ---- Unified Social Credit Code ---- */

/* Value + 1 of each character of the GB 32100 alphabet (0 = not in it):
 * 0-9, then A-H J-N P-R T U W-Y for 10-30 (no I O S V Z). */
static const uint8_t uscc_value1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17, ['H'] = 18,
    ['J'] = 19, ['K'] = 20, ['L'] = 21, ['M'] = 22, ['N'] = 23, ['P'] = 24,
    ['Q'] = 25, ['R'] = 26, ['T'] = 27, ['U'] = 28, ['W'] = 29, ['X'] = 30,
    ['Y'] = 31,
};
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

char eg__uscc_check_char(const char *s17)
{
    /* 3^i mod 31 */
    static const uint8_t weight[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
    unsigned sum = 0;
    for (int i = 0; i < 17; i++) {
        unsigned v1 = uscc_value1[(unsigned char)s17[i]];
        if (v1 == 0)
            return 0;
        sum += (v1 - 1) * weight[i];
    }
    return uscc_alphabet[(31 - sum % 31) % 31];
}

/* GB 11714 organisation code: 8 characters (digits or A-Z = 10-35) and a
 * check digit or 'X'. */
static int orgcode_ok(const char *s9)
{
    static const uint8_t weight[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    unsigned sum = 0;
    for (int i = 0; i < 8; i++) {
        unsigned char c = (unsigned char)s9[i];
        unsigned v = eg__is_digit((char)c)    ? c - (unsigned)'0'
                     : (c >= 'A' && c <= 'Z') ? c - (unsigned)'A' + 10
                                              : 99;
        if (v == 99)
            return 0;
        sum += v * weight[i];
    }
    unsigned check = 11 - sum % 11;
    char expect = check == 10 ? 'X' : check == 11 ? '0' : (char)('0' + check);
    return s9[8] == expect;
}

int eg__check_uscc(const char *s18, int *orgcode_ok_out)
{
    if (orgcode_ok_out)
        *orgcode_ok_out = orgcode_ok(s18 + 8);
    char check = eg__uscc_check_char(s18);
    return check != 0 && check == s18[17];
}

/* ---- Hong Kong Identity Card ---- */

static int is_upper(char c)
{
    return (unsigned char)(c - 'A') < 26;
}

/* "A1234563" or "XY9876548": letters are A=10..Z=35; a single letter is
 * preceded by an implicit space worth 36.  Weights n..2 from the left. */
int eg__check_hkid(const char *s, size_t n)
{
    if (n != 8 && n != 9)
        return 0;
    size_t letters = n - 7;
    unsigned sum = letters == 1 ? 36 * 9 : 0;
    for (size_t i = 0; i < n - 1; i++) {
        unsigned weight = (unsigned)(n - i);
        char c = s[i];
        if (i < letters ? !is_upper(c) : !eg__is_digit(c))
            return 0;
        sum += weight *
               (i < letters ? (unsigned)(c - 'A') + 10 : (unsigned)(c - '0'));
    }
    unsigned check = (11 - sum % 11) % 11;
    return s[n - 1] == (check == 10 ? 'A' : (char)('0' + check));
}

/* ---- Taiwan ID / resident certificate ---- */

/* The two-digit number of each first letter (I, O, W-Z are out of order:
 * they were added after the original alphabetical list). */
static const uint8_t tw_letter_code[26] = {10, 11, 12, 13, 14, 15, 16, 17, 34,
                                           18, 19, 20, 21, 22, 35, 23, 24, 25,
                                           26, 27, 28, 29, 32, 30, 31, 33};

/* Second character: 1/2 (citizen, sex), 8/9 (resident certificate since
 * 2021) count as themselves; A-D (old resident certificates) count as the
 * units digit of their letter code.  -1 if not allowed. */
static int tw_second_value(char c)
{
    if (c == '1' || c == '2' || c == '8' || c == '9')
        return c - '0';
    if (c >= 'A' && c <= 'D')
        return tw_letter_code[c - 'A'] % 10;
    return -1;
}

int eg__check_twid(const char *s10)
{
    int second = tw_second_value(s10[1]);
    if (!is_upper(s10[0]) || second < 0)
        return 0;
    unsigned code = tw_letter_code[s10[0] - 'A'];
    unsigned sum = code / 10 + code % 10 * 9 + (unsigned)second * 8;
    for (int i = 2; i < 10; i++) {
        if (!eg__is_digit(s10[i]))
            return 0;
        sum += (unsigned)(s10[i] - '0') * (unsigned)(i < 9 ? 9 - i : 1);
    }
    return sum % 10 == 0;
}

/* ---- Macao ---- */

/* The check digit's algorithm is not public: format only. */
int eg__check_moid(const char *s8)
{
    uint32_t unused;
    char first = s8[0];
    return (first == '1' || first == '5' || first == '7') &&
           eg__digits_value(s8, 8, &unused);
}
