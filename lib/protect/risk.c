/*
 * risk.c: `egress risk`: k-anonymity of a CSV/TSV file over the
 * quasi-identifier columns the user names.
 *
 * Rows with the same values in every quasi-identifier form an equivalence
 * class; the data is k-anonymous when every class has at least k rows.
 * The check reports the smallest class (the k the data reaches), how many
 * rows and classes fall below a threshold, the distribution of class
 * sizes, and the smallest classes with their values, since seeing which
 * combinations are rare is what lets a user generalize further.
 *
 * Memory: one hash map entry per class (a 128-bit hash of the
 * length-prefixed values, the count, the first row): 32 bytes a class,
 * whatever the file's size.  Values are not kept in the first pass; a
 * second pass re-reads the file and keeps the values of the listed
 * classes only (so standard input, which cannot be read twice, is
 * refused).
 *
 * Printing values is the purpose here (they are the quasi-identifiers of
 * the data the user is about to release), but never those of a column
 * whose header the engine's context table reads as a direct identifier
 * (name, ID, phone, card, e-mail...), nor any value the engine finds
 * personal information in: those are withheld.
 */
#include "detect/detect.h"
#include "protect/mask_int.h"
#include "scan/scan_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_K 5
#define DEFAULT_LISTED 20
#define MAX_HEADER_COLS 16384
#define MAX_QUASI 64
#define READ_CHUNK ((size_t)1 << 20)

/* Header kinds that make a column a direct identifier. */
#define DIRECT_KINDS                                                           \
    (EG_CTX(NAME) | EG_CTX(PASSPORT) | EG_CTX(PERMIT) | EG_CTX(PERMIT_TW) |    \
     EG_CTX(MOID) | EG_CTX(HKID) | EG_CTX(TWID) | EG_CTX(IMEI) |               \
     EG_CTX(PHONE) | EG_CTX(IDCARD) | EG_CTX(BANK) | EG_CTX(EMAIL))

typedef struct cls {
    uint64_t h1, h2; /* h1 == 0 && h2 == 0: empty slot */
    uint64_t count;
    uint64_t first_row;
} cls;

typedef struct listed {
    uint64_t h1, h2, count, first_row;
    char **values; /* one per quasi-identifier, NULL = withheld */
    int captured;
} listed;

struct eg_risk {
    char *path;
    size_t nq;
    char *qname[MAX_QUASI];
    int qcol[MAX_QUASI]; /* 0-based */
    int qdirect[MAX_QUASI];
    eg_risk_summary sum;
    uint64_t sizes[7]; /* 1, 2, 3, 4, 5-9, 10-99, 100+ */
    listed *list;
    size_t nlist;
};

/* ---------------------------------------------------------------- hashes */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static uint64_t hash_bytes(uint64_t h, const unsigned char *p, size_t n)
{
    const uint64_t m = 0x9E3779B97F4A7C15ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t k;
        memcpy(&k, p + i, 8);
        h = mix(h ^ (k * m));
    }
    uint64_t tail = 0;
    for (size_t j = 0; i + j < n; j++)
        tail |= (uint64_t)p[i + j] << (8 * j);
    return mix(h ^ (tail * m) ^ n);
}

/* ----------------------------------------------------------- class map */

typedef struct cmap {
    cls *v;
    size_t cap, n;
} cmap;

static int cmap_add(cmap *m, uint64_t h1, uint64_t h2, uint64_t row)
{
    if (!h1 && !h2)
        h1 = 1;
    if ((m->n + 1) * 4 >= m->cap * 3) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        cls *v = eg__calloc(cap, sizeof *v);
        if (!v)
            return EG_ENOMEM;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i].h1 && !m->v[i].h2)
                continue;
            size_t j = (size_t)m->v[i].h1 & (cap - 1);
            while (v[j].h1 || v[j].h2)
                j = (j + 1) & (cap - 1);
            v[j] = m->v[i];
        }
        eg__free(m->v);
        m->v = v;
        m->cap = cap;
    }
    size_t j = (size_t)h1 & (m->cap - 1);
    while (m->v[j].h1 || m->v[j].h2) {
        if (m->v[j].h1 == h1 && m->v[j].h2 == h2) {
            m->v[j].count++;
            return EG_OK;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->v[j] = (cls){h1, h2, 1, row};
    m->n++;
    return EG_OK;
}

/* ------------------------------------------------------------ CSV reader */

enum { F_START, F_UNQ, F_QUOTED, F_QUOTE_SEEN };
enum { MODE_HEADER, MODE_COUNT, MODE_CAPTURE };

/* A streaming RFC 4180 reader, lenient as structure_csv.c is (a quote in
 * an unquoted field is data, bytes after a closing quote join the field),
 * that keeps only the fields it is asked for. */
typedef struct rd {
    eg_risk *r;
    int mode;
    unsigned char delim;
    int state;
    int cr; /* a CR outside quotes, kept back: CRLF ends rows */
    uint32_t col;
    int row_has_bytes;
    int header_pending; /* the first row is a header not yet ended */
    uint64_t row;       /* data rows so far */
    eg_buf field;       /* the current field, when its column is wanted */
    int want;
    eg_buf val[MAX_QUASI]; /* values of the current row */
    uint8_t got[MAX_QUASI];
    char **names; /* MODE_HEADER: the header's fields */
    size_t nnames;
    cmap *map;         /* MODE_COUNT */
    size_t to_capture; /* MODE_CAPTURE */
} rd;

static int q_of_col(const rd *d, uint32_t col)
{
    for (size_t q = 0; q < d->r->nq; q++)
        if (d->r->qcol[q] == (int)col)
            return (int)q;
    return -1;
}

static void field_start(rd *d)
{
    d->field.len = 0;
    if (d->mode == MODE_HEADER)
        d->want = d->col < MAX_HEADER_COLS;
    else
        d->want = !d->header_pending && q_of_col(d, d->col) >= 0;
}

static int header_field(rd *d)
{
    char **v = eg__realloc(d->names, (d->nnames + 1) * sizeof *v);
    if (!v)
        return EG_ENOMEM;
    d->names = v;
    char *s = eg__malloc(d->field.len + 1);
    if (!s)
        return EG_ENOMEM;
    memcpy(s, d->field.data ? d->field.data : "", d->field.len);
    s[d->field.len] = '\0';
    d->names[d->nnames++] = s;
    return EG_OK;
}

static int field_end(rd *d)
{
    if (d->want && d->mode == MODE_HEADER) {
        if (header_field(d) != EG_OK)
            return EG_ENOMEM;
    } else if (d->want) {
        for (size_t q = 0; q < d->r->nq; q++)
            if (d->r->qcol[q] == (int)d->col) {
                d->val[q].len = 0;
                if (eg__buf_append(&d->val[q],
                                   d->field.data ? d->field.data : "",
                                   d->field.len) != EG_OK)
                    return EG_ENOMEM;
                d->got[q] = 1;
            }
    }
    d->col++;
    field_start(d);
    return EG_OK;
}

static void row_hash(const rd *d, uint64_t *h1, uint64_t *h2)
{
    uint64_t a = 0x243F6A8885A308D3ull, b = 0x13198A2E03707344ull;
    for (size_t q = 0; q < d->r->nq; q++) {
        size_t n = d->got[q] ? d->val[q].len : 0;
        const unsigned char *p =
            (const unsigned char *)(n ? d->val[q].data : "");
        uint64_t len = n;
        a = hash_bytes(a, (const unsigned char *)&len, sizeof len);
        a = hash_bytes(a, p, n);
        b = hash_bytes(b ^ 0xA5A5A5A5A5A5A5A5ull, p, n) + len;
    }
    *h1 = a;
    *h2 = mix(b);
}

static int capture(rd *d, listed *l)
{
    l->values = eg__calloc(d->r->nq, sizeof *l->values);
    if (!l->values)
        return EG_ENOMEM;
    for (size_t q = 0; q < d->r->nq; q++) {
        size_t n = d->got[q] ? d->val[q].len : 0;
        char *s = eg__malloc(n + 1);
        if (!s)
            return EG_ENOMEM;
        memcpy(s, n ? d->val[q].data : "", n);
        s[n] = '\0';
        l->values[q] = s;
    }
    l->captured = 1;
    return EG_OK;
}

static int row_end(rd *d)
{
    if (d->header_pending) {
        d->header_pending = 0;
        return d->mode == MODE_HEADER ? EG_ESTOPPED : EG_OK;
    }
    int short_row = 0;
    for (size_t q = 0; q < d->r->nq; q++)
        short_row |= !d->got[q];
    uint64_t h1, h2;
    row_hash(d, &h1, &h2);
    if (!h1 && !h2)
        h1 = 1;
    int rc = EG_OK;
    if (d->mode == MODE_COUNT) {
        d->r->sum.short_rows += (uint64_t)short_row;
        rc = cmap_add(d->map, h1, h2, d->row);
    } else {
        for (size_t i = 0; i < d->r->nlist && rc == EG_OK; i++) {
            listed *l = &d->r->list[i];
            if (!l->captured && l->h1 == h1 && l->h2 == h2 &&
                (rc = capture(d, l)) == EG_OK)
                d->to_capture--;
        }
        if (rc == EG_OK && d->to_capture == 0)
            rc = EG_ESTOPPED;
    }
    d->row++;
    return rc;
}

static int end_row(rd *d)
{
    int rc = field_end(d);
    if (rc == EG_OK && d->row_has_bytes)
        rc = row_end(d);
    d->col = 0;
    d->row_has_bytes = 0;
    memset(d->got, 0, sizeof d->got);
    d->state = F_START;
    field_start(d);
    return rc;
}

static int keep_byte(rd *d, unsigned char c)
{
    if (d->want && eg__buf_append(&d->field, &c, 1) != EG_OK)
        return EG_ENOMEM;
    return EG_OK;
}

static int feed_byte(rd *d, unsigned char c)
{
    if (d->state == F_QUOTED) {
        if (c == '"')
            d->state = F_QUOTE_SEEN;
        return c == '"' ? EG_OK : keep_byte(d, c);
    }
    if (d->cr) {
        d->cr = 0;
        if (c != '\n') { /* a lone CR is data */
            d->row_has_bytes = 1;
            if (d->state == F_START)
                d->state = F_UNQ;
            int rc = keep_byte(d, '\r');
            if (rc != EG_OK)
                return rc;
        }
    }
    if (c == '\r') {
        d->cr = 1;
        return EG_OK;
    }
    if (d->state == F_QUOTE_SEEN && c == '"') {
        d->state = F_QUOTED;
        return keep_byte(d, c);
    }
    if (c == '\n')
        return end_row(d);
    d->row_has_bytes = 1;
    if (c == d->delim) {
        int rc = field_end(d);
        d->state = F_START;
        return rc;
    }
    if (c == '"' && d->state == F_START) {
        d->state = F_QUOTED;
        return EG_OK;
    }
    if (d->state == F_START)
        d->state = F_UNQ;
    return keep_byte(d, c);
}

static int feed(rd *d, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = feed_byte(d, p[i]);
        if (rc != EG_OK)
            return rc;
    }
    return EG_OK;
}

/* Read the whole input (or until a mode is done) through `d`. */
static int read_csv(rd *d, const char *path, const eg_risk_options *o,
                    eg_error *err)
{
    eg_source_limits lim = {o->max_decompressed ? o->max_decompressed
                                                : (uint64_t)16 << 30,
                            o->max_ratio ? o->max_ratio : 1000,
                            EG_CHARSET_AUTO}; /* GBK exports read as text */
    eg_source *src = NULL;
    int rc = eg__source_open(&src, path, &lim, err);
    if (rc != EG_OK)
        return rc;
    unsigned char *buf = eg__malloc(READ_CHUNK);
    if (!buf)
        rc = EG_ENOMEM;
    int first = 1;
    field_start(d);
    while (rc == EG_OK) {
        size_t got = 0;
        rc = eg__source_read(src, buf, READ_CHUNK, &got, err);
        if (rc != EG_OK || got == 0)
            break;
        size_t skip = 0;
        if (first && got >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
            skip = 3;
        first = 0;
        rc = feed(d, buf + skip, got - skip);
    }
    if (rc == EG_OK && d->cr)
        rc = feed_byte(d, '\n');
    else if (rc == EG_OK && (d->row_has_bytes || d->col > 0))
        rc = end_row(d);
    if (rc == EG_ENOMEM)
        rc = eg__fail(err, rc, "out of memory");
    if (rc == EG_ESTOPPED)
        rc = EG_OK;
    eg__free(buf);
    eg__source_close(src);
    return rc;
}

/* ------------------------------------------------------------- columns */

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    char *t = eg__malloc(n + 1);
    if (t) {
        memcpy(t, s, n);
        t[n] = '\0';
    }
    return t;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Split opts->quasi into r->qname. */
static int parse_quasi(eg_risk *r, const char *list, eg_error *err)
{
    if (!list || !*list)
        return eg__fail(err, EG_EINVAL,
                        "no quasi-identifier columns given (--quasi)");
    const char *p = list;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (r->nq == MAX_QUASI)
            return eg__fail(err, EG_ELIMIT, "more than %d quasi-identifiers",
                            MAX_QUASI);
        char *t = trimmed(p, n);
        if (!t)
            return eg__fail(err, EG_ENOMEM, "out of memory");
        r->qname[r->nq++] = t;
        if (!*t)
            return eg__fail(err, EG_EINVAL, "an empty column in --quasi");
        p += n + (c ? 1 : 0);
        if (c && !*p)
            return eg__fail(err, EG_EINVAL, "an empty column in --quasi");
    }
    return EG_OK;
}

static int resolve_columns(eg_risk *r, const rd *d, const eg_engine *eng,
                           int header, eg_error *err)
{
    for (size_t q = 0; q < r->nq; q++) {
        int col = -1;
        if (header)
            for (size_t i = 0; i < d->nnames && col < 0; i++) {
                char *t = trimmed(d->names[i], strlen(d->names[i]));
                if (!t)
                    return eg__fail(err, EG_ENOMEM, "out of memory");
                if (!strcmp(t, r->qname[q]))
                    col = (int)i;
                eg__free(t);
            }
        if (col < 0 && all_digits(r->qname[q])) {
            long v = strtol(r->qname[q], NULL, 10);
            if (v >= 1 && v <= MAX_HEADER_COLS)
                col = (int)v - 1;
        }
        if (col < 0)
            return eg__fail(err, EG_EINVAL,
                            header ? "%s: no column '%s' in the header"
                                   : "%s: '%s' is not a column number (the "
                                     "file has no header)",
                            r->path, r->qname[q]);
        r->qcol[q] = col;
        if (header && (size_t)col < d->nnames) {
            /* show the header's name for a column given by number */
            char *t = trimmed(d->names[col], strlen(d->names[col]));
            if (!t)
                return eg__fail(err, EG_ENOMEM, "out of memory");
            r->qdirect[q] =
                (eg__context_key_kinds(eng->context, t) & DIRECT_KINDS) != 0;
            eg__free(r->qname[q]);
            r->qname[q] = t;
        }
    }
    return EG_OK;
}

/* ------------------------------------------------------------- results */

static int size_bucket(uint64_t n)
{
    return n <= 4 ? (int)n - 1 : n < 10 ? 4 : n < 100 ? 5 : 6;
}

static int cmp_listed(const void *a, const void *b)
{
    const listed *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    return x->first_row < y->first_row ? -1 : x->first_row > y->first_row;
}

static int summarize(eg_risk *r, const cmap *m, uint64_t k, size_t max_listed)
{
    eg_risk_summary *s = &r->sum;
    s->k = k;
    s->classes = m->n;
    size_t below = 0;
    for (size_t i = 0; i < m->cap; i++) {
        const cls *c = &m->v[i];
        if (!c->h1 && !c->h2)
            continue;
        if (!s->min_k || c->count < s->min_k)
            s->min_k = c->count;
        r->sizes[size_bucket(c->count)]++;
        if (c->count < k) {
            s->classes_below_k++;
            s->records_below_k += c->count;
            below++;
        }
    }
    if (!below)
        return EG_OK;
    listed *all = eg__calloc(below, sizeof *all);
    if (!all)
        return EG_ENOMEM;
    size_t j = 0;
    for (size_t i = 0; i < m->cap; i++) {
        const cls *c = &m->v[i];
        if ((c->h1 || c->h2) && c->count < k)
            all[j++] = (listed){c->h1, c->h2, c->count, c->first_row, NULL, 0};
    }
    qsort(all, below, sizeof *all, cmp_listed);
    r->nlist = below < max_listed ? below : max_listed;
    r->list = all; /* the tail past nlist is never read */
    s->listed = r->nlist;
    return EG_OK;
}

typedef struct withhold_ctx {
    const uint64_t *starts; /* value i occupies [starts[i], starts[i+1]) */
    size_t n;
    uint8_t *hit;
} withhold_ctx;

static int on_value_finding(const eg_finding *f, void *payload)
{
    withhold_ctx *w = payload;
    for (size_t i = 0; i < w->n; i++)
        if (f->start < w->starts[i + 1] && f->end > w->starts[i])
            w->hit[i] = 1;
    return 0;
}

/* Withhold direct-identifier columns and every value the engine finds
 * personal information in (scanned together, one value per paragraph). */
static int withhold(eg_risk *r, const eg_engine *eng, eg_error *err)
{
    size_t n = r->nlist * r->nq;
    if (!n)
        return EG_OK;
    eg_buf text = {0};
    uint64_t *starts = eg__calloc(n + 1, sizeof *starts);
    uint8_t *hit = eg__calloc(n, 1);
    int rc = starts && hit ? EG_OK : EG_ENOMEM;
    for (size_t i = 0; i < r->nlist && rc == EG_OK; i++)
        for (size_t q = 0; q < r->nq && rc == EG_OK; q++) {
            const char *v = r->list[i].values ? r->list[i].values[q] : NULL;
            starts[i * r->nq + q] = text.len;
            if (v && eg__buf_append(&text, v, strlen(v)) != EG_OK)
                rc = EG_ENOMEM;
            if (rc == EG_OK && eg__buf_append(&text, "\n\n", 2) != EG_OK)
                rc = EG_ENOMEM;
        }
    if (rc == EG_OK) {
        starts[n] = text.len;
        withhold_ctx w = {starts, n, hit};
        eg_sink sink = {on_value_finding, NULL, NULL, NULL};
        eg_scan_options so = EG_SCAN_OPTIONS_INIT;
        so.format = EG_FORMAT_TEXT;
        rc = eg_scan_buffer(eng, &so, "values", text.data ? text.data : "",
                            text.len, &sink, &w, err);
    } else {
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < r->nlist && rc == EG_OK; i++)
        for (size_t q = 0; q < r->nq; q++) {
            char **v = r->list[i].values ? &r->list[i].values[q] : NULL;
            if (v && *v && (r->qdirect[q] || hit[i * r->nq + q])) {
                eg__free(*v);
                *v = NULL;
            }
        }
    eg__buf_free(&text);
    eg__free(starts);
    eg__free(hit);
    return rc;
}

/* ------------------------------------------------------------- the API */

static void rd_free(rd *d)
{
    eg__buf_free(&d->field);
    for (size_t q = 0; q < MAX_QUASI; q++)
        eg__buf_free(&d->val[q]);
    for (size_t i = 0; i < d->nnames; i++)
        eg__free(d->names[i]);
    eg__free(d->names);
    memset(d, 0, sizeof *d);
}

static int choose_delim(const char *path, const eg_risk_options *o,
                        unsigned char *delim, eg_error *err)
{
    eg_format f = o->format;
    if (f == EG_FORMAT_AUTO) {
        eg_source *src = NULL;
        unsigned char head[8192];
        size_t n = 0;
        int rc = eg__source_open(&src, path, NULL, err);
        while (rc == EG_OK && n < sizeof head) {
            size_t got = 0;
            rc = eg__source_read(src, head + n, sizeof head - n, &got, err);
            if (got == 0)
                break;
            n += got;
        }
        eg__source_close(src);
        if (rc != EG_OK)
            return rc;
        f = eg__sniff_format(path, head, n);
        if (f == EG_FORMAT_TEXT)
            f = EG_FORMAT_CSV; /* what the user asks about is a table */
    }
    if (f != EG_FORMAT_CSV && f != EG_FORMAT_TSV)
        return eg__fail(err, EG_EFORMAT, "%s: is %s, not CSV or TSV", path,
                        eg_format_name(f));
    *delim = f == EG_FORMAT_TSV ? '\t' : ',';
    return EG_OK;
}

static int run_pass(eg_risk *r, int mode, unsigned char delim, const char *path,
                    const eg_risk_options *o, cmap *map, rd *keep_names,
                    eg_error *err)
{
    rd d;
    memset(&d, 0, sizeof d);
    d.r = r;
    d.mode = mode;
    d.delim = delim;
    d.header_pending = !o->no_header;
    d.map = map;
    d.to_capture = r->nlist;
    int rc = read_csv(&d, path, o, err);
    if (mode == MODE_COUNT)
        r->sum.records = d.row;
    if (keep_names) {
        *keep_names = d;
        d.names = NULL;
        d.nnames = 0;
    }
    rd_free(&d);
    return rc;
}

static int measure(eg_risk *r, const eg_engine *eng, const char *path,
                   const eg_risk_options *o, eg_error *err)
{
    unsigned char delim = ',';
    int rc = parse_quasi(r, o->quasi, err);
    if (rc == EG_OK)
        rc = choose_delim(path, o, &delim, err);
    rd header;
    memset(&header, 0, sizeof header);
    if (rc == EG_OK && !o->no_header)
        rc = run_pass(r, MODE_HEADER, delim, path, o, NULL, &header, err);
    if (rc == EG_OK)
        rc = resolve_columns(r, &header, eng, !o->no_header, err);
    for (size_t i = 0; i < header.nnames; i++)
        eg__free(header.names[i]);
    eg__free(header.names);
    if (rc != EG_OK)
        return rc;
    cmap map = {0};
    rc = run_pass(r, MODE_COUNT, delim, path, o, &map, NULL, err);
    r->sum.columns = r->nq;
    if (rc == EG_OK &&
        summarize(r, &map, o->k ? o->k : DEFAULT_K,
                  o->max_listed ? o->max_listed : DEFAULT_LISTED) != EG_OK)
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    eg__free(map.v);
    if (rc == EG_OK && r->nlist)
        rc = run_pass(r, MODE_CAPTURE, delim, path, o, NULL, NULL, err);
    if (rc == EG_OK)
        rc = withhold(r, eng, err);
    return rc;
}

int eg_risk_csv(eg_risk **out, const eg_engine *engine, const char *path,
                const eg_risk_options *opts, eg_error *err)
{
    eg__error_clear(err);
    if (!out || !engine || !path || !opts)
        return eg__fail(err, EG_EINVAL, "eg_risk_csv: NULL argument");
    *out = NULL;
    if (opts->version != EG_RISK_OPTIONS_VERSION)
        return eg__fail(err, EG_EINVAL, "unknown eg_risk_options version");
    if (!strcmp(path, "-"))
        return eg__fail(err, EG_EINVAL,
                        "risk reads its input twice: give a file, not "
                        "standard input");
    eg_risk *r = eg__calloc(1, sizeof *r);
    if (!r || !(r->path = eg__strdup(path))) {
        eg__free(r);
        return eg__fail(err, EG_ENOMEM, "out of memory");
    }
    int rc = measure(r, engine, path, opts, err);
    if (rc != EG_OK) {
        eg_risk_free(r);
        return rc;
    }
    *out = r;
    return EG_OK;
}

void eg_risk_free(eg_risk *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nlist; i++) {
        if (r->list[i].values)
            for (size_t q = 0; q < r->nq; q++)
                eg__free(r->list[i].values[q]);
        eg__free(r->list[i].values);
    }
    eg__free(r->list);
    for (size_t q = 0; q < r->nq; q++)
        eg__free(r->qname[q]);
    eg__free(r->path);
    eg__free(r);
}

void eg_risk_get_summary(const eg_risk *r, eg_risk_summary *out)
{
    if (r && out)
        *out = r->sum;
}

const char *eg_risk_column(const eg_risk *r, size_t i, int *column, int *direct)
{
    if (!r || i >= r->nq)
        return NULL;
    if (column)
        *column = r->qcol[i] + 1;
    if (direct)
        *direct = r->qdirect[i];
    return r->qname[i];
}

uint64_t eg_risk_listed(const eg_risk *r, size_t i, const char *const **values)
{
    if (!r || i >= r->nlist)
        return 0;
    if (values)
        *values = (const char *const *)r->list[i].values;
    return r->list[i].count;
}

/* ------------------------------------------------------------- writing */

static const char *const bucket_names[7] = {"1",   "2",     "3",   "4",
                                            "5-9", "10-99", "100+"};

/* Text output: control characters of a value shown as '?', so a value
 * cannot move the terminal's cursor or colour its output. */
static void put_text_value(eg_sbuf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char ch = c < 0x20 || c == 0x7f ? '?' : (char)c;
        eg__sb_append(b, &ch, 1);
    }
}

static void write_text(const eg_risk *r, eg_sbuf *b)
{
    const eg_risk_summary *s = &r->sum;
    eg__sb_puts(b, "file: ");
    put_text_value(b, r->path);
    eg__sb_printf(b, "\nrecords: %llu\nquasi-identifiers:",
                  (unsigned long long)s->records);
    for (size_t q = 0; q < r->nq; q++) {
        eg__sb_puts(b, q ? ", " : " ");
        put_text_value(b, r->qname[q]);
        eg__sb_printf(b, " (column %d%s)", r->qcol[q] + 1,
                      r->qdirect[q] ? ", direct identifier: values withheld"
                                    : "");
    }
    eg__sb_printf(
        b,
        "\nequivalence classes: %llu\nminimum k: %llu\n"
        "below k=%llu: %llu records (%.2f%%) in %llu classes\n",
        (unsigned long long)s->classes, (unsigned long long)s->min_k,
        (unsigned long long)s->k, (unsigned long long)s->records_below_k,
        s->records ? 100.0 * (double)s->records_below_k / (double)s->records
                   : 0.0,
        (unsigned long long)s->classes_below_k);
    if (s->short_rows)
        eg__sb_printf(b, "rows missing a quasi-identifier column: %llu\n",
                      (unsigned long long)s->short_rows);
    eg__sb_puts(b, "class sizes (size: classes):");
    int first = 1;
    for (int i = 0; i < 7; i++)
        if (r->sizes[i]) {
            eg__sb_printf(b, "%s %s: %llu", first ? "" : ",", bucket_names[i],
                          (unsigned long long)r->sizes[i]);
            first = 0;
        }
    eg__sb_puts(b, s->classes ? "\n" : " none\n");
    if (!r->nlist) {
        eg__sb_printf(b, "the data is %llu-anonymous over these columns\n",
                      (unsigned long long)s->min_k);
        return;
    }
    eg__sb_printf(b, "smallest classes (%zu of %llu below k):\n", r->nlist,
                  (unsigned long long)s->classes_below_k);
    for (size_t i = 0; i < r->nlist; i++) {
        eg__sb_printf(b, "  %llu:", (unsigned long long)r->list[i].count);
        for (size_t q = 0; q < r->nq; q++) {
            const char *v = r->list[i].values ? r->list[i].values[q] : NULL;
            eg__sb_puts(b, q ? " | " : " ");
            put_text_value(b, r->qname[q]);
            eg__sb_puts(b, "=");
            if (v)
                put_text_value(b, v);
            else
                eg__sb_puts(b, "(withheld)");
        }
        eg__sb_puts(b, "\n");
    }
}

static void put_json_str(eg_sbuf *b, const char *s)
{
    eg__sb_puts(b, "\"");
    eg__sb_json(b, s, strlen(s));
    eg__sb_puts(b, "\"");
}

static void write_json(const eg_risk *r, eg_sbuf *b)
{
    const eg_risk_summary *s = &r->sum;
    eg__sb_puts(b, "{\"version\":1,\"path\":");
    put_json_str(b, r->path);
    eg__sb_printf(b, ",\"records\":%llu,\"k\":%llu,\"quasi\":[",
                  (unsigned long long)s->records, (unsigned long long)s->k);
    for (size_t q = 0; q < r->nq; q++) {
        eg__sb_puts(b, q ? ",{\"column\":" : "{\"column\":");
        put_json_str(b, r->qname[q]);
        eg__sb_printf(b, ",\"index\":%d,\"direct_identifier\":%s}",
                      r->qcol[q] + 1, r->qdirect[q] ? "true" : "false");
    }
    eg__sb_printf(b,
                  "],\"classes\":%llu,\"min_k\":%llu,\"records_below_k\":"
                  "%llu,\"classes_below_k\":%llu,\"short_rows\":%llu,"
                  "\"class_sizes\":{",
                  (unsigned long long)s->classes, (unsigned long long)s->min_k,
                  (unsigned long long)s->records_below_k,
                  (unsigned long long)s->classes_below_k,
                  (unsigned long long)s->short_rows);
    for (int i = 0; i < 7; i++)
        eg__sb_printf(b, "%s\"%s\":%llu", i ? "," : "", bucket_names[i],
                      (unsigned long long)r->sizes[i]);
    eg__sb_puts(b, "},\"smallest\":[");
    for (size_t i = 0; i < r->nlist; i++) {
        eg__sb_printf(b, "%s\n {\"size\":%llu,\"values\":[", i ? "," : "",
                      (unsigned long long)r->list[i].count);
        for (size_t q = 0; q < r->nq; q++) {
            const char *v = r->list[i].values ? r->list[i].values[q] : NULL;
            if (q)
                eg__sb_puts(b, ",");
            if (v)
                put_json_str(b, v);
            else
                eg__sb_puts(b, "null");
        }
        eg__sb_puts(b, "]}");
    }
    eg__sb_puts(b, "]}\n");
}

int eg_risk_write(const eg_risk *r, eg_report_format fmt, eg_write_fn write,
                  void *payload, eg_error *err)
{
    eg__error_clear(err);
    if (!r || !write)
        return eg__fail(err, EG_EINVAL, "eg_risk_write: NULL argument");
    eg_sbuf b = {{0}, 0};
    if (fmt == EG_REPORT_JSON)
        write_json(r, &b);
    else
        write_text(r, &b);
    int rc = EG_OK;
    if (b.oom || !b.b.data)
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    else if (write(b.b.data, b.b.len, payload) != 0)
        rc = eg__fail(err, EG_EIO, "cannot write the risk report");
    eg__buf_free(&b.b);
    return rc;
}
