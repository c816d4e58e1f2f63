/*
 * state_sketch.c: bottom-k ("k minimum values") sketches, the estimation
 * mode of eg_state above its exact budget.
 *
 * Why bottom-k rather than HyperLogLog registers: the k items with the
 * smallest hashes are a uniform sample of the distinct items, so a count
 * can be restricted at query time by any predicate over the items'
 * attributes (sensitive, under 14 on an --as-of date chosen after the scan,
 * key type) and two sketches merge exactly (the union's k smallest are in
 * the union of both samples).  The estimate of the distinct count is
 * (k-1)/U_k with U_k the k-th smallest hash scaled to (0,1]; its relative
 * standard error is about 1/sqrt(k-2) (Beyer et al., SIGMOD 2007).
 *
 * The sample lives in an open-addressing table so that a repeated item is
 * found and its attributes OR-merged; when the table holds 2k items the k
 * smallest are kept and the threshold drops to the smallest discarded hash.
 * Memory is fixed: 4k slots of 16 bytes.
 */
#include "state/state_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int eg__sketch_init(eg__sketch *s, uint32_t k, eg_error *err)
{
    memset(s, 0, sizeof *s);
    size_t cap = 16;
    while (cap < (size_t)k * 4)
        cap <<= 1;
    s->tab = eg__calloc(cap, sizeof *s->tab);
    if (!s->tab)
        return eg__fail(err, EG_ENOMEM, "out of memory for a sketch");
    s->k = k;
    s->cap = cap;
    s->threshold = UINT64_MAX;
    return EG_OK;
}

void eg__sketch_free(eg__sketch *s)
{
    eg__free(s->tab);
    memset(s, 0, sizeof *s);
}

static size_t slot_of(const eg__sketch *s, uint64_t h)
{
    return (size_t)(h * 0x9E3779B97F4A7C15ull >> 20) & (s->cap - 1);
}

/* Place an item known to be absent. */
static void place(eg__sketch *s, const eg__sk_entry *e)
{
    size_t i = slot_of(s, e->h);
    while (s->tab[i].h != 0)
        i = (i + 1) & (s->cap - 1);
    s->tab[i] = *e;
    s->n++;
}

static int cmp_entry(const void *a, const void *b)
{
    uint64_t x = ((const eg__sk_entry *)a)->h;
    uint64_t y = ((const eg__sk_entry *)b)->h;
    return x < y ? -1 : x > y;
}

/* Collect the items below the threshold into a new sorted array. */
static int collect(const eg__sketch *s, size_t extra, eg__sk_entry **out,
                   size_t *n)
{
    eg__sk_entry *v = eg__malloc((s->n + extra + 1) * sizeof *v);
    if (!v)
        return EG_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (s->tab[i].h != 0 && s->tab[i].h < s->threshold)
            v[m++] = s->tab[i];
    *out = v;
    *n = m;
    return EG_OK;
}

/* Keep the k smallest items; the threshold becomes the smallest dropped. */
static int prune(eg__sketch *s, eg_error *err)
{
    eg__sk_entry *v;
    size_t m;
    if (collect(s, 0, &v, &m) != EG_OK)
        return eg__fail(err, EG_ENOMEM, "out of memory pruning a sketch");
    qsort(v, m, sizeof *v, cmp_entry);
    if (m > s->k) {
        s->threshold = v[s->k].h;
        s->saturated = 1;
        m = s->k;
    }
    memset(s->tab, 0, s->cap * sizeof *s->tab);
    s->n = 0;
    for (size_t i = 0; i < m; i++)
        place(s, &v[i]);
    eg__free(v);
    return EG_OK;
}

int eg__sketch_add(eg__sketch *s, uint64_t h, uint16_t type, uint16_t flags,
                   uint32_t birth, eg_error *err)
{
    if (h == 0)
        h = 1; /* 0 marks an empty slot; the bias is 2^-64 */
    if (h >= s->threshold)
        return EG_OK;
    size_t i = slot_of(s, h);
    while (s->tab[i].h != 0) {
        if (s->tab[i].h == h) {
            s->tab[i].flags |= flags;
            if (!s->tab[i].birth)
                s->tab[i].birth = birth;
            return EG_OK;
        }
        i = (i + 1) & (s->cap - 1);
    }
    eg__sk_entry e = {h, type, flags, birth};
    s->tab[i] = e;
    s->n++;
    if (s->n >= (size_t)s->k * 2)
        return prune(s, err);
    return EG_OK;
}

void eg__sketch_clip(eg__sketch *s, uint64_t t, int saturated)
{
    if (saturated)
        s->saturated = 1;
    if (t >= s->threshold)
        return;
    s->threshold = t;
    /* Entries at or above t are ignored by collect() and the next prune;
     * rebuilding now keeps n honest. */
    eg__sk_entry *v;
    size_t m;
    if (collect(s, 0, &v, &m) != EG_OK) {
        /* Without memory the stale entries stay; collect() filters them. */
        return;
    }
    memset(s->tab, 0, s->cap * sizeof *s->tab);
    s->n = 0;
    for (size_t i = 0; i < m; i++)
        place(s, &v[i]);
    eg__free(v);
}

int eg__sketch_snapshot(const eg__sketch *s, const eg__sk_entry *extra,
                        eg__sk_entry **out, size_t *n, uint64_t *thr, int *sat,
                        eg_error *err)
{
    eg__sk_entry *v;
    size_t m;
    if (collect(s, 1, &v, &m) != EG_OK)
        return eg__fail(err, EG_ENOMEM, "out of memory reading a sketch");
    if (extra && extra->h < s->threshold) {
        size_t j = 0;
        while (j < m && v[j].h != extra->h)
            j++;
        if (j < m) {
            v[j].flags |= extra->flags;
            if (!v[j].birth)
                v[j].birth = extra->birth;
        } else {
            v[m++] = *extra;
        }
    }
    qsort(v, m, sizeof *v, cmp_entry);
    if (thr)
        *thr = m > s->k ? v[s->k].h : s->threshold;
    if (sat)
        *sat = s->saturated || m > s->k;
    if (m > s->k)
        m = s->k;
    *out = v;
    *n = m;
    return EG_OK;
}

eg__sketch_est eg__sketch_estimate(const eg__sketch *s, size_t n,
                                   const eg__sk_entry *sorted, size_t subset)
{
    eg__sketch_est r = {subset, 0};
    /* Below k items (never pruned, or pending item only) the sample is the
     * whole set: no sampling error. */
    if (!s->saturated && n < s->k)
        return r;
    if (n < 2)
        return r;
    double k = (double)n;
    double u = ((double)sorted[n - 1].h + 1.0) / 18446744073709551616.0;
    double total = (k - 1.0) / u;
    double f = (double)subset / k;
    double fv = f > 1.0 / k ? f : 1.0 / k;
    double rse2 = fv * fv / (k > 2 ? k - 2.0 : 1.0) + fv * (1.0 - fv) / k;
    r.value = (uint64_t)llround(total * f);
    r.error = (uint64_t)ceil(3.0 * total * sqrt(rse2));
    return r;
}
