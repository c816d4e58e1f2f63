/*
 * mask_keys.c: the table of JSON member paths that the `drop` operator's
 * census fills and the rewrite pass reads (which keys go whole).
 *
 * A path is the member names from the record's root, '/'-separated, with
 * arrays transparent: `{"user":{"phones":["138..."]}}` gives
 * `/user/phones` for the strings in the array, whatever their index and
 * whether the records are JSON Lines or the elements of a top-level array.
 * Names are kept as written (JSON escapes not decoded): both passes see
 * the same bytes, and the report shows them as the file has them.
 *
 * Open addressing with linear probing, FNV-1a; at most EG_KEYS_MAX paths
 * (a document with more distinct paths is no table: the census says so and
 * no key is dropped).
 */
#include "protect/mask_int.h"

#include <string.h>

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static eg_key_stat *slot(eg_key_stat *v, size_t cap, const char *p, size_t n)
{
    size_t i = (size_t)fnv1a(p, n) & (cap - 1);
    while (v[i].path && !(v[i].len == n && !memcmp(v[i].path, p, n)))
        i = (i + 1) & (cap - 1);
    return &v[i];
}

static int grow(eg_key_census *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    eg_key_stat *v = eg__calloc(cap, sizeof *v);
    if (!v)
        return EG_ENOMEM;
    for (size_t i = 0; i < c->cap; i++)
        if (c->v[i].path)
            *slot(v, cap, c->v[i].path, c->v[i].len) = c->v[i];
    eg__free(c->v);
    c->v = v;
    c->cap = cap;
    return EG_OK;
}

eg_key_stat *eg__keys_find(const eg_key_census *c, const char *p, size_t n)
{
    if (!c || !c->cap)
        return NULL;
    eg_key_stat *s = slot(c->v, c->cap, p, n);
    return s->path ? s : NULL;
}

int eg__keys_add(eg_key_census *c, const char *p, size_t n, eg_key_stat **out)
{
    *out = NULL;
    eg_key_stat *s = eg__keys_find(c, p, n);
    if (s) {
        *out = s;
        return EG_OK;
    }
    if (c->n >= EG_KEYS_MAX) {
        c->full = 1;
        return EG_OK;
    }
    if ((c->n + 1) * 2 > c->cap && grow(c) != EG_OK)
        return EG_ENOMEM;
    s = slot(c->v, c->cap, p, n);
    if (!(s->path = eg__malloc(n + 1)))
        return EG_ENOMEM;
    memcpy(s->path, p, n);
    s->path[n] = '\0';
    s->len = (uint32_t)n;
    c->n++;
    *out = s;
    return EG_OK;
}

size_t eg__keys_choose(eg_key_census *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->cap; i++) {
        eg_key_stat *s = &c->v[i];
        s->drop = s->path && !c->full && s->dropped > 0 && s->other == 0;
        k += s->drop;
    }
    return k;
}

void eg__keys_free(eg_key_census *c)
{
    for (size_t i = 0; i < c->cap; i++)
        eg__free(c->v[i].path);
    eg__free(c->v);
    memset(c, 0, sizeof *c);
}
