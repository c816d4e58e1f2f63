/*
 * test_structure_csv.c: the CSV/TSV structure cursor.  Known answers for
 * record / column / field / name at offsets inside each kind of field
 * (BOM, CRLF, quotes with embedded newlines, delimiters and ""), header
 * detection, TSV, an unbalanced quote, 100,000 columns and a 1 GiB field;
 * and for every input the chunking oracle: the same answers whether the
 * bytes come in one buffer or in overlapping buffers of 1, 2, 3, 7, 64 or
 * 4096 bytes.
 */
#include "read/structure.h"

#include "eg_test.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- the chunking oracle: one answer per target from a single buffer,
 * then the same targets through buffers cut every which way ---- */

typedef struct answer {
    uint64_t record;
    uint32_t column;
    int in_header, in_key, in_string;
    char *field; /* copied; NULL if the cursor gave NULL */
    char *name;
} answer;

typedef struct run {
    answer *a; /* one per target */
    size_t n;
    char *problem;
    uint64_t problem_off;
    uint64_t records;
    int has_header;
} run;

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    memcpy(d, s, n);
    return d;
}

static void run_free(run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->a[i].field);
        free(r->a[i].name);
    }
    free(r->a);
    free(r->problem);
    memset(r, 0, sizeof *r);
}

static void keep(answer *a, const eg_cursor_pos *p)
{
    a->record = p->record;
    a->column = p->column;
    a->in_header = p->in_header;
    a->in_key = p->in_key;
    a->in_string = p->in_string;
    a->field = dup_or_null(p->field);
    a->name = dup_or_null(p->name);
}

static void finish(run *r, eg_cursor *c)
{
    r->problem = dup_or_null(eg__cursor_problem(c, &r->problem_off));
    r->records = eg__cursor_records(c);
    r->has_header = eg__cursor_has_header(c);
    eg__cursor_free(c);
}

/* Targets sought: all of [0, n] when `targets` is NULL. */
static uint64_t target_at(const uint64_t *targets, size_t i)
{
    return targets ? targets[i] : (uint64_t)i;
}

static run run_single(eg_format fmt, const eg_cursor_limits *lim,
                      const char *in, size_t n, const uint64_t *targets,
                      size_t nt)
{
    run r = {0};
    eg_cursor *c = NULL;
    int rc = eg__cursor_new(&c, fmt, lim, NULL);
    if (rc != EG_OK)
        abort();
    if (!targets)
        nt = n + 1;
    r.a = calloc(nt ? nt : 1, sizeof *r.a);
    r.n = nt;
    /* an exact-size copy, so that ASan sees any read past the end */
    unsigned char *buf = malloc(n ? n : 1);
    memcpy(buf, in, n);
    for (size_t i = 0; i < nt; i++) {
        eg_cursor_pos p;
        if (eg__cursor_seek(c, buf, 0, n, target_at(targets, i), &p) != EG_OK)
            abort();
        keep(&r.a[i], &p);
    }
    free(buf);
    finish(&r, c);
    return r;
}

/* The driver's way: each buffer starts `back` bytes before the cursor,
 * owns the next `step` bytes and holds `ahead` more; targets inside the
 * owned region are sought, then the region's end. */
static run run_chunked(eg_format fmt, const eg_cursor_limits *lim,
                       const char *in, size_t n, const uint64_t *targets,
                       size_t nt, size_t step, size_t back, size_t ahead)
{
    run r = {0};
    eg_cursor *c = NULL;
    if (eg__cursor_new(&c, fmt, lim, NULL) != EG_OK)
        abort();
    if (!targets)
        nt = n + 1;
    r.a = calloc(nt ? nt : 1, sizeof *r.a);
    r.n = nt;
    size_t cur = 0, ti = 0;
    for (;;) {
        size_t base = cur > back ? cur - back : 0;
        size_t region_end = cur + step < n ? cur + step : n;
        size_t buf_end = region_end + ahead < n ? region_end + ahead : n;
        size_t len = buf_end - base;
        unsigned char *buf = malloc(len ? len : 1);
        memcpy(buf, in + base, len);
        while (ti < nt && (target_at(targets, ti) < region_end ||
                           (region_end == n && target_at(targets, ti) <= n))) {
            eg_cursor_pos p;
            if (eg__cursor_seek(c, buf, base, len, target_at(targets, ti),
                                &p) != EG_OK)
                abort();
            keep(&r.a[ti++], &p);
        }
        if (eg__cursor_seek(c, buf, base, len, region_end, NULL) != EG_OK)
            abort();
        free(buf);
        cur = region_end;
        if (cur >= n && ti >= nt)
            break;
    }
    finish(&r, c);
    return r;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Number of differences between two runs (reported on stderr). */
static int compare_runs(const run *x, const run *y, const char *what)
{
    int bad = 0;
    for (size_t i = 0; i < x->n && bad < 5; i++) {
        const answer *a = &x->a[i], *b = &y->a[i];
        if (a->record != b->record || a->column != b->column ||
            a->in_header != b->in_header || a->in_key != b->in_key ||
            a->in_string != b->in_string || !same_str(a->field, b->field) ||
            !same_str(a->name, b->name)) {
            fprintf(stderr, "%s: target #%zu differs\n", what, i);
            bad++;
        }
    }
    if (!same_str(x->problem, y->problem) || x->problem_off != y->problem_off ||
        x->records != y->records || x->has_header != y->has_header) {
        fprintf(stderr, "%s: end state differs\n", what);
        bad++;
    }
    return bad;
}

/* Run `in` whole, then cut into buffers of 1, 2, 3, 7 and 64 bytes with
 * overlaps, and check every answer is the same; returns the whole run. */
static run check_chunking(eg_format fmt, const eg_cursor_limits *lim,
                          const char *in, size_t n, const uint64_t *targets,
                          size_t nt)
{
    static const size_t steps[] = {1, 2, 3, 7, 64, 4096};
    run whole = run_single(fmt, lim, in, n, targets, nt);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        for (size_t ov = 0; ov <= 3; ov += 3) {
            run part =
                run_chunked(fmt, lim, in, n, targets, nt, steps[i], ov, ov);
            char what[64];
            snprintf(what, sizeof what, "step %zu overlap %zu", steps[i], ov);
            EG_CHECK_INT(compare_runs(&whole, &part, what), 0);
            run_free(&part);
        }
    }
    return whole;
}

/* Offset of the first occurrence of `needle` in `in` (must exist). */
static size_t at(const char *in, const char *needle)
{
    const char *p = strstr(in, needle);
    if (!p) {
        fprintf(stderr, "needle not in input\n");
        abort();
    }
    return (size_t)(p - in);
}

static const eg_format CSV = EG_FORMAT_CSV;

/* The answer at `off` of a whole run (targets were every offset). */
static const answer *A(const run *r, size_t off)
{
    return &r->a[off];
}

#define CHECK_AT(r, off, rec, col, fld, nm, hdr)                               \
    do {                                                                       \
        const answer *a_ = A(&(r), (off));                                     \
        EG_CHECK_INT(a_->record, (rec));                                       \
        EG_CHECK_INT(a_->column, (col));                                       \
        EG_CHECK_STR(a_->field, (fld));                                        \
        const char *nm_ = (nm);                                                \
        if (nm_)                                                               \
            EG_CHECK_STR(a_->name, nm_);                                       \
        else                                                                   \
            EG_CHECK(a_->name == NULL);                                        \
        EG_CHECK_INT(a_->in_header, (hdr));                                    \
        EG_CHECK_INT(a_->in_key, 0);                                           \
        EG_CHECK_INT(a_->in_string, 0);                                        \
    } while (0)

static run whole(eg_format fmt, const char *in)
{
    return check_chunking(fmt, NULL, in, strlen(in), NULL, 0);
}

EG_TEST(bom_crlf_quotes)
{
    const char *in = "\xEF\xBB\xBFname,phone,note\r\n"
                     "\"Zhang, San\",13800138000,\"said \"\"hi\"\"\r\nbye\"\r\n"
                     "Li Si,13900139000,plain\r\n";
    run r = whole(CSV, in);
    CHECK_AT(r, 0, 0, 0, "1", NULL, 1);               /* in the BOM */
    CHECK_AT(r, at(in, "name"), 0, 0, "1", NULL, 1);  /* provisional */
    CHECK_AT(r, at(in, "phone"), 0, 1, "2", NULL, 1); /* header cell */
    CHECK_AT(r, at(in, "note") + 3, 0, 2, "3", NULL, 1);
    CHECK_AT(r, at(in, "Zhang"), 1, 0, "name", "name", 0);
    CHECK_AT(r, at(in, "San"), 1, 0, "name", "name", 0);
    CHECK_AT(r, at(in, "San\"") + 3, 1, 0, "name", "name", 0); /* close " */
    CHECK_AT(r, at(in, "San\"") + 4, 1, 0, "name", "name", 0); /* comma */
    CHECK_AT(r, at(in, "13800138000"), 1, 1, "phone", "phone", 0);
    CHECK_AT(r, at(in, "13800138000") + 10, 1, 1, "phone", "phone", 0);
    CHECK_AT(r, at(in, "said"), 1, 2, "note", "note", 0);
    CHECK_AT(r, at(in, "hi"), 1, 2, "note", "note", 0);
    CHECK_AT(r, at(in, "hi") - 1, 1, 2, "note", "note", 0); /* "" */
    CHECK_AT(r, at(in, "bye"), 1, 2, "note", "note", 0);
    CHECK_AT(r, at(in, "bye") - 1, 1, 2, "note", "note", 0); /* LF in "" */
    CHECK_AT(r, at(in, "Li Si"), 2, 0, "name", "name", 0);
    CHECK_AT(r, at(in, "13900139000") + 4, 2, 1, "phone", "phone", 0);
    CHECK_AT(r, at(in, "plain"), 2, 2, "note", "note", 0);
    CHECK_AT(r, strlen(in), 3, 0, "name", "name", 0); /* end of input */
    EG_CHECK_INT(r.has_header, 1);
    EG_CHECK_INT(r.records, 2);
    EG_CHECK(r.problem == NULL);
    run_free(&r);
}

EG_TEST(no_header)
{
    const char *in = "13800138000,张三\n13900139000,李四\n";
    run r = whole(CSV, in);
    /* first row: provisional in_header, column numbers */
    CHECK_AT(r, at(in, "张三"), 0, 1, "2", NULL, 1);
    CHECK_AT(r, at(in, "13900139000") + 2, 1, 0, "1", NULL, 0);
    CHECK_AT(r, at(in, "李四"), 1, 1, "2", NULL, 0);
    EG_CHECK_INT(r.has_header, 0);
    EG_CHECK_INT(r.records, 2);
    run_free(&r);
}

EG_TEST(header_rules)
{
    static const struct {
        const char *in;
        int header;
    } cases[] = {
        {"a,b\n1,2\n", 1},
        {"a,,b\n1,2,3\n", 0},             /* empty field */
        {"a,\r\n1,2\n", 0},               /* empty once CR is stripped */
        {"a,user@example\n1,2\n", 0},     /* '@' */
        {"a,b12345\n1,2\n", 0},           /* five digits in a row */
        {"a,b1234\n1,2\n", 1},            /* four are fine */
        {"a,b1234c5678\n1,2\n", 1},       /* runs, not totals */
        {"\n1,2\n", 0},                   /* blank first line */
        {"\"x,y\",\"q\"\"t\"\n1,2\n", 1}, /* quoted names */
        {"phone\n13800138000\n", 1},      /* one column */
        {"a,b", -1},                      /* first row never ends */
        {"", -1},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(cases); i++) {
        run r = whole(CSV, cases[i].in);
        EG_CHECK_INT(r.has_header, cases[i].header);
        run_free(&r);
    }
    char long_name[200];
    for (int len = 64; len <= 65; len++) { /* 64 bytes allowed, 65 not */
        memset(long_name, 'n', (size_t)len);
        strcpy(long_name + len, ",b\n1,2\n");
        run r = whole(CSV, long_name);
        EG_CHECK_INT(r.has_header, len == 64 ? 1 : 0);
        run_free(&r);
    }

    const char *q = "\"x,y\",\"q\"\"t\"\r\n1,2\r\n";
    run r = whole(CSV, q);
    CHECK_AT(r, at(q, "1,2"), 1, 0, "x,y", "x,y", 0);
    CHECK_AT(r, at(q, "1,2") + 2, 1, 1, "q\"t", "q\"t", 0);
    run_free(&r);

    const char *crlf = "a,b\r\n1,2\r\n"; /* the CR is not part of "b" */
    r = whole(CSV, crlf);
    CHECK_AT(r, at(crlf, "2"), 1, 1, "b", "b", 0);
    EG_CHECK_INT(r.records, 1);
    run_free(&r);

    const char *empty = "";
    r = whole(CSV, empty);
    CHECK_AT(r, 0, 0, 0, "1", NULL, 1);
    EG_CHECK_INT(r.records, 0);
    EG_CHECK(r.problem == NULL);
    run_free(&r);

    const char *open = "a,b"; /* a row without newline still counts */
    r = whole(CSV, open);
    EG_CHECK_INT(r.records, 1);
    run_free(&r);
}

EG_TEST(partial_bom_is_content)
{
    const char *in = "\xEF\xBBx,y\n1,2\n";
    run r = whole(CSV, in);
    EG_CHECK_INT(r.has_header, 1);
    CHECK_AT(r, at(in, "1,2"), 1, 0, "\xEF\xBBx", "\xEF\xBBx", 0);
    CHECK_AT(r, at(in, "1,2") + 2, 1, 1, "y", "y", 0);
    run_free(&r);
}

EG_TEST(lenient_quotes)
{
    /* a quote inside an unquoted field is data; bytes after a closing
     * quote join the field */
    const char *in = "a,b,c\nab\"c,\"x\"y,z\n\"\"\"\",,\"\"\n";
    run r = whole(CSV, in);
    CHECK_AT(r, at(in, "ab\"c") + 3, 1, 0, "a", "a", 0);
    CHECK_AT(r, at(in, "ab\"c") + 4, 1, 0, "a", "a", 0); /* the comma */
    CHECK_AT(r, at(in, "y,z"), 1, 1, "b", "b", 0);
    CHECK_AT(r, at(in, "z"), 1, 2, "c", "c", 0);
    size_t row2 = at(in, "z\n") + 2;
    CHECK_AT(r, row2 + 1, 2, 0, "a", "a", 0);
    CHECK_AT(r, row2 + 5, 2, 1, "b", "b", 0);
    CHECK_AT(r, row2 + 6, 2, 2, "c", "c", 0);
    EG_CHECK_INT(r.records, 2);
    EG_CHECK(r.problem == NULL);
    run_free(&r);
}

EG_TEST(tsv)
{
    const char *in = "姓名\t手机号\t身份证号\n"
                     "张三\t13800138000\t11010519491231002X\n"
                     "李四\t\"139,0013\t9000\"\t110105194912310037\n";
    run r = whole(EG_FORMAT_TSV, in);
    EG_CHECK_INT(r.has_header, 1);
    CHECK_AT(r, at(in, "13800138000"), 1, 1, "手机号", "手机号", 0);
    CHECK_AT(r, at(in, "11010519491231002X") + 6, 1, 2, "身份证号", "身份证号",
             0);
    CHECK_AT(r, at(in, "139,0013"), 2, 1, "手机号", "手机号", 0);
    CHECK_AT(r, at(in, "9000"), 2, 1, "手机号", "手机号", 0); /* quoted tab */
    CHECK_AT(r, at(in, "110105194912310037"), 2, 2, "身份证号", "身份证号", 0);
    EG_CHECK_INT(r.records, 2);
    run_free(&r);

    /* in TSV a comma is data */
    const char *c = "a,b\tc\n1,2\t3\n";
    r = whole(EG_FORMAT_TSV, c);
    CHECK_AT(r, at(c, "2\t"), 1, 0, "a,b", "a,b", 0);
    CHECK_AT(r, at(c, "3"), 1, 1, "c", "c", 0);
    run_free(&r);
}

EG_TEST(unbalanced_quote)
{
    const char *in = "a,b\n1,\"2,3\n4,5\n";
    run r = whole(CSV, in);
    CHECK_AT(r, at(in, "4"), 1, 1, "b", "b", 0); /* still in the quotes */
    EG_CHECK_STR(r.problem, "unbalanced quote opened at byte 6");
    EG_CHECK_INT(r.problem_off, 6);
    EG_CHECK_INT(r.records, 1);
    run_free(&r);

    const char *ok = "a,b\n1,\"2\n3\"\n"; /* closed: no problem */
    r = whole(CSV, ok);
    EG_CHECK(r.problem == NULL);
    run_free(&r);
}

static char *columns_row(char *w, const char *prefix, int n, char end)
{
    for (int i = 1; i <= n; i++)
        w += sprintf(w, "%s%d%c", prefix, i, i == n ? end : ',');
    return w;
}

EG_TEST(hundred_thousand_columns)
{
    enum { N = 100000 };
    char *in = malloc((size_t)N * 16 * 2 + 16);
    char *w = columns_row(in, "c", N, '\n');
    size_t row1 = (size_t)(w - in);
    columns_row(w, "v", N, '\n');
    size_t n = strlen(in);
    uint64_t t[5];
    t[0] = at(in, "c100000");
    t[1] = row1 + 1;
    t[2] = at(in + row1, "v50000,") + row1;
    t[3] = at(in + row1, "v100000") + row1 + 3;
    t[4] = n;
    run r = check_chunking(CSV, NULL, in, n, t, 5);
    EG_CHECK_INT(r.has_header, 0); /* first row longer than 64 KiB */
    EG_CHECK_INT(r.a[0].column, 99999);
    EG_CHECK_STR(r.a[0].field, "100000");
    EG_CHECK_INT(r.a[1].record, 1);
    EG_CHECK_INT(r.a[1].column, 0);
    EG_CHECK_STR(r.a[2].field, "50000");
    EG_CHECK_INT(r.a[3].column, 99999);
    EG_CHECK_STR(r.a[3].field, "100000");
    EG_CHECK(r.a[3].name == NULL);
    EG_CHECK_INT(r.records, 2);
    run_free(&r);
    free(in);
}

EG_TEST(limits)
{
    /* 9,999 names (under 64 KiB, no five-digit run) with 5,000 kept */
    enum { N = 9999 };
    char *in = malloc((size_t)N * 16 * 2 + 16);
    char *w = columns_row(in, "k", N, '\n');
    size_t row1 = (size_t)(w - in);
    columns_row(w, "", N, '\n');
    uint64_t t[3] = {row1 + at(in + row1, ",4999,") + 1,
                     row1 + at(in + row1, ",5000,") + 1,
                     row1 + at(in + row1, ",5001,") + 1};
    eg_cursor_limits lim = {0, 5000, 0};
    run r = check_chunking(CSV, &lim, in, strlen(in), t, 3);
    EG_CHECK_INT(r.has_header, 1);
    EG_CHECK_STR(r.a[0].field, "k4999");
    EG_CHECK_STR(r.a[1].field, "k5000");
    EG_CHECK_INT(r.a[2].column, 5000);
    EG_CHECK_STR(r.a[2].field, "5001");
    EG_CHECK(r.a[2].name == NULL);
    run_free(&r);
    free(in);

    /* names cut to max_name_bytes */
    const char *s = "phone,id\n1,2\n";
    eg_cursor_limits short_names = {0, 0, 3};
    r = check_chunking(CSV, &short_names, s, strlen(s), NULL, 0);
    CHECK_AT(r, at(s, "1,"), 1, 0, "pho", "pho", 0);
    CHECK_AT(r, at(s, "2\n"), 1, 1, "id", "id", 0);
    run_free(&r);
}

EG_TEST(gigabyte_field)
{
    /* one quoted field of 1 GiB, fed through a 1 MiB buffer: the cursor
     * must neither keep it nor slow down on it */
    enum { MB = 1 << 20 };
    const uint64_t big = (uint64_t)1 << 30;
    unsigned char *x = malloc(MB);
    memset(x, 'x', MB);
    const char *head = "a,b\n1,\"";
    const char *tail = "\",2\n";
    size_t hl = strlen(head);
    eg_cursor *c = NULL;
    EG_CHECK_INT(eg__cursor_new(&c, CSV, NULL, NULL), EG_OK);
    eg_cursor_pos p;
    EG_CHECK_INT(eg__cursor_seek(c, (const unsigned char *)head, 0, hl, hl, &p),
                 EG_OK);
    uint64_t off = hl;
    for (uint64_t i = 0; i < big / MB; i++, off += MB)
        EG_CHECK_INT(eg__cursor_seek(c, x, off, MB, off + MB / 2, &p), EG_OK);
    EG_CHECK_INT(p.record, 1);
    EG_CHECK_INT(p.column, 1);
    EG_CHECK_STR(p.field, "b");
    uint64_t problem_off = 0;
    EG_CHECK_STR(eg__cursor_problem(c, &problem_off),
                 "unbalanced quote opened at byte 6");
    EG_CHECK_INT(problem_off, 6);
    EG_CHECK_INT(
        eg__cursor_seek(c, (const unsigned char *)tail, off, 4, off + 2, &p),
        EG_OK);
    EG_CHECK_INT(p.column, 2);
    EG_CHECK_STR(p.field, "3");
    EG_CHECK_INT(
        eg__cursor_seek(c, (const unsigned char *)tail, off, 4, off + 4, &p),
        EG_OK);
    EG_CHECK(eg__cursor_problem(c, NULL) == NULL);
    EG_CHECK_INT(eg__cursor_records(c), 1);
    eg__cursor_free(c);
    free(x);
}

EG_TEST(bad_format_and_nomem)
{
    eg_cursor *c = (eg_cursor *)1;
    eg_error err;
    EG_CHECK_INT(eg__cursor_new(&c, EG_FORMAT_TEXT, NULL, &err), EG_EINVAL);
    EG_CHECK(c == NULL);
    /* every allocation of cursor creation failing in turn */
    for (uint64_t n = 1; n <= 8; n++) {
        eg__alloc_fail_at(n, false);
        int rc = eg__cursor_new(&c, CSV, NULL, &err);
        eg__alloc_fail_at(0, false);
        EG_CHECK(rc == EG_OK || rc == EG_ENOMEM);
        EG_CHECK(rc == EG_OK || c == NULL);
        eg__cursor_free(c);
    }
}

int main(void)
{
    EG_RUN(bom_crlf_quotes);
    EG_RUN(no_header);
    EG_RUN(header_rules);
    EG_RUN(partial_bom_is_content);
    EG_RUN(lenient_quotes);
    EG_RUN(tsv);
    EG_RUN(unbalanced_quote);
    EG_RUN(hundred_thousand_columns);
    EG_RUN(limits);
    EG_RUN(gigabyte_field);
    EG_RUN(bad_format_and_nomem);
    return EG_TEST_END();
}
