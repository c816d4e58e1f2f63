/*
 * op_generalize.c: the `generalize` operator (GB/T 37964 generalization):
 * replace a value by a coarser one that still serves analysis.
 *
 *   geo_coordinate  every number cut to `decimals` decimal places
 *                   (truncated, not rounded: rounding can carry into the
 *                   integer part and move a point across a boundary; 2
 *                   decimals is about 1 km)
 *   date_of_birth   the year ("1990"), or an age band at the as-of date
 *                   ("30-39", width band_years)
 *   cn_resident_id  region code and birth year, the rest masked:
 *                   "1101051949********" (length kept)
 *   cn_address      cut after the first city-level unit: 市, 州 (not
 *                   followed by 市, so 广州市 is cut after 市), 盟, 地区,
 *                   特别行政区; else a leading municipality (北京, 上海,
 *                   天津, 重庆) or the province (省, 自治区)
 *
 * The output is de-identified, still PI under PIPL Art 73: whether a data
 * set of generalized values is anonymous depends on the whole set
 * (k-anonymity: `egress risk`), not on one value.  A value the rule cannot
 * read (no year in a date, no city in an address) is refused with
 * EG_EINVAL and the caller falls back, typically to redact.
 */
#include "protect/operators_int.h"

#include <stdio.h>
#include <string.h>

int eg__op_generalize_supported(int type)
{
    return type == EG_T_geo_coordinate || type == EG_T_date_of_birth ||
           type == EG_T_cn_resident_id || type == EG_T_cn_address;
}

/* -------------------------------------------------------- coordinates */

static int generalize_geo(const eg_op_worker *w, const eg_op_settings *s,
                          const char *in, eg_buf *out)
{
    int decimals = s->decimals < 0 ? 0 : s->decimals;
    int in_fraction = 0, kept = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        int is_point = u->cp == '.' && i > 0 &&
                       w->units[i - 1].cls == EG_U_DIGIT && i + 1 < w->nunits &&
                       w->units[i + 1].cls == EG_U_DIGIT && !in_fraction;
        if (is_point) {
            in_fraction = 1;
            kept = 0;
            if (decimals == 0)
                continue;
        } else if (in_fraction && u->cls == EG_U_DIGIT) {
            if (kept++ >= decimals)
                continue;
        } else {
            in_fraction = 0;
        }
        int rc = eg__buf_append(out, in + u->off, u->len);
        if (rc != EG_OK)
            return rc;
    }
    return EG_OK;
}

/* ------------------------------------------------------ date of birth */

/* The digit groups of a value: runs of digits, as numbers. */
typedef struct groups {
    unsigned val[8];
    int len[8];
    int n;
} groups;

static void digit_groups(const eg_op_worker *w, groups *g)
{
    g->n = 0;
    int in = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        if (u->cls != EG_U_DIGIT) {
            in = 0;
            continue;
        }
        if (!in) {
            if (g->n == 8)
                return;
            g->val[g->n] = 0;
            g->len[g->n++] = 0;
            in = 1;
        }
        if (g->len[g->n - 1] < 9)
            g->val[g->n - 1] = g->val[g->n - 1] * 10 + u->val;
        g->len[g->n - 1]++;
    }
}

/* Year, month, day (month/day 0 when absent) of a written date. */
static int read_date(const eg_op_worker *w, int *y, int *m, int *d)
{
    groups g;
    digit_groups(w, &g);
    *y = *m = *d = 0;
    for (int i = 0; i < g.n; i++) {
        if (g.len[i] == 8) { /* 19900517 */
            *y = (int)(g.val[i] / 10000);
            *m = (int)(g.val[i] / 100 % 100);
            *d = (int)(g.val[i] % 100);
            break;
        }
        if (g.len[i] == 4) { /* 1990-05-17, 1990年5月17日 */
            *y = (int)g.val[i];
            if (i + 1 < g.n && g.len[i + 1] <= 2)
                *m = (int)g.val[i + 1];
            if (i + 2 < g.n && g.len[i + 2] <= 2)
                *d = (int)g.val[i + 2];
            break;
        }
    }
    if (*y < 1850 || *y > 2200)
        return 0;
    if (*m < 1 || *m > 12)
        *m = *d = 0;
    else if (*d && !eg__date_real(*y, *m, *d))
        *d = 0;
    return 1;
}

static int generalize_dob(const eg_op_worker *w, const eg_op_settings *s,
                          eg_buf *out, eg_error *err)
{
    int y, m, d;
    if (!read_date(w, &y, &m, &d))
        return eg__fail(err, EG_EINVAL,
                        "generalize: no birth year in a date_of_birth value");
    if (s->dob == EG_DOB_YEAR)
        return eg__buf_printf(out, "%04d", y);
    int as_of = eg__op_as_of(s);
    int age = as_of / 10000 - y;
    if (m && (as_of % 10000) < m * 100 + d)
        age--; /* birthday not reached yet (unknown month: year only) */
    if (age < 0)
        return eg__fail(err, EG_EINVAL,
                        "generalize: a date_of_birth after the as-of date");
    int band = s->band_years > 0 ? s->band_years : 10;
    int lo = age / band * band;
    return band == 1 ? eg__buf_printf(out, "%d", lo)
                     : eg__buf_printf(out, "%d-%d", lo, lo + band - 1);
}

/* --------------------------------------------------------- resident ID */

static int generalize_rid(const eg_op_worker *w, eg_buf *out, eg_error *err)
{
    char d[19];
    size_t n = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        if (u->cls == EG_U_SEP)
            continue;
        if (n == 18)
            return eg__fail(err, EG_EINVAL, "generalize: not a resident ID");
        d[n++] = u->cls == EG_U_DIGIT ? (char)('0' + u->val) : 'X';
    }
    d[n] = '\0';
    if ((n != 18 && n != 15) || strspn(d, "0123456789") < n - 1)
        return eg__fail(err, EG_EINVAL, "generalize: not a resident ID");
    char res[18];
    memcpy(res, d, 6);
    if (n == 18) {
        memcpy(res + 6, d + 6, 4);
    } else {
        memcpy(res + 6, "19", 2); /* legacy IDs: 19yy */
        memcpy(res + 8, d + 6, 2);
    }
    memset(res + 10, '*', n - 10);
    return eg__buf_append(out, res, n);
}

/* ------------------------------------------------------------ address */

static const char *find(const char *s, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, pat, m) == 0)
            return s + i;
    return NULL;
}

/* End of the earliest city-level unit, or NULL. */
static const char *city_end(const char *s, size_t n)
{
    static const char *const units[] = {"特别行政区", "市", "盟", "地区", "州"};
    const char *best = NULL, *best_end = NULL;
    for (size_t k = 0; k < EG_ARRAY_LEN(units); k++) {
        const char *from = s;
        const char *hit;
        while ((hit = find(from, n - (size_t)(from - s), units[k]))) {
            const char *end = hit + strlen(units[k]);
            /* 广州市: the 州 of a city name, the 市 after it ends it */
            if (strcmp(units[k], "州") == 0 && (size_t)(s + n - end) >= 3 &&
                memcmp(end, "市", 3) == 0) {
                from = end;
                continue;
            }
            if (!best || hit < best)
                best = hit, best_end = end;
            break;
        }
    }
    return best_end;
}

static const char *municipality_end(const char *s, size_t n)
{
    static const char *const cities[] = {"北京", "上海", "天津", "重庆"};
    const char *p = s;
    if (n >= 6 && memcmp(p, "中国", 6) == 0)
        p += 6;
    for (size_t k = 0; k < EG_ARRAY_LEN(cities); k++)
        if ((size_t)(s + n - p) >= 6 && memcmp(p, cities[k], 6) == 0)
            return p + 6;
    return NULL;
}

static int generalize_address(const char *in, size_t n, eg_buf *out,
                              eg_error *err)
{
    const char *end = city_end(in, n);
    if (!end)
        end = municipality_end(in, n);
    if (!end) {
        const char *prov = find(in, n, "省");
        const char *auto_region = find(in, n, "自治区");
        if (prov)
            end = prov + 3;
        else if (auto_region)
            end = auto_region + 9;
    }
    if (!end)
        return eg__fail(err, EG_EINVAL,
                        "generalize: no city or province in a cn_address "
                        "value");
    return eg__buf_append(out, in, (size_t)(end - in));
}

int eg__op_generalize(eg_op_worker *w, int type, const eg_op_settings *s,
                      const char *in, size_t n, eg_buf *out, eg_error *err)
{
    switch (type) {
    case EG_T_geo_coordinate:
        return generalize_geo(w, s, in, out);
    case EG_T_date_of_birth:
        return generalize_dob(w, s, out, err);
    case EG_T_cn_resident_id:
        return generalize_rid(w, out, err);
    case EG_T_cn_address:
        return generalize_address(in, n, out, err);
    default:
        return eg__fail(err, EG_EUNSUPPORTED, "generalize has no rule for %s",
                        eg_type_id(type));
    }
}
