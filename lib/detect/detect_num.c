/*
 * detect_num.c: values that contain ASCII digits.
 *
 * Called at a digit anchor.  The alphanumeric token around it is taken
 * whole (so a digit run inside a longer run, or inside a hex id, is never a
 * value of its own), then its shape decides the family:
 *   digits with '.'        IPv4, coordinates, dotted dates (and versions,
 *                          which are skipped)
 *   hex with ':'           IPv6, MAC
 *   digit groups with ' ' or '-'   phones, cards, IDs written in groups
 *   plain digit runs       resident IDs, cards, mobiles, IMEI, USCC, dates
 *   letters and digits     passports, permits, HK/Taiwan IDs, USCC
 *   digits before 号/弄/组  a street number: an address (detect_address.c)
 * Every candidate is checked by its validator; weak types say which context
 * kinds confirm them.  Returns the offset after what was consumed so the
 * anchor walk does not visit the inside of a value again.
 */
#include "detect/check.h"
#include "detect/detect.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 8
#define MAX_DIGITS 40

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static int at_utf8(const eg_chunk *ch, size_t p, const char *s3)
{
    return p + 3 <= ch->len && !memcmp(ch->buf + p, s3, 3);
}

#define U_NIAN "\xE5\xB9\xB4"  /* 年 */
#define U_YUE "\xE6\x9C\x88"   /* 月 */
#define U_RI "\xE6\x97\xA5"    /* 日 */
#define U_HAO "\xE5\x8F\xB7"   /* 号 */
#define U_NONG "\xE5\xBC\x84"  /* 弄 */
#define U_ZU "\xE7\xBB\x84"    /* 组 */
#define U_HAO_T "\xE8\x99\x9F" /* 號 */
#define U_ZU_T "\xE7\xB5\x84"  /* 組 */

/* ------------------------------------------------------------- dates */

static int birth_date_ok(const eg_chunk *ch, int y, int m, int d)
{
    if (y < 1900 || !eg__date_real(y, m, d))
        return 0;
    return y * 10000 + m * 100 + d <= ch->as_of_ymd;
}

static size_t read_num(const unsigned char *b, size_t p, size_t end,
                       size_t maxd, int *out)
{
    size_t n = 0;
    int v = 0;
    while (p + n < end && n < maxd && eg__is_digit(b[p + n]))
        v = v * 10 + (b[p + n++] - '0');
    *out = v;
    return n;
}

/* A date at p: YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD, YYYY年M月D日, YYYYMMDD.
 * Returns its length or 0. */
static size_t parse_date(const eg_chunk *ch, size_t p, int *y, int *m, int *d)
{
    const unsigned char *b = ch->buf;
    size_t end = ch->len, q;
    if (read_num(b, p, end, 9, y) == 8 &&
        (p + 8 >= end || !eg__is_alnum(b[p + 8]))) {
        int v = *y;
        *y = v / 10000, *m = v / 100 % 100, *d = v % 100;
        return 8;
    }
    if (read_num(b, p, end, 5, y) != 4)
        return 0;
    q = p + 4;
    if (at_utf8(ch, q, U_NIAN)) {
        size_t n = read_num(b, q + 3, end, 3, m);
        if (n < 1 || n > 2 || !at_utf8(ch, q + 3 + n, U_YUE))
            return 0;
        q += 3 + n + 3;
        n = read_num(b, q, end, 3, d);
        if (n < 1 || n > 2 || !at_utf8(ch, q + n, U_RI))
            return 0;
        return q + n + 3 - p;
    }
    if (q >= end || (b[q] != '-' && b[q] != '/' && b[q] != '.'))
        return 0;
    unsigned char sep = b[q];
    size_t n = read_num(b, q + 1, end, 3, m);
    if (n < 1 || n > 2 || q + 1 + n >= end || b[q + 1 + n] != sep)
        return 0;
    q += 1 + n + 1;
    n = read_num(b, q, end, 3, d);
    if (n < 1 || n > 2)
        return 0;
    q += n;
    if (q < end && (eg__is_alnum(b[q]) ||
                    (b[q] == '.' && q + 1 < end && eg__is_digit(b[q + 1]))))
        return 0;
    return q - p;
}

static int add_birth_date(eg_chunk *ch, size_t p, size_t len, int y, int m,
                          int d)
{
    if (!birth_date_ok(ch, y, m, d))
        return 0;
    char norm[48];
    snprintf(norm, sizeof norm, "%04d%02d%02d", y, m, d);
    eg_cand *c;
    eg__cand_add(ch, EG_T_date_of_birth, p, p + len, norm, 8, 0.5f, EG_CTX(DOB),
                 0.85f, &c);
    return 1;
}

/* ------------------------------------------------ plain digit sequences */

typedef struct digits {
    char d[MAX_DIGITS + 1]; /* digits, then 'X' if the ID check char */
    size_t n;               /* digits incl. a trailing X */
    size_t glen[MAX_GROUPS];
    size_t gstart[MAX_GROUPS], gend[MAX_GROUPS]; /* relative offsets */
    unsigned char sep[MAX_GROUPS];               /* before group i */
    size_t ng;
} digits;

static int groups_are(const digits *g, size_t i, size_t k, const size_t *want,
                      size_t nwant)
{
    if (k != nwant)
        return 0;
    for (size_t j = 0; j < k; j++)
        if (g->glen[i + j] != want[j])
            return 0;
    return 1;
}

static int seps_consistent(const digits *g, size_t i, size_t k)
{
    for (size_t j = i + 2; j < i + k; j++)
        if (g->sep[j] != g->sep[i + 1])
            return 0;
    return 1;
}

static void concat(const digits *g, size_t i, size_t k, char *out, size_t *n)
{
    size_t len = 0;
    for (size_t j = i; j < i + k; j++) {
        size_t off = 0;
        for (size_t q = 0; q < j; q++)
            off += g->glen[q];
        memcpy(out + len, g->d + off, g->glen[j]);
        len += g->glen[j];
    }
    out[len] = '\0';
    *n = len;
}

/* A value written in groups must be the whole run of groups: "4431 4461
 * 4492 4522 ..." is a list of numbers, not a card. */
static int whole_sequence(const eg_chunk *ch, const digits *g, size_t i,
                          size_t k)
{
    if (k == 1)
        return 1;
    if (i != 0 || i + k != g->ng)
        return 0;
    size_t e = g->gend[g->ng - 1];
    return !(e + 1 < ch->len && (ch->buf[e] == ' ' || ch->buf[e] == '-') &&
             eg__is_digit(ch->buf[e + 1]));
}

static int try_resident_id(eg_chunk *ch, const digits *g, size_t i, size_t k,
                           const char *v, size_t n)
{
    static const size_t g684[] = {6, 8, 4}, g6444[] = {6, 4, 4, 4};
    if (n != 18 && n != 15)
        return 0;
    if (k > 1 &&
        !((groups_are(g, i, k, g684, 3) || groups_are(g, i, k, g6444, 4)) &&
          seps_consistent(g, i, k)))
        return 0;
    if ((n == 15 && k > 1) || !whole_sequence(ch, g, i, k))
        return 0;
    uint32_t birth = 0;
    eg_rid_result r = eg__check_resident_id(v, n, ch->as_of_ymd, &birth);
    if (r == EG_RID_INVALID)
        return 0;
    float conf = r == EG_RID_VALID ? 0.97f : 0.75f;
    if (n == 15)
        conf = 0.6f;
    /* a legacy 15-digit number whose region is in no table is as likely a
     * message id: only with a label */
    uint32_t need = n == 15 && r == EG_RID_VALID_WEAK_REGION
                        ? EG_CTX(IDCARD)
                        : EG_OPTIONAL(EG_CTX(IDCARD));
    eg_cand *c;
    eg__cand_add(ch, EG_T_cn_resident_id, g->gstart[i], g->gend[i + k - 1], v,
                 n, conf, need, n == 15 ? 0.9f : 0.99f, &c);
    if (c) {
        c->birth_ymd = birth;
        if (r == EG_RID_VALID_WEAK_REGION)
            c->flags |= EG_CAND_WEAK_REGION;
    }
    return 1;
}

static int card_grouping_ok(const digits *g, size_t i, size_t k)
{
    if (k == 1)
        return 1;
    if (!seps_consistent(g, i, k))
        return 0;
    for (size_t j = i; j < i + k - 1; j++)
        if (g->glen[j] != 4 && !(j == i && g->glen[j] == 6))
            return 0;
    return g->glen[i + k - 1] >= 1 && g->glen[i + k - 1] <= 4;
}

static int try_bank_card(eg_chunk *ch, const digits *g, size_t i, size_t k,
                         const char *v, size_t n)
{
    if (n < 13 || n > 19 || v[n - 1] == 'X' || !card_grouping_ok(g, i, k) ||
        !whole_sequence(ch, g, i, k))
        return 0;
    eg_issuer iss = eg__card_issuer(v, n);
    if (iss == EG_ISSUER_NONE || !eg__luhn(v, n))
        return 0;
    float conf = iss == EG_ISSUER_UNIONPAY ? 0.95f : 0.9f;
    /* legacy domestic "9" BINs collide with large integers (2^63+1 passes
     * Luhn): only with a card label */
    uint32_t need = iss == EG_ISSUER_OTHER_DOMESTIC ? EG_CTX(BANK)
                                                    : EG_OPTIONAL(EG_CTX(BANK));
    eg_cand *c;
    eg__cand_add(ch, EG_T_bank_card, g->gstart[i], g->gend[i + k - 1], v, n,
                 conf, need, 0.99f, &c);
    /* an order or transaction number that passes Luhn with a card prefix
     * (1 in 10 do): its label or column says what it is */
    if (c)
        c->veto = EG_CTX(ORDER);
    return 1;
}

/* +86 / 0086 / 86 before a mobile number: how many groups and bytes of
 * prefix precede group i, if any. */
static size_t country_prefix_start(const eg_chunk *ch, const digits *g,
                                   size_t i)
{
    size_t s = g->gstart[i];
    if (i > 0) {
        size_t pl = g->glen[i - 1];
        const char *pd = g->d;
        size_t off = 0;
        for (size_t q = 0; q < i - 1; q++)
            off += g->glen[q];
        if ((pl == 2 && !memcmp(pd + off, "86", 2)) ||
            (pl == 4 && !memcmp(pd + off, "0086", 4))) {
            s = g->gstart[i - 1];
            if (s > 0 && ch->buf[s - 1] == '+')
                s--;
            return s;
        }
        return s;
    }
    /* "+86" glued directly: "+8613800138000" is handled as one group */
    if (s >= 4 && ch->buf[s - 1] == ' ' && !memcmp(ch->buf + s - 4, "+86", 3))
        return s - 4;
    if (s >= 3 && !memcmp(ch->buf + s - 3, "+86", 3))
        return s - 3;
    return s;
}

static int try_mobile(eg_chunk *ch, const digits *g, size_t i, size_t k,
                      const char *v, size_t n)
{
    static const size_t g344[] = {3, 4, 4}, g38[] = {3, 8}, g74[] = {7, 4};
    const char *m = v;
    size_t extra = 0;
    if (k == 1 && n == 13 && !memcmp(v, "86", 2))
        m = v + 2, extra = 2;
    else if (k == 1 && n == 15 && !memcmp(v, "0086", 4))
        m = v + 4, extra = 4;
    else if (n != 11)
        return 0;
    if (m[0] != '1' || !eg__mobile_segment_ok(m))
        return 0;
    if (k > 1 &&
        !((groups_are(g, i, k, g344, 3) || groups_are(g, i, k, g38, 2) ||
           groups_are(g, i, k, g74, 2)) &&
          seps_consistent(g, i, k)))
        return 0;
    size_t start = extra ? g->gstart[i] : country_prefix_start(ch, g, i);
    if (extra && start > 0 && ch->buf[start - 1] == '+')
        start--;
    eg_cand *c;
    eg__cand_add(ch, EG_T_cn_mobile, start, g->gend[i + k - 1], m, 11, 0.9f,
                 EG_OPTIONAL(EG_CTX(PHONE)), 0.97f, &c);
    return 1;
}

/* "+86 10 6234 5678", "0086-755-88886666": the international form drops
 * the area code's 0.  Returns where the value starts (its '+' or 0086) and
 * writes the domestic number (0 put back) into w, or returns SIZE_MAX. */
static size_t intl_landline(const eg_chunk *ch, const digits *g, size_t i,
                            const char *v, size_t n, char *w)
{
    size_t ps = country_prefix_start(ch, g, i);
    if (ps == g->gstart[i] || n + 1 > MAX_DIGITS)
        return SIZE_MAX;
    /* a bare "86" before a number is too weak for a landline: a '+' or
     * 0086 must say it is a country code */
    if (i > 0 && ps == g->gstart[i - 1] && g->glen[i - 1] != 4)
        return SIZE_MAX;
    w[0] = '0';
    memcpy(w + 1, v, n);
    w[n + 1] = '\0';
    return ps;
}

static int try_landline(eg_chunk *ch, const digits *g, size_t i, size_t k,
                        const char *v, size_t n)
{
    char w[MAX_DIGITS + 2];
    size_t start = g->gstart[i], intl = 0;
    if (v[0] != '0') {
        start = intl_landline(ch, g, i, v, n, w);
        if (start == SIZE_MAX)
            return 0;
        v = w, n++, intl = 1;
    }
    if (n < 10 || n > 12)
        return 0;
    int area = eg__area_code_len(v, n);
    if (!area)
        return 0;
    size_t local = n - (size_t)area;
    if (local < 7 || local > 8 || v[area] < '2' || v[area] > '9')
        return 0;
    uint32_t need = 0;
    if (k == 1) {
        need = EG_CTX(PHONE); /* unseparated: only with a label */
    } else {
        /* "010-6552 8899": the split of the local number may use another
         * separator than the one after the area code */
        if (g->glen[i] != (size_t)area - intl ||
            (k > 2 && !seps_consistent(g, i + 1, k - 1)))
            return 0;
        if (k == 3 && !(g->glen[i + 1] >= 3 && g->glen[i + 1] <= 4 &&
                        g->glen[i + 2] == 4))
            return 0;
        if (k > 3)
            return 0;
    }
    eg_cand *c;
    eg__cand_add(ch, EG_T_cn_landline, start, g->gend[i + k - 1], v, n,
                 need ? 0.5f : 0.85f, need ? need : EG_OPTIONAL(EG_CTX(PHONE)),
                 0.9f, &c);
    return 1;
}

static int try_imei(eg_chunk *ch, const digits *g, size_t i, size_t k,
                    const char *v, size_t n)
{
    if (n != 15 || k != 1 || !eg__luhn(v, n))
        return 0;
    eg__cand_add(ch, EG_T_imei, g->gstart[i], g->gend[i], v, n, 0.5f,
                 EG_CTX(IMEI), 0.9f, NULL);
    return 1;
}

/* The registration region of a USCC: a GB/T 2260 code, or 100000 for
 * bodies registered at national level. */
static int uscc_region_ok(const char *d6)
{
    return !memcmp(d6, "100000", 6) ||
           eg__region_class(d6) != EG_REGION_INVALID;
}

/* 18 characters with a resident ID's layout: a region, a birth date, three
 * digits and a check character (which failed, or it would be an ID). */
static int id_shaped(const char *t)
{
    for (int i = 0; i < 17; i++)
        if (t[i] < '0' || t[i] > '9')
            return 0;
    if (!(t[17] >= '0' && t[17] <= '9') && t[17] != 'X')
        return 0;
    int y = (t[6] - '0') * 1000 + (t[7] - '0') * 100 + (t[8] - '0') * 10 +
            (t[9] - '0');
    int m = (t[10] - '0') * 10 + (t[11] - '0');
    int d = (t[12] - '0') * 10 + (t[13] - '0');
    return eg__region_class(t) != EG_REGION_INVALID && y >= 1850 &&
           eg__date_real(y, m, d);
}

/* A USCC candidate.  One shaped like a resident ID under an ID label (a
 * mistyped ID: "原身份证号 …录入有误") is not taken for a USCC that passes
 * its check by chance (1 in 31): in text the label is seen now; in CSV and
 * JSON the column or key vetoes it later. */
static int add_uscc(eg_chunk *ch, size_t s, size_t e, const char *t, size_t n,
                    float conf)
{
    int idlike = id_shaped(t);
    if (idlike && !eg__chunk_structured(ch) &&
        (eg__text_context(ch, s) & EG_CTX(IDCARD)))
        return 0;
    eg_cand *c;
    eg__cand_add(ch, EG_T_cn_uscc, s, e, t, n, conf, 0, conf, &c);
    if (idlike)
        eg__cand_key_may_veto(ch, c, EG_CTX(IDCARD));
    return 1;
}

static int try_uscc_digits(eg_chunk *ch, const digits *g, size_t i, size_t k,
                           const char *v, size_t n)
{
    int org = 0;
    if (n != 18 || k != 1 || !eg__check_uscc(v, &org) || !org)
        return 0;
    if (!uscc_region_ok(v + 2))
        return 0;
    return add_uscc(ch, g->gstart[i], g->gend[i], v, n, 0.9f);
}

static int try_tw_permit(eg_chunk *ch, const digits *g, size_t i, size_t k,
                         const char *v, size_t n)
{
    if (n != 8 || k != 1)
        return 0;
    eg__cand_add(ch, EG_T_cn_travel_permit, g->gstart[i], g->gend[i], v, n,
                 0.5f, EG_CTX(PERMIT_TW), 0.85f, NULL);
    return 1;
}

/* The longest run of groups from i that is a value; returns groups used. */
static size_t classify_groups(eg_chunk *ch, const digits *g, size_t i)
{
    for (size_t k = g->ng - i; k >= 1; k--) {
        char v[MAX_DIGITS + 1];
        size_t n;
        concat(g, i, k, v, &n);
        if (try_resident_id(ch, g, i, k, v, n) || try_mobile(ch, g, i, k, v, n))
            return k;
        if (n == 15 && k == 1 && eg__luhn(v, n) &&
            (eg__text_context(ch, g->gstart[i]) & EG_CTX(IMEI)))
            if (try_imei(ch, g, i, k, v, n))
                return k;
        if (try_bank_card(ch, g, i, k, v, n) ||
            try_landline(ch, g, i, k, v, n) ||
            try_uscc_digits(ch, g, i, k, v, n) || try_imei(ch, g, i, k, v, n) ||
            try_tw_permit(ch, g, i, k, v, n))
            return k;
    }
    return 1;
}

/* Collect digit groups separated by single ' ' or '-' from s.  A value
 * has at most 24 digits (a 19-digit card after a country code), so a
 * sequence stops before a group that would pass MAX_DIGITS; a first group
 * longer than that is no value at all (ng = 0). */
static size_t collect_groups(const eg_chunk *ch, size_t s, digits *g)
{
    const unsigned char *b = ch->buf;
    size_t end = ch->len, p = s, last_end = s;
    memset(g, 0, sizeof *g);
    while (g->ng < MAX_GROUPS) {
        size_t q = p;
        while (q < end && eg__is_digit(b[q]))
            q++;
        int x = q < end && (b[q] == 'X' || b[q] == 'x') &&
                (q + 1 >= end || !eg__is_alnum(b[q + 1]));
        size_t run = q - p + (size_t)x;
        if (g->n + run > MAX_DIGITS) {
            if (g->ng == 0)
                return q + (size_t)x;
            break;
        }
        memcpy(g->d + g->n, b + p, q - p);
        g->n += q - p;
        if (x)
            g->d[g->n++] = 'X', q++;
        g->gstart[g->ng] = p;
        g->gend[g->ng] = q;
        g->glen[g->ng] = run;
        g->ng++;
        last_end = q;
        if (x)
            break;
        if (q + 1 < end && (b[q] == ' ' || b[q] == '-') &&
            eg__is_digit(b[q + 1]) && g->ng < MAX_GROUPS) {
            g->sep[g->ng] = b[q];
            p = q + 1;
            continue;
        }
        break;
    }
    g->d[g->n] = '\0';
    return last_end;
}

/* "(0755) 8888-6666", "（010）12345678": an area code in brackets. */
static size_t try_bracketed_landline(eg_chunk *ch, size_t s)
{
    const unsigned char *b = ch->buf;
    size_t open = 0, close = 0, e = s;
    if (s >= 1 && b[s - 1] == '(')
        open = 1;
    else if (s >= 3 && !memcmp(b + s - 3, "\xEF\xBC\x88", 3))
        open = 3;
    if (!open)
        return 0;
    while (e < ch->len && eg__is_digit(b[e]) && e - s < 5)
        e++;
    if (e < ch->len && b[e] == ')')
        close = 1;
    else if (e + 3 <= ch->len && !memcmp(b + e, "\xEF\xBC\x89", 3))
        close = 3;
    if (!close || e - s < 3 || b[s] != '0')
        return 0;
    char v[MAX_DIGITS + 1];
    size_t n = e - s;
    memcpy(v, b + s, n);
    if (eg__area_code_len(v, n) != (int)n)
        return 0;
    size_t p = e + close;
    while (p < ch->len && b[p] == ' ')
        p++;
    size_t q = p;
    while (
        q < ch->len && n < 14 &&
        (eg__is_digit(b[q]) || ((b[q] == '-' || b[q] == ' ') &&
                                q + 1 < ch->len && eg__is_digit(b[q + 1])))) {
        if (eg__is_digit(b[q]))
            v[n++] = (char)b[q];
        q++;
    }
    size_t local = n - (e - s);
    if (local < 7 || local > 8 || b[p] < '2' || b[p] > '9' ||
        (q < ch->len && eg__is_alnum(b[q])))
        return 0;
    eg__cand_add(ch, EG_T_cn_landline, s - open, q, v, n, 0.85f,
                 EG_OPTIONAL(EG_CTX(PHONE)), 0.9f, NULL);
    return q;
}

static size_t detect_number_groups(eg_chunk *ch, size_t s)
{
    size_t bl = try_bracketed_landline(ch, s);
    if (bl)
        return bl;
    digits g;
    size_t end = collect_groups(ch, s, &g);
    if (g.ng == 0 || (end < ch->len && eg__is_alnum(ch->buf[end])))
        return end; /* too long, or glued to letters: a code, no value */
    /* A run longer than the window (MAX_GROUPS, MAX_DIGITS) goes on after
     * `end`: classify only the groups followed by a whole value's worth of
     * groups (5: a 4-4-4-4-3 card) and resume at the next group, so that a
     * value is never cut by the window ("138 2996 8745 138 2996 8745 ..."
     * lost every third number) and the parse of a long run does not
     * depend on where the walk, or the chunk, entered it. */
    const unsigned char *b = ch->buf;
    int more = end + 1 < ch->len && (b[end] == ' ' || b[end] == '-') &&
               eg__is_digit(b[end + 1]);
    size_t limit = !more ? g.ng : g.ng > 4 ? g.ng - 4 : 1, i = 0;
    while (i < limit)
        i += classify_groups(ch, &g, i);
    return i < g.ng ? g.gstart[i] : end;
}

/* ------------------------------------------------------ dotted numbers */

static int octet(const unsigned char *s, size_t n)
{
    if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v <= 255 ? v : -1;
}

/* 1 if b[0..n) joins two versions: " to ", " -> ", "至" ... */
static int range_word(const unsigned char *b, size_t n)
{
    static const char *const words[] = {" to ", "->", " -> ", " => ", "~",
                                        " ~ ",  "至", "到",   "→",    " → "};
    for (size_t i = 0; i < EG_ARRAY_LEN(words); i++)
        if (strlen(words[i]) == n && !memcmp(b, words[i], n))
            return 1;
    return 0;
}

/* How far back a version label may stand from a dotted number at s: up to
 * the previous number ("app_version=5.2.1 client_ip=10.20.30.40" names only
 * the first), or past it when a range word joins the two ("upgraded from
 * 1.2.3.4 to 1.2.4.0" names both). */
static size_t version_window(const unsigned char *b, size_t s)
{
    size_t win = 0;
    for (int hops = 0; hops < 2; hops++) {
        size_t gap = 0;
        while (win + gap < 40 && win + gap < s &&
               !eg__is_digit(b[s - win - gap - 1]))
            gap++;
        win += gap;
        if (win >= 40 || win >= s || !range_word(b + s - win, gap))
            break;
        while (win < s && win < 60 &&
               (eg__is_digit(b[s - win - 1]) || b[s - win - 1] == '.'))
            win++;
    }
    return win;
}

static int try_ipv4(eg_chunk *ch, size_t s, size_t e)
{
    const unsigned char *b = ch->buf;
    size_t parts = 0, ps = s;
    for (size_t p = s; p <= e; p++)
        if (p == e || b[p] == '.') {
            if (octet(b + ps, p - ps) < 0)
                return 0;
            parts++;
            ps = p + 1;
        }
    if (parts != 4)
        return 0;
    uint32_t need = 0;
    /* 27.4.5.1, 17.4.3.6: section and version numbers; an address with
     * every octet below 32 is rare outside 10/8 and 127/8 */
    {
        int small = 1, first = -1, o = 0;
        size_t q0 = s;
        for (size_t q = s; q <= e; q++)
            if (q == e || b[q] == '.') {
                o = octet(b + q0, q - q0);
                if (first < 0)
                    first = o;
                small &= o < 32;
                q0 = q + 1;
            }
        if (small && first != 10 && first != 127)
            need = EG_CTX(IP); /* 8.8.8.8 after "ip=" still counts */
    }
    if (s > 0 && (b[s - 1] == '.' || eg__is_alnum(b[s - 1])))
        return 0;
    if (at_utf8(ch, e, "\xE7\x89\x88")) /* 版本 follows */
        return 0;
    /* "Chrome/120.0.0.0": the version of a product token */
    if (s > 1 && b[s - 1] == '/' && eg__is_alnum(b[s - 2]))
        return 0;
    /* a version label counts only up to the next number after it:
     * "app_version=5.2.1 client_ip=10.20.30.40" names the first one */
    size_t win = version_window(b, s);
    if (eg__label_near(ch, s, win, EG_CTX(VERSION)))
        return 0;
    eg_cand *c;
    eg__cand_add(ch, EG_T_ipv4, s, e, (const char *)b + s, e - s, 0.85f, need,
                 0.85f, &c);
    if (!need)
        eg__cand_key_may_veto(ch, c, EG_CTX(VERSION));
    return 1;
}

/* A decimal number with at least 4 decimals at p (optional '-'); returns
 * its length, its value, or 0. */
static size_t decimal_at(const eg_chunk *ch, size_t p, double *val)
{
    const unsigned char *b = ch->buf;
    size_t q = p, end = ch->len;
    int neg = 0;
    if (q < end && b[q] == '-')
        neg = 1, q++;
    size_t ip = 0;
    double v = 0;
    while (q < end && eg__is_digit(b[q]) && ip < 4)
        v = v * 10 + (b[q++] - '0'), ip++;
    if (ip == 0 || q >= end || b[q] != '.')
        return 0;
    q++;
    size_t fp = 0;
    double scale = 0.1;
    while (q < end && eg__is_digit(b[q])) {
        v += (b[q++] - '0') * scale;
        scale /= 10;
        fp++;
    }
    if (fp < 4 || fp > 15 || (q < end && (eg__is_alnum(b[q]) || b[q] == '.')))
        return 0;
    *val = neg ? -v : v;
    return q - p;
}

static int in_china(double lat, double lng)
{
    return lat >= 3 && lat <= 54 && lng >= 73 && lng <= 136;
}

static int in_range(double lat, double lng)
{
    return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
}

static size_t try_geo(eg_chunk *ch, size_t s)
{
    const unsigned char *b = ch->buf;
    double a, c;
    size_t start = s;
    if (s > 0 && b[s - 1] == '-' && (s < 2 || !eg__is_alnum(b[s - 2])))
        start = s - 1;
    size_t la = decimal_at(ch, start, &a);
    if (!la)
        return 0;
    size_t p = start + la, gap = 0;
    while (p < ch->len && gap < 16 && !eg__is_digit(b[p]) && b[p] != '-' &&
           b[p] != '\n' && b[p] < 0x80 && b[p] != '.') {
        p++;
        gap++;
    }
    size_t lc = decimal_at(ch, p, &c);
    if (!lc || gap == 0)
        return 0;
    if (!in_range(a, c) && !in_range(c, a))
        return 0;
    /* without a label only pairs inside China's box (lat 3..54, lng
     * 73..136, either order) count: number lists in code and data (vectors,
     * rates, scores) are pairs too */
    int small = !(in_china(a, c) || in_china(c, a));
    char norm[64];
    size_t n1 = la < 30 ? la : 30, n2 = lc < 30 ? lc : 30;
    memcpy(norm, b + start, n1);
    norm[n1] = ',';
    memcpy(norm + n1 + 1, b + p, n2);
    eg_cand *cd;
    eg__cand_add(ch, EG_T_geo_coordinate, start, p + lc, norm, n1 + 1 + n2,
                 small ? 0.3f : 0.85f,
                 small ? EG_CTX(GEO) : EG_OPTIONAL(EG_CTX(GEO)), 0.95f, &cd);
    return p + lc;
}

static size_t detect_dotted(eg_chunk *ch, size_t s)
{
    const unsigned char *b = ch->buf;
    size_t e = s;
    while (e < ch->len && (eg__is_digit(b[e]) || b[e] == '.'))
        e++;
    while (e > s && b[e - 1] == '.')
        e--;
    if (e < ch->len && eg__is_alnum(b[e]))
        return e;
    if (try_ipv4(ch, s, e))
        return e;
    size_t g = try_geo(ch, s);
    if (g)
        return g;
    int y, m, d;
    size_t dl = parse_date(ch, s, &y, &m, &d);
    if (dl)
        add_birth_date(ch, s, dl, y, m, d);
    return e;
}

/* ---------------------------------------------------------- hex, colons */

static size_t try_mac(eg_chunk *ch, size_t s)
{
    const unsigned char *b = ch->buf;
    if (s + 17 > ch->len)
        return 0;
    unsigned char sep = b[s + 2];
    if (sep != ':' && sep != '-')
        return 0;
    for (size_t i = 0; i < 17; i++) {
        if (i % 3 == 2 ? b[s + i] != sep : !is_hex(b[s + i]))
            return 0;
    }
    if (s + 17 < ch->len &&
        (is_hex(b[s + 17]) || b[s + 17] == sep || eg__is_alnum(b[s + 17])))
        return 0;
    if (s > 0 && (eg__is_alnum(b[s - 1]) || b[s - 1] == sep))
        return 0;
    char norm[18];
    for (size_t i = 0; i < 17; i++)
        norm[i] = (char)(i % 3 == 2 ? ':' : (b[s + i] | 0x20));
    norm[17] = '\0';
    if (!strcmp(norm, "00:00:00:00:00:00") ||
        !strcmp(norm, "ff:ff:ff:ff:ff:ff"))
        return s + 17; /* placeholders, not a device */
    eg__cand_add(ch, EG_T_mac_address, s, s + 17, norm, 17, 0.85f, 0, 0.85f,
                 NULL);
    return s + 17;
}

static size_t try_ipv6(eg_chunk *ch, size_t s)
{
    const unsigned char *b = ch->buf;
    size_t anchor = s;
    /* an address is at most 45 bytes: look back no further, so that a
     * long "1:1:1:..." run costs linear time, not quadratic */
    while (s > 0 && anchor - s <= 45 && (is_hex(b[s - 1]) || b[s - 1] == ':'))
        s--;
    if (s > 0 && (eg__is_alnum(b[s - 1]) || b[s - 1] == '.' || b[s - 1] == ':'))
        return 0;
    size_t e = s, colons = 0;
    while (e < ch->len && e - s < 45 &&
           (is_hex(b[e]) || b[e] == ':' || b[e] == '.')) {
        colons += b[e] == ':';
        e++;
    }
    if (colons < 2)
        return 0;
    while (e > s && (b[e - 1] == '.' ||
                     (b[e - 1] == ':' && !(e - s >= 2 && b[e - 2] == ':'))))
        e--;
    if (e < ch->len && eg__is_alnum(b[e]))
        return 0;
    char txt[64];
    memcpy(txt, b + s, e - s);
    txt[e - s] = '\0';
    unsigned char addr[16];
    if (inet_pton(AF_INET6, txt, addr) != 1)
        return 0;
    char norm[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, addr, norm, sizeof norm);
    if (!strcmp(norm, "::") || !strcmp(norm, "::1"))
        return e; /* unspecified and loopback: no one's address */
    eg__cand_add(ch, EG_T_ipv6, s, e, norm, strlen(norm), 0.9f, 0, 0.9f, NULL);
    return e;
}

/* ------------------------------------------------- letters and digits */

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!eg__is_digit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* A check character in brackets after a token: "(3)", "（A）". Returns the
 * character and sets *len, or 0. */
static char bracket_check(const eg_chunk *ch, size_t p, size_t *len)
{
    const unsigned char *b = ch->buf;
    if (p + 3 <= ch->len && b[p] == '(' && b[p + 2] == ')' &&
        (eg__is_digit(b[p + 1]) || b[p + 1] == 'A')) {
        *len = 3;
        return (char)b[p + 1];
    }
    if (p + 7 <= ch->len && at_utf8(ch, p, "\xEF\xBC\x88") &&
        at_utf8(ch, p + 4, "\xEF\xBC\x89") &&
        (eg__is_digit(b[p + 3]) || b[p + 3] == 'A')) {
        *len = 7;
        return (char)b[p + 3];
    }
    return 0;
}

static int try_hkid(eg_chunk *ch, size_t s, size_t e, const char *t, size_t n)
{
    size_t nl = is_upper((unsigned char)t[1]) ? 2 : 1;
    if (!is_upper((unsigned char)t[0]))
        return 0;
    char v[12];
    size_t bl = 0, end = e;
    char chk = 0;
    if (n == nl + 6 && all_digits(t + nl, 6))
        chk = bracket_check(ch, e, &bl);
    if (chk) {
        memcpy(v, t, n);
        v[n] = chk;
        n++;
        end = e + bl;
    } else if (n == nl + 7 && all_digits(t + nl, 6) &&
               (eg__is_digit((unsigned char)t[n - 1]) || t[n - 1] == 'A')) {
        memcpy(v, t, n);
    } else {
        return 0;
    }
    v[n] = '\0';
    if (!eg__check_hkid(v, n))
        return 0;
    eg_cand *c;
    uint32_t need = EG_CTX(HKID) | EG_CTX(IDCARD);
    eg__cand_add(ch, EG_T_hk_id, s, end, v, n, chk ? 0.9f : 0.5f,
                 chk ? EG_OPTIONAL(need) : need, 0.97f, &c);
    return 1;
}

static int try_macao(eg_chunk *ch, size_t s, size_t e, const char *t, size_t n)
{
    char v[9];
    size_t bl = 0, end = e;
    if (n == 7 && all_digits(t, 7)) {
        char chk = bracket_check(ch, e, &bl);
        if (!chk || chk == 'A')
            return 0;
        memcpy(v, t, 7);
        v[7] = chk;
        end = e + bl;
    } else if (n == 8 && all_digits(t, 8)) {
        memcpy(v, t, 8);
    } else {
        return 0;
    }
    v[8] = '\0';
    if (!eg__check_moid(v))
        return 0;
    eg__cand_add(ch, EG_T_mo_id, s, end, v, 8, 0.4f, EG_CTX(MOID), 0.85f, NULL);
    return bl > 0;
}

static int match_shape(const char *t, size_t n, const char *shape)
{
    /* shape: 'L' letter (no I/O), 'D' digit, 'A' letter or digit, other:
     * that character */
    if (strlen(shape) != n) /* before reading shape[n]: it may be short */
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        switch (shape[i]) {
        case 'L':
            if (!is_upper(c) || c == 'I' || c == 'O')
                return 0;
            break;
        case 'D':
            if (!eg__is_digit(c))
                return 0;
            break;
        default:
            if (c != (unsigned char)shape[i])
                return 0;
        }
    }
    return 1;
}

static int try_documents(eg_chunk *ch, size_t s, size_t e, const char *t,
                         size_t n)
{
    if ((n != 9 && n != 11) || !strchr("EGDSPKMHCW", t[0]))
        return 0;
    static const char *const passports[] = {
        "EDDDDDDDD", "ELDDDDDDD", "GDDDDDDDD", "DEDDDDDDD",
        "SEDDDDDDD", "PEDDDDDDD", "KDDDDDDDD", "MADDDDDDD"};
    static const char *const permits[] = {
        "HDDDDDDDD", "HDDDDDDDDDD", "MDDDDDDDD", "MDDDDDDDDDD",
        "CDDDDDDDD", "CLDDDDDDD",   "WDDDDDDDD"};
    for (size_t i = 0; i < EG_ARRAY_LEN(passports); i++)
        if (match_shape(t, n, passports[i])) {
            eg__cand_add(ch, EG_T_cn_passport, s, e, t, n, 0.4f,
                         EG_CTX(PASSPORT) | EG_CTX(IDCARD), 0.9f, NULL);
            return 1;
        }
    for (size_t i = 0; i < EG_ARRAY_LEN(permits); i++)
        if (match_shape(t, n, permits[i])) {
            eg__cand_add(ch, EG_T_cn_travel_permit, s, e, t, n, 0.4f,
                         EG_CTX(PERMIT), 0.9f, NULL);
            return 1;
        }
    return 0;
}

static int try_twid(eg_chunk *ch, size_t s, size_t e, const char *t, size_t n)
{
    if (n != 10 || !is_upper((unsigned char)t[0]) || !all_digits(t + 2, 8))
        return 0;
    char c1 = t[1];
    int citizen = c1 == '1' || c1 == '2' || c1 == '8' || c1 == '9';
    if (!citizen && !(c1 >= 'A' && c1 <= 'D'))
        return 0;
    if (!eg__check_twid(t))
        return 0;
    eg_cand *c;
    uint32_t need = EG_CTX(TWID) | EG_CTX(IDCARD);
    eg__cand_add(ch, EG_T_tw_id, s, e, t, n, citizen ? 0.85f : 0.4f,
                 citizen ? EG_OPTIONAL(need) : need, 0.97f, &c);
    return 1;
}

static int try_uscc(eg_chunk *ch, size_t s, size_t e, const char *t, size_t n)
{
    int org = 0;
    if (n != 18 || !eg__check_uscc(t, &org))
        return 0;
    if (!all_digits(t + 2, 6) || !uscc_region_ok(t + 2))
        return 0;
    return add_uscc(ch, s, e, t, n, org ? 0.95f : 0.8f);
}

static size_t detect_alnum(eg_chunk *ch, size_t s, size_t e)
{
    char t[32];
    size_t n = e - s;
    if (n >= sizeof t)
        return e;
    /* document numbers are written in capitals; a lower-case letter is far
     * more often a hex hash (c152449012): then only with a label */
    int lower = 0;
    for (size_t i = s; i < e; i++)
        lower |= ch->buf[i] >= 'a' && ch->buf[i] <= 'z';
    int bracket = e < ch->len && (ch->buf[e] == '(' || ch->buf[e] == 0xEF);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = ch->buf[s + i];
        t[i] = (char)((c >= 'a' && c <= 'z') ? c - 32 : c);
    }
    t[n] = '\0';
    /* a token may fit several shapes (E + letter + 7 digits is a passport
     * and, by checksum luck, an HKID): context picks one */
    if (try_uscc(ch, s, e, t, n))
        return e;
    if (lower && !bracket) {
        /* only document shapes (8 to 11 characters from a letter) can
         * still count, and only with a label: check the cheap part first */
        if (n < 8 || n > 11 || !((t[0] >= 'A' && t[0] <= 'Z')))
            return e;
        if (!eg__chunk_structured(ch) &&
            !(eg__text_context(ch, s) &
              (EG_CTX(IDCARD) | EG_CTX(TWID) | EG_CTX(HKID) | EG_CTX(PASSPORT) |
               EG_CTX(PERMIT))))
            return e;
    }
    try_hkid(ch, s, e, t, n);
    try_twid(ch, s, e, t, n);
    try_documents(ch, s, e, t, n);
    return e;
}

/* ------------------------------------------------------------ dispatch */

/* A date is a date of birth only with a label or a column saying so: in
 * text, a birth-date label shortly before or a tab-separated table; in
 * structured inputs the key decides later.  Checked before parsing,
 * because every log line starts with a date. */
static int date_context_possible(eg_chunk *ch, size_t p)
{
    if (eg__chunk_structured(ch))
        return 1;
    if (eg__label_near(ch, p, 48, EG_CTX(DOB)))
        return 1;
    return eg__line_has_tab(ch, p);
}

/* Six hex pairs joined by hyphens at p. */
static int hyphen_mac_at(const unsigned char *p, size_t avail)
{
    if (avail < 17)
        return 0;
    for (size_t i = 0; i < 17; i++)
        if (i % 3 == 2 ? p[i] != '-' : !is_hex(p[i]))
            return 0;
    return 1;
}

/* Can a short digit run (at most 5 digits, no letters around it) start a
 * value?  Most digit runs are short numbers in logs and tables (status
 * codes, prices, times): this decides in a few comparisons, so that only
 * plausible starts pay for the full analysis. */
int eg__short_run_may_matter(eg_chunk *ch, size_t p, size_t e)
{
    const unsigned char *b = ch->buf;
    size_t n = e - p, len = ch->len;
    unsigned char next = e < len ? b[e] : 0;
    switch (next) {
    case '.':
        if (n == 4)
            return date_context_possible(ch, p);
        /* 10:05:48.641 is a time of day, not an address */
        if (n > 3 || (p > 1 && b[p - 1] == ':' && eg__is_digit(b[p - 2])))
            return 0;
        {
            /* an IPv4 address has three dots, a coordinate 4+ decimals;
             * a price (61.05) or a version (2.16) has neither */
            size_t q = e + 1, dots = 1, ndig = 0;
            while (q < len && q - e < 16) {
                if (eg__is_digit(b[q]))
                    ndig++;
                else if (b[q] == '.' && q + 1 < len && eg__is_digit(b[q + 1]))
                    dots++;
                else
                    break;
                q++;
            }
            return dots == 3 || (dots == 1 && ndig >= 4);
        }
    case ':': {
        /* IPv6 needs "::" or 7 colons; times (10:05:05) have neither */
        size_t q = e, colons = 0, dbl = 0;
        while (q < len && q - e < 40 && (is_hex(b[q]) || b[q] == ':')) {
            if (b[q] == ':') {
                colons++;
                dbl |= q + 1 < len && b[q + 1] == ':';
            }
            q++;
        }
        return dbl || colons >= 5;
    }
    case '-':
    case ' ': {
        if (e + 1 >= len || !eg__is_digit(b[e + 1]))
            return 0;
        size_t q = e + 1;
        while (q < len && eg__is_digit(b[q]) && q - e < 10)
            q++;
        size_t n2 = q - e - 1;
        if (n == 4 && next == '-' && n2 <= 2)
            return date_context_possible(ch, p);
        /* a MAC address of digits only: "93-98-55-86-04-16" */
        if (n == 2 && next == '-' && hyphen_mac_at(b + p, len - p))
            return 1;
        /* a country code before a 2-digit area code: "+86 10 6234 5678" */
        if ((n == 2 && !memcmp(b + p, "86", 2)) ||
            (n == 4 && !memcmp(b + p, "0086", 4)))
            return n2 >= 2;
        if (n2 < 3)
            return 0;
        if (n == 3)
            return b[p] == '1' || b[p] == '0';
        if (n == 4)
            return b[p] == '0' || n2 == 4 || b[p] == '0';
        return 0;
    }
    case '/':
        return n == 4 && date_context_possible(ch, p);
    case ')':
        return n >= 3 && b[p] == '0';
    case 0xEF: /* ） after a bracketed area code */
        return n >= 3 && b[p] == '0' && at_utf8(ch, e, "\xEF\xBC\x89");
    case 0xE5:
    case 0xE6:
    case 0xE7:
        /* 年 after a year; 号, 弄, 组 after a house number */
        return (n == 4 && at_utf8(ch, e, U_NIAN) &&
                date_context_possible(ch, p)) ||
               at_utf8(ch, e, U_HAO) || at_utf8(ch, e, U_NONG) ||
               at_utf8(ch, e, U_ZU);
    case 0xE8: /* 號 (Traditional) */
        return at_utf8(ch, e, U_HAO_T);
    default:
        return 0;
    }
}

/* A token starting right after a JSON or C escape ("tab\t13800138000",
 * "\u4e0913800138000") starts after the escape. */
static size_t skip_escape(const unsigned char *b, size_t s, size_t e)
{
    if (s == 0 || b[s - 1] != '\\' || s >= e)
        return s;
    if (strchr("ntrbf", b[s]))
        return s + 1;
    if (b[s] == 'u' && s + 5 <= e && is_hex(b[s + 1]) && is_hex(b[s + 2]) &&
        is_hex(b[s + 3]) && is_hex(b[s + 4]))
        return s + 5;
    return s;
}

size_t eg__detect_digits(eg_chunk *ch, size_t p)
{
    const unsigned char *b = ch->buf;
    size_t len = ch->len, s = p, e = p;
    {
        size_t q = p;
        while (q < len && eg__is_digit(b[q]))
            q++;
        if (q - p <= 5 && (p == 0 || !eg__is_alnum(b[p - 1])) &&
            (q >= len || !eg__is_alnum(b[q])) &&
            !(p > 1 && (b[p - 1] == ':' || b[p - 1] == '-') &&
              (b[p - 2] == ':' ||
               (is_hex(b[p - 2]) && !eg__is_digit(b[p - 2])))) &&
            !eg__short_run_may_matter(ch, p, q))
            return q;
    }
    while (s > 0 && eg__is_alnum(b[s - 1]))
        s--;
    while (e < len && eg__is_alnum(b[e]))
        e++;
    s = skip_escape(b, s, e);
    if (s >= e)
        return e;
    size_t nd = 0;
    for (size_t i = s; i < e; i++)
        nd += eg__is_digit(b[i]);
    unsigned char next = e < len ? b[e] : 0;
    size_t tl = e - s;

    /* hex with colons: MAC or IPv6 (checked before anything numeric) */
    if ((next == ':' || next == '-' ||
         (s > 0 && (b[s - 1] == ':' || b[s - 1] == '-'))) &&
        tl <= 4) {
        size_t hs = s;
        while (hs > 0 && s - hs < 15 &&
               (is_hex(b[hs - 1]) || b[hs - 1] == ':' || b[hs - 1] == '-'))
            hs--;
        for (size_t q = hs; q <= s; q++) {
            size_t m = try_mac(ch, q);
            if (m)
                return m;
        }
    }
    if (next == ':' || (s > 0 && b[s - 1] == ':')) {
        size_t v6 = try_ipv6(ch, s);
        if (v6)
            return v6;
    }
    if (nd == tl || (nd == tl - 1 && (b[e - 1] | 0x20) == 'x')) {
        if (s > 0 && (b[s - 1] == '.' || b[s - 1] == '_'))
            return e; /* tail of a version or identifier */
        if (next == '.' && e + 1 < len && eg__is_digit(b[e + 1]))
            return detect_dotted(ch, s);
        if (next == '(' || (next == 0xEF && e + 2 < len && b[e + 1] == 0xBC &&
                            b[e + 2] == 0x88))
            if (try_macao(ch, s, e, (const char *)b + s, tl))
                return e;
        if ((at_utf8(ch, e, U_HAO) || at_utf8(ch, e, U_NONG) ||
             at_utf8(ch, e, U_ZU) || at_utf8(ch, e, U_HAO_T) ||
             at_utf8(ch, e, U_ZU_T)) &&
            s >= 3 && eg__is_han(b + s - 3, 3))
            return eg__detect_address(ch, s, e);
        if (tl == 4 || tl == 8) {
            int y, m, d;
            size_t dl = parse_date(ch, s, &y, &m, &d);
            if (dl && add_birth_date(ch, s, dl, y, m, d) && tl == 4)
                return s + dl;
        }
        if (tl == 7 || tl == 8)
            try_macao(ch, s, e, (const char *)b + s, tl);
        /* never resume inside this token: a run of more than MAX_DIGITS
         * digits stops collect_groups() early, and resuming there made
         * every digit of a long run re-scan the run (quadratic) */
        size_t r = detect_number_groups(ch, s);
        return r > e ? r : e;
    }
    if (next == '.' && tl < 12) {
        /* "v6.18.22.106", "build5.1": a version; skip the dotted run */
        while (e < len && (eg__is_alnum(b[e]) || b[e] == '.'))
            e++;
        return e;
    }
    return detect_alnum(ch, s, e);
}

/* Full-width digits (and Ｘ): decode, then classify as one group. */
size_t eg__detect_fullwidth(eg_chunk *ch, size_t p)
{
    const unsigned char *b = ch->buf;
    char v[MAX_DIGITS + 1];
    size_t n = 0, q = p;
    while (q + 3 <= ch->len && n < MAX_DIGITS && b[q] == 0xEF &&
           b[q + 1] == 0xBC && b[q + 2] >= 0x90 && b[q + 2] <= 0x99) {
        v[n++] = (char)('0' + b[q + 2] - 0x90);
        q += 3;
    }
    if (n == 0)
        return p + 1;
    if (q + 3 <= ch->len && b[q] == 0xEF && b[q + 1] == 0xBC &&
        (b[q + 2] == 0xB8)) /* Ｘ */
        v[n++] = 'X', q += 3;
    else if (q < ch->len && (b[q] == 'X' || b[q] == 'x'))
        v[n++] = 'X', q++;
    v[n] = '\0';
    if (p >= 3 && b[p - 3] == 0xEF && b[p - 2] == 0xBC && b[p - 1] >= 0x90 &&
        b[p - 1] <= 0x99)
        return q; /* middle of a run */
    if ((p > 0 && eg__is_digit(b[p - 1])) ||
        (q < ch->len && eg__is_digit(b[q])))
        return q; /* part of a longer run written in mixed widths */
    digits g;
    memset(&g, 0, sizeof g);
    memcpy(g.d, v, n + 1);
    g.n = n;
    g.ng = 1;
    g.glen[0] = n;
    g.gstart[0] = p;
    g.gend[0] = q;
    classify_groups(ch, &g, 0);
    return q;
}
