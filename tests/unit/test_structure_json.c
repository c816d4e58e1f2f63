/*
 * test_structure_json.c: the JSON / JSON Lines structure cursor.  Known
 * answers for the JSON Pointer, name, record and in_key / in_string of
 * offsets in nested objects and arrays, escaped keys (RFC 6901 ~0 ~1, JSON
 * escapes with surrogate pairs, invalid escapes as U+FFFD), numbers and
 * literals, broken lines, top-level arrays as records, nesting a million
 * deep and the depth limit; and for every input the chunking oracle: the
 * same answers whether the bytes come in one buffer or in overlapping
 * buffers of 1, 2, 3, 7, 64 or 4096 bytes.
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

static const eg_format JSON = EG_FORMAT_JSON;
static const eg_format JSONL = EG_FORMAT_JSONL;

#define CHECK_AT(r, off, rec, fld, nm, key, str)                               \
    do {                                                                       \
        const answer *a_ = &(r).a[(off)];                                      \
        EG_CHECK_INT(a_->record, (rec));                                       \
        EG_CHECK_STR(a_->field, (fld));                                        \
        const char *nm_ = (nm);                                                \
        if (nm_)                                                               \
            EG_CHECK_STR(a_->name, nm_);                                       \
        else                                                                   \
            EG_CHECK(a_->name == NULL);                                        \
        EG_CHECK_INT(a_->in_key, (key));                                       \
        EG_CHECK_INT(a_->in_string, (str));                                    \
        EG_CHECK_INT(a_->in_header, 0);                                        \
    } while (0)

static run whole(eg_format fmt, const char *in)
{
    return check_chunking(fmt, NULL, in, strlen(in), NULL, 0);
}

EG_TEST(jsonl_nested)
{
    const char *in =
        "{\"req\":{\"body\":{\"receiver\":{\"phone\":\"13812345678\","
        "\"name\":\"张三\"}}}}\n"
        "{\"a/b\":\"x\",\"t~n\":\"y\",\"\\u624b\\u673a\":\"13800138000\"}\n"
        "\n"
        "{\"items\":[{\"phone\":\"1\"},{\"phone\":\"2\"}],\"n\":[[5,6]]}\n";
    run r = whole(JSONL, in);
    CHECK_AT(r, at(in, "13812345678"), 0, "/req/body/receiver/phone", "phone",
             0, 1);
    CHECK_AT(r, at(in, "13812345678") + 10, 0, "/req/body/receiver/phone",
             "phone", 0, 1);
    CHECK_AT(r, at(in, "receiver"), 0, "/req/body", "body", 1, 1);
    CHECK_AT(r, at(in, "phone"), 0, "/req/body/receiver", "receiver", 1, 1);
    CHECK_AT(r, at(in, "req"), 0, "", NULL, 1, 1);
    CHECK_AT(r, 0, 0, "", NULL, 0, 0);
    CHECK_AT(r, at(in, "张三"), 0, "/req/body/receiver/name", "name", 0, 1);
    CHECK_AT(r, at(in, ":\"x\"") + 2, 1, "/a~1b", "a/b", 0, 1);
    CHECK_AT(r, at(in, ":\"y\"") + 2, 1, "/t~0n", "t~n", 0, 1);
    CHECK_AT(r, at(in, "13800138000"), 1, "/手机", "手机", 0, 1);
    CHECK_AT(r, at(in, "\n\n") + 1, 2, "", NULL, 0, 0); /* blank line */
    CHECK_AT(r, at(in, ":\"1\"") + 2, 3, "/items/0/phone", "phone", 0, 1);
    CHECK_AT(r, at(in, ":\"2\"") + 2, 3, "/items/1/phone", "phone", 0, 1);
    CHECK_AT(r, at(in, "{\"phone\":\"2\""), 3, "/items/1", "items", 0, 0);
    CHECK_AT(r, at(in, "5,"), 3, "/n/0/0", "n", 0, 0);
    CHECK_AT(r, at(in, "6]"), 3, "/n/0/1", "n", 0, 0);
    EG_CHECK_INT(r.records, 4);
    EG_CHECK(r.problem == NULL);
    run_free(&r);
}

EG_TEST(numbers_and_literals)
{
    const char *in =
        "{\"location\": {\"lat\":28.246819,\r\n \"lng\":-112.9e+1},"
        "\"ok\":true, \"v\" : null, \"f\":false,\"z\":0}";
    run r = whole(JSON, in);
    CHECK_AT(r, at(in, "28.246819"), 0, "/location/lat", "lat", 0, 0);
    CHECK_AT(r, at(in, "246819"), 0, "/location/lat", "lat", 0, 0);
    CHECK_AT(r, at(in, "-112"), 0, "/location/lng", "lng", 0, 0);
    CHECK_AT(r, at(in, "e+1") + 2, 0, "/location/lng", "lng", 0, 0);
    CHECK_AT(r, at(in, "true") + 2, 0, "/ok", "ok", 0, 0);
    CHECK_AT(r, at(in, "null") + 3, 0, "/v", "v", 0, 0);
    CHECK_AT(r, at(in, "false"), 0, "/f", "f", 0, 0);
    CHECK_AT(r, at(in, ":0") + 1, 0, "/z", "z", 0, 0);
    EG_CHECK_INT(r.records, 1);
    EG_CHECK(r.problem == NULL);
    run_free(&r);

    static const struct {
        const char *in;
        const char *bad; /* the byte where the error is seen */
    } invalid[] = {
        {"{\"a\":01}", "1}"}, {"{\"a\":-}", "}"},   {"{\"a\":1.}", "}"},
        {"{\"a\":1e}", "}"},  {"{\"a\":tru}", "}"}, {"{\"a\":nul1}", "1"},
        {"[1,]", "]"},        {"[}", "}"},          {"{\"a\" 1}", "1"},
        {"{1:2}", "1"},       {"@", "@"},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(invalid); i++) {
        r = whole(JSON, invalid[i].in);
        EG_CHECK_STR(r.problem, "invalid JSON");
        EG_CHECK_INT(r.problem_off, at(invalid[i].in, invalid[i].bad));
        run_free(&r);
    }
}

EG_TEST(escaped_keys)
{
    const char *in = "{\"\\ud83d\\ude00\":\"1\",\"\\ud800x\":\"2\","
                     "\"\\ud800\\u0041\":\"3\",\"\\uZZ\":\"4\",\"\\q\":\"5\","
                     "\"\\u0000\":\"6\",\"\\ud83d\\uDE00\\\"\":\"7\","
                     "\"\\ud800\\n\":\"8\",\"\\t\\/\\\\\":\"9\","
                     "\"\\udc00\\ud800\":\"10\",\"\\u12\":\"11\"}";
    run r = whole(JSON, in);
    CHECK_AT(r, at(in, ":\"1\"") + 2, 0, "/😀", "😀", 0, 1);
    CHECK_AT(r, at(in, ":\"2\"") + 2, 0, "/\xEF\xBF\xBDx", "\xEF\xBF\xBDx", 0,
             1);
    CHECK_AT(r, at(in, ":\"3\"") + 2, 0,
             "/\xEF\xBF\xBD"
             "A",
             "\xEF\xBF\xBD"
             "A",
             0, 1);
    CHECK_AT(r, at(in, ":\"4\"") + 2, 0, "/\xEF\xBF\xBDZZ", "\xEF\xBF\xBDZZ", 0,
             1);
    CHECK_AT(r, at(in, ":\"5\"") + 2, 0, "/\xEF\xBF\xBD", "\xEF\xBF\xBD", 0, 1);
    CHECK_AT(r, at(in, ":\"6\"") + 2, 0, "/\xEF\xBF\xBD", "\xEF\xBF\xBD", 0, 1);
    CHECK_AT(r, at(in, ":\"7\"") + 2, 0, "/😀\"", "😀\"", 0, 1);
    CHECK_AT(r, at(in, ":\"8\"") + 2, 0, "/\xEF\xBF\xBD\n", "\xEF\xBF\xBD\n", 0,
             1);
    CHECK_AT(r, at(in, ":\"9\"") + 2, 0, "/\t~1\\", "\t/\\", 0, 1);
    CHECK_AT(r, at(in, ":\"10\"") + 2, 0, "/\xEF\xBF\xBD\xEF\xBF\xBD",
             "\xEF\xBF\xBD\xEF\xBF\xBD", 0, 1);
    CHECK_AT(r, at(in, ":\"11\"") + 2, 0, "/\xEF\xBF\xBD", "\xEF\xBF\xBD", 0,
             1);
    EG_CHECK(r.problem == NULL);
    run_free(&r);

    /* escaped quotes and backslashes in values do not end them */
    const char *v = "{\"a\":\"x\\\"y\\\\\",\"b\":\"z\\\\\\\"\",\"c\":\"w\"}";
    r = whole(JSON, v);
    CHECK_AT(r, at(v, "y"), 0, "/a", "a", 0, 1);
    CHECK_AT(r, at(v, "z"), 0, "/b", "b", 0, 1);
    CHECK_AT(r, at(v, "w"), 0, "/c", "c", 0, 1);
    EG_CHECK(r.problem == NULL);
    run_free(&r);
}

EG_TEST(key_truncation)
{
    const char *in = "{\"手机号码\":\"1\",\"abcdef\":\"2\","
                     "\"\\u624b\\u673a\":\"3\",\"ab~/\":\"4\"}";
    eg_cursor_limits lim = {0, 0, 4};
    run r = check_chunking(JSON, &lim, in, strlen(in), NULL, 0);
    CHECK_AT(r, at(in, ":\"1\"") + 2, 0, "/手", "手", 0, 1);
    CHECK_AT(r, at(in, ":\"2\"") + 2, 0, "/abcd", "abcd", 0, 1);
    CHECK_AT(r, at(in, ":\"3\"") + 2, 0, "/手", "手", 0, 1);
    CHECK_AT(r, at(in, ":\"4\"") + 2, 0, "/ab~0~1", "ab~/", 0, 1);
    run_free(&r);
}

EG_TEST(jsonl_broken_lines)
{
    const char *in = "{\"a\":1}\n"
                     "{\"a\": [1, }\n"
                     "\n"
                     "{\"b\":\"x\"}\n"
                     "{\"c\":\"raw\n"
                     "{\"d\":\"y\"}\r\n"
                     "  7  \n"
                     "{\"e\":\"z\"}";
    run r = whole(JSONL, in);
    EG_CHECK_STR(r.problem, "invalid JSON");
    EG_CHECK_INT(r.problem_off, at(in, "}\n\n"));
    CHECK_AT(r, at(in, "}\n\n") + 1, 1, "", NULL, 0, 0); /* rest skipped */
    CHECK_AT(r, at(in, "\n\n") + 1, 2, "", NULL, 0, 0);
    CHECK_AT(r, at(in, "x"), 3, "/b", "b", 0, 1);
    CHECK_AT(r, at(in, "raw"), 4, "/c", "c", 0, 1);
    CHECK_AT(r, at(in, "y"), 5, "/d", "d", 0, 1);
    CHECK_AT(r, at(in, "7"), 6, "", NULL, 0, 0);
    CHECK_AT(r, at(in, "z"), 7, "/e", "e", 0, 1);
    EG_CHECK_INT(r.records, 8);
    run_free(&r);

    /* a raw newline inside a string ends the line: the first problem */
    const char *raw = "{\"a\":\"x\n{\"b\":\"y\"}\n";
    r = whole(JSONL, raw);
    EG_CHECK_STR(r.problem, "invalid JSON");
    EG_CHECK_INT(r.problem_off, 7);
    CHECK_AT(r, at(raw, "y"), 1, "/b", "b", 0, 1);
    EG_CHECK_INT(r.records, 2);
    run_free(&r);

    /* an unfinished last line */
    const char *cut = "{\"a\":1}\n{\"b\":";
    r = whole(JSONL, cut);
    EG_CHECK_STR(r.problem, "invalid JSON: value opened at byte 8 is not "
                            "closed");
    EG_CHECK_INT(r.problem_off, 8);
    EG_CHECK_INT(r.records, 2);
    run_free(&r);
}

EG_TEST(json_records)
{
    const char *in = "[{\"id\":\"a\"},\n {\"id\":\"b\"}]\n"
                     "{\"id\":\"c\"} {\"id\":\"d\"}, \"e\" 17";
    run r = whole(JSON, in);
    CHECK_AT(r, at(in, "a\""), 0, "/0/id", "id", 0, 1);
    CHECK_AT(r, at(in, "b\""), 1, "/1/id", "id", 0, 1);
    CHECK_AT(r, at(in, "{\"id\":\"b"), 1, "/1", NULL, 0, 0);
    CHECK_AT(r, at(in, "c\""), 2, "/id", "id", 0, 1);
    CHECK_AT(r, at(in, ":\"d\"") + 2, 3, "/id", "id", 0, 1);
    CHECK_AT(r, at(in, "e\""), 4, "", NULL, 0, 1);
    CHECK_AT(r, at(in, "17") + 1, 5, "", NULL, 0, 0);
    EG_CHECK_INT(r.records, 6);
    EG_CHECK(r.problem == NULL);
    run_free(&r);

    const char *arr = "\xEF\xBB\xBF[1, \"13800138000\", [2]] []";
    r = whole(JSON, arr);
    CHECK_AT(r, at(arr, "1,"), 0, "/0", NULL, 0, 0);
    CHECK_AT(r, at(arr, "138"), 1, "/1", NULL, 0, 1);
    CHECK_AT(r, at(arr, "2]"), 2, "/2/0", NULL, 0, 0);
    EG_CHECK_INT(r.records, 3);
    run_free(&r);

    /* plain JSON: after a syntax error the structure is unknown */
    const char *bad = "{\"a\":[1}\n{\"b\":\"x\"}";
    r = whole(JSON, bad);
    EG_CHECK_STR(r.problem, "invalid JSON");
    EG_CHECK_INT(r.problem_off, at(bad, "}"));
    CHECK_AT(r, at(bad, "x"), 0, "", NULL, 0, 0);
    run_free(&r);

    static const char *const cut[] = {"{\"a\":\"x", "[1,2", "tru", " \"ab"};
    for (size_t i = 0; i < EG_ARRAY_LEN(cut); i++) {
        r = whole(JSON, cut[i]);
        EG_CHECK(r.problem != NULL);
        if (r.problem)
            EG_CHECK(strncmp(r.problem, "invalid JSON: value opened at byte",
                             34) == 0);
        EG_CHECK_INT(r.problem_off, i == 3 ? 1 : 0);
        run_free(&r);
    }
    r = whole(JSON, "12"); /* a number may end with the input */
    EG_CHECK(r.problem == NULL);
    EG_CHECK_INT(r.records, 1);
    run_free(&r);
}

EG_TEST(depth_limit)
{
    const char *in = "{\"a\":{\"b\":{\"c\":{\"d\":\"x\",\"q\":[\"]}\"]},"
                     "\"e\":\"y\"}},\"f\":[[[[\"w\"]]],\"v\"]}";
    eg_cursor_limits lim = {3, 0, 0};
    run r = check_chunking(JSON, &lim, in, strlen(in), NULL, 0);
    CHECK_AT(r, at(in, "x"), 0, "/a/b/c", "c", 0, 1);
    CHECK_AT(r, at(in, "]}\"") + 1, 0, "/a/b/c", "c", 0, 1);
    CHECK_AT(r, at(in, "y"), 0, "/a/b/e", "e", 0, 1);
    CHECK_AT(r, at(in, "w"), 0, "/f/0/0", "f", 0, 1);
    CHECK_AT(r, at(in, "v"), 0, "/f/1", "f", 0, 1);
    EG_CHECK_STR(r.problem, "JSON nesting deeper than 3");
    EG_CHECK_INT(r.problem_off, at(in, "{\"d\""));
    run_free(&r);
}

EG_TEST(million_deep)
{
    enum { N = 1000000 };
    const char *mid = "\"13800138000\"";
    const char *tail = "{\"after\":\"v\"}";
    size_t n = 2 * (size_t)N + strlen(mid) + strlen(tail);
    char *in = malloc(n + 1);
    memset(in, '[', N);
    strcpy(in + N, mid);
    memset(in + N + strlen(mid), ']', N);
    strcpy(in + 2 * (size_t)N + strlen(mid), tail);
    uint64_t t[4] = {N + 3, 2 * (uint64_t)N + strlen(mid) - 1,
                     n - strlen(tail) + 10, n};
    for (int lines = 0; lines <= 1; lines++) {
        run r = check_chunking(lines ? JSONL : JSON, NULL, in, n, t, 4);
        char *path = malloc(512 * 2 + 1);
        for (int i = 0; i < 512; i++)
            memcpy(path + 2 * i, "/0", 2);
        path[1024] = '\0';
        EG_CHECK_STR(r.a[0].field, path);
        EG_CHECK_INT(r.a[0].in_string, 1);
        EG_CHECK(r.a[0].name == NULL);
        EG_CHECK_STR(r.a[1].field, "/0");
        EG_CHECK_INT(r.a[1].record, 0);
        EG_CHECK_STR(r.a[2].field, "/after");
        EG_CHECK_INT(r.a[2].record, lines ? 0 : 1);
        EG_CHECK_STR(r.problem, "JSON nesting deeper than 512");
        EG_CHECK_INT(r.problem_off, 512);
        EG_CHECK_INT(r.records, lines ? 1 : 2);
        free(path);
        run_free(&r);
    }
    free(in);
}

EG_TEST(nomem)
{
    /* every allocation failing in turn: creation fails cleanly, or a seek
     * returns EG_ENOMEM and the cursor can go on once memory is back */
    const char *in =
        "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaa\":[[[[[[[[[[[[[[[[[[[{\"b\":\"x\"}]]]]]]]"
        "]]]]]]]]]]]]]}";
    size_t n = strlen(in);
    for (uint64_t k = 1; k <= 40; k++) {
        eg_cursor *c = NULL;
        eg__alloc_fail_at(k, false);
        int rc = eg__cursor_new(&c, JSON, NULL, NULL);
        eg_cursor_pos p;
        if (rc == EG_OK) {
            rc = eg__cursor_seek(c, (const unsigned char *)in, 0, n,
                                 at(in, "x"), &p);
            if (rc == EG_ENOMEM)
                rc = eg__cursor_seek(c, (const unsigned char *)in, 0, n,
                                     at(in, "x"), &p);
        }
        eg__alloc_fail_at(0, false);
        EG_CHECK(rc == EG_OK || rc == EG_ENOMEM);
        if (c && rc == EG_OK) {
            EG_CHECK_STR(p.field, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/0/0/0/0/0/"
                                  "0/0/0/0/0/0/0/0/0/0/0/0/0/0/b");
        }
        eg__cursor_free(c);
    }
}

int main(void)
{
    EG_RUN(jsonl_nested);
    EG_RUN(numbers_and_literals);
    EG_RUN(escaped_keys);
    EG_RUN(key_truncation);
    EG_RUN(jsonl_broken_lines);
    EG_RUN(json_records);
    EG_RUN(depth_limit);
    EG_RUN(million_deep);
    EG_RUN(nomem);
    return EG_TEST_END();
}
