/*
 * match.c: build and run the Vectorscan database of match.h.
 *
 * Patterns are byte-level (no HS_FLAG_UTF8: its results on invalid UTF-8
 * are undefined, and inputs are hostile), literals escaped as \xHH so any
 * label word is safe.  The pattern id carries the hit kind in its high
 * bits and the label index (or a literal's byte length) in its low bits.
 * ASCII labels are matched caselessly and then held to word boundaries in
 * the callback, so "tel" does not fire inside "hotel".
 */
#include "match/match.h"

#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eg_matcher {
    hs_database_t *db;
    const eg_context *ctx;
    unsigned char *ascii_len; /* per label: byte length if ASCII, else 0 */
    size_t nlabels;
};

struct eg_match_scratch {
    hs_scratch_t *hs;
    eg_hit *hits;
    size_t nhits, cap;
    int oom;
    const unsigned char *buf;
    size_t len;
    const eg_matcher *m;
};

typedef struct pattern_list {
    char **expr;
    unsigned *ids;
    unsigned *flags;
    size_t n, cap;
} pattern_list;

static int add_pattern(pattern_list *l, char *expr, unsigned id, unsigned flags)
{
    if (!expr)
        return EG_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 128;
        char **e = eg__realloc(l->expr, cap * sizeof *e);
        if (e)
            l->expr = e;
        unsigned *i = eg__realloc(l->ids, cap * sizeof *i);
        if (i)
            l->ids = i;
        unsigned *f = eg__realloc(l->flags, cap * sizeof *f);
        if (f)
            l->flags = f;
        if (!e || !i || !f) {
            eg__free(expr);
            return EG_ENOMEM;
        }
        l->cap = cap;
    }
    l->expr[l->n] = expr;
    l->ids[l->n] = id;
    l->flags[l->n] = flags;
    l->n++;
    return EG_OK;
}

static char *escape_literal(const char *s)
{
    size_t n = strlen(s);
    char *out = eg__malloc(4 * n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(out + 4 * i, 5, "\\x%02x", (unsigned char)s[i]);
    out[4 * n] = '\0';
    return out;
}

static unsigned make_id(eg_hit_kind kind, unsigned sub)
{
    return ((unsigned)kind << 16) | (sub & 0xFFFF);
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

static int add_literal(pattern_list *l, const char *word, eg_hit_kind kind,
                       unsigned sub, unsigned flags)
{
    return add_pattern(l, escape_literal(word), make_id(kind, sub), flags);
}

static const char *const marks[] = {
    "商业秘密",     "核心商密", "普通商密", "内部资料 注意保存", "内部资料",
    "工作秘密",     "公司机密", "限制分发", "仅供内部使用",      "内部文件",
    "CONFIDENTIAL", "内部資料", "商業秘密"};

static int build_patterns(pattern_list *l, eg_matcher *m)
{
    int rc = EG_OK;
    for (size_t i = 0; i < m->nlabels && rc == EG_OK; i++) {
        const char *w = eg__context_label_word(m->ctx, i);
        rc = add_literal(l, w, EG_HIT_LABEL, (unsigned)i,
                         is_ascii(w) ? HS_FLAG_CASELESS : 0);
    }
    if (rc == EG_OK)
        rc = add_pattern(l,
                         eg__strdup("(?:京|津|沪|渝|冀|豫|云|辽|黑|湘|皖|鲁|"
                                    "新|苏|浙|赣|鄂|桂|甘|晋|蒙|陕|吉|闽|贵|"
                                    "粤|青|藏|川|宁|琼)[A-HJ-NP-Z]"),
                         make_id(EG_HIT_PLATE, 0), 0);
    if (rc == EG_OK)
        rc = add_pattern(l, eg__strdup("(?:绝密|机密|秘密) {0,2}(?:★|☆)"),
                         make_id(EG_HIT_SECRET, 0), 0);
    for (size_t i = 0; i < EG_ARRAY_LEN(marks) && rc == EG_OK; i++)
        rc = add_literal(l, marks[i], EG_HIT_MARK, (unsigned)strlen(marks[i]),
                         0);
    if (rc == EG_OK)
        rc = add_literal(l, "-----BEGIN ", EG_HIT_PEM, 0, 0);
    for (size_t i = 0; i < eg__token_shape_count() && rc == EG_OK; i++)
        rc = add_literal(l, eg__token_shape_prefix(i), EG_HIT_TOKEN,
                         (unsigned)i, 0);
    if (rc == EG_OK)
        rc = add_pattern(l, eg__strdup("先生|女士|小姐"),
                         make_id(EG_HIT_HONORIFIC, 0), 0);
    return rc;
}

static void free_patterns(pattern_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        eg__free(l->expr[i]);
    eg__free(l->expr);
    eg__free(l->ids);
    eg__free(l->flags);
}

int eg__matcher_new(eg_matcher **out, const eg_context *ctx, eg_error *err)
{
    *out = NULL;
    eg_matcher *m = eg__calloc(1, sizeof *m);
    if (!m)
        return eg__fail(err, EG_ENOMEM, "out of memory compiling patterns");
    m->ctx = ctx;
    m->nlabels = eg__context_label_count(ctx);
    m->ascii_len = eg__calloc(m->nlabels + 1, 1);
    pattern_list l = {0};
    int rc = m->ascii_len ? build_patterns(&l, m) : EG_ENOMEM;
    for (size_t i = 0; rc == EG_OK && i < m->nlabels; i++) {
        const char *w = eg__context_label_word(ctx, i);
        size_t n = strlen(w);
        m->ascii_len[i] = is_ascii(w) && n < 255 ? (unsigned char)n : 0;
    }
    if (rc != EG_OK) {
        free_patterns(&l);
        eg__matcher_free(m);
        return eg__fail(err, EG_ENOMEM, "out of memory compiling patterns");
    }
    hs_compile_error_t *cerr = NULL;
    hs_error_t hr =
        hs_compile_multi((const char *const *)l.expr, l.flags, l.ids,
                         (unsigned)l.n, HS_MODE_BLOCK, NULL, &m->db, &cerr);
    if (hr != HS_SUCCESS) {
        rc = eg__fail(err, EG_ERROR,
                      "pattern compilation failed (pattern %d): %s",
                      cerr ? cerr->expression : -1,
                      cerr ? cerr->message : "unknown error");
        hs_free_compile_error(cerr);
        free_patterns(&l);
        eg__matcher_free(m);
        return rc;
    }
    free_patterns(&l);
    *out = m;
    return EG_OK;
}

void eg__matcher_free(eg_matcher *m)
{
    if (!m)
        return;
    hs_free_database(m->db);
    eg__free(m->ascii_len);
    eg__free(m);
}

int eg__match_scratch_new(eg_match_scratch **out, const eg_matcher *m,
                          eg_error *err)
{
    *out = NULL;
    eg_match_scratch *s = eg__calloc(1, sizeof *s);
    if (!s)
        return eg__fail(err, EG_ENOMEM, "out of memory for scratch");
    if (hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS) {
        eg__free(s);
        return eg__fail(err, EG_ENOMEM, "cannot allocate match scratch");
    }
    *out = s;
    return EG_OK;
}

void eg__match_scratch_free(eg_match_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    eg__free(s->hits);
    eg__free(s);
}

static int word_boundaries(const eg_match_scratch *s, size_t start, size_t end)
{
    const unsigned char *b = s->buf;
    if (start > 0 && (eg__is_alnum(b[start - 1])))
        return 0;
    return end >= s->len || !eg__is_alnum(b[end]);
}

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    eg_match_scratch *s = ctx;
    unsigned kind = id >> 16, sub = id & 0xFFFF;
    if (kind == EG_HIT_LABEL && s->m->ascii_len[sub] &&
        !word_boundaries(s, (size_t)to - s->m->ascii_len[sub], (size_t)to))
        return 0;
    if (s->nhits == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        eg_hit *h = eg__realloc(s->hits, cap * sizeof *h);
        if (!h) {
            s->oom = 1;
            return 1; /* stop the scan */
        }
        s->hits = h;
        s->cap = cap;
    }
    eg_hit *h = &s->hits[s->nhits++];
    h->end = (uint32_t)to;
    h->kind = (uint16_t)kind;
    h->id = (uint16_t)sub;
    return 0;
}

static int cmp_hit(const void *a, const void *b)
{
    const eg_hit *x = a, *y = b;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

static int sorted(const eg_hit *h, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (h[i].end < h[i - 1].end)
            return 0;
    return 1;
}

int eg__matcher_scan(const eg_matcher *m, eg_match_scratch *s,
                     const unsigned char *buf, size_t len, const eg_hit **hits,
                     size_t *nhits, eg_error *err)
{
    s->nhits = 0;
    s->oom = 0;
    s->buf = buf;
    s->len = len;
    s->m = m;
    *hits = NULL;
    *nhits = 0;
    if (len > 0xFFFFFFFFu)
        return eg__fail(err, EG_ELIMIT, "chunk too large for the matcher");
    hs_error_t hr =
        hs_scan(m->db, (const char *)buf, (unsigned)len, 0, s->hs, on_match, s);
    if (s->oom)
        return eg__fail(err, EG_ENOMEM, "out of memory while matching");
    if (hr != HS_SUCCESS && hr != HS_SCAN_TERMINATED)
        return eg__fail(err, EG_ERROR, "matcher failed (code %d)", hr);
    if (!sorted(s->hits, s->nhits))
        qsort(s->hits, s->nhits, sizeof *s->hits, cmp_hit);
    *hits = s->hits;
    *nhits = s->nhits;
    return EG_OK;
}
