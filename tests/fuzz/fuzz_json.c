/*
 * fuzz_json.c: libFuzzer harness for the JSON / JSON Lines structure cursor.
 * Each input is run through a cursor twice, once in a single buffer and once in
 * buffers of random size and overlap, seeking the same increasing targets;
 * any difference in an answer (record, column, flags, field, name) or in
 * the end state (problem, records, header) aborts.  So the fuzzer proves
 * that chunking never changes answers, and ASan/UBSan that no input makes
 * the cursor read outside a buffer or misbehave.
 */
#include "read/structure.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the oracle: one single-buffer run and one chunked run over the
 * same targets must agree on everything ---- */

typedef struct answer {
    eg_cursor_pos pos; /* field / name re-pointed at copies */
    char *field, *name;
} answer;

typedef struct outcome {
    answer *a;
    char *problem;
    uint64_t problem_off, records;
    int has_header;
} outcome;

/* xorshift64*, seeded from the input so every run is reproducible */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static char *copy(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d)
        abort();
    memcpy(d, s, n);
    return d;
}

static void keep(answer *a, const eg_cursor_pos *p)
{
    a->pos = *p;
    a->field = copy(p->field);
    a->name = copy(p->name);
}

static void close_run(outcome *o, eg_cursor *c)
{
    o->problem = copy(eg__cursor_problem(c, &o->problem_off));
    o->records = eg__cursor_records(c);
    o->has_header = eg__cursor_has_header(c);
    eg__cursor_free(c);
}

static void free_outcome(outcome *o, size_t nt)
{
    for (size_t i = 0; i < nt; i++) {
        free(o->a[i].field);
        free(o->a[i].name);
    }
    free(o->a);
    free(o->problem);
}

static eg_cursor *make(eg_format fmt, const eg_cursor_limits *lim)
{
    eg_cursor *c = NULL;
    if (eg__cursor_new(&c, fmt, lim, NULL) != EG_OK)
        abort();
    return c;
}

static void run_whole(outcome *o, eg_format fmt, const eg_cursor_limits *lim,
                      const uint8_t *in, size_t n, const uint64_t *t, size_t nt)
{
    eg_cursor *c = make(fmt, lim);
    unsigned char *buf = malloc(n ? n : 1);
    memcpy(buf, in, n);
    o->a = calloc(nt, sizeof *o->a);
    for (size_t i = 0; i < nt; i++) {
        eg_cursor_pos p;
        if (eg__cursor_seek(c, buf, 0, n, t[i], &p) != EG_OK)
            abort();
        keep(&o->a[i], &p);
    }
    free(buf);
    close_run(o, c);
}

/* Buffers of random size starting a random few bytes before the cursor
 * and holding a random few bytes past the region they own. */
static void run_chunks(outcome *o, eg_format fmt, const eg_cursor_limits *lim,
                       const uint8_t *in, size_t n, const uint64_t *t,
                       size_t nt, uint64_t rnd, size_t max_step)
{
    eg_cursor *c = make(fmt, lim);
    o->a = calloc(nt, sizeof *o->a);
    size_t cur = 0, ti = 0;
    for (;;) {
        size_t step = 1 + (size_t)(next_rand(&rnd) % max_step);
        size_t back = (size_t)(next_rand(&rnd) % 5);
        size_t ahead = (size_t)(next_rand(&rnd) % 5);
        size_t base = cur > back ? cur - back : 0;
        size_t own_end = cur + step < n ? cur + step : n;
        size_t buf_end = own_end + ahead < n ? own_end + ahead : n;
        size_t len = buf_end - base;
        unsigned char *buf = malloc(len ? len : 1);
        memcpy(buf, in + base, len);
        while (ti < nt && (t[ti] < own_end || own_end == n)) {
            eg_cursor_pos p;
            if (eg__cursor_seek(c, buf, base, len, t[ti], &p) != EG_OK)
                abort();
            keep(&o->a[ti++], &p);
        }
        if (eg__cursor_seek(c, buf, base, len, own_end, NULL) != EG_OK)
            abort();
        free(buf);
        cur = own_end;
        if (cur >= n)
            break;
    }
    close_run(o, c);
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void must_agree(const outcome *x, const outcome *y, size_t nt)
{
    for (size_t i = 0; i < nt; i++) {
        const eg_cursor_pos *a = &x->a[i].pos, *b = &y->a[i].pos;
        if (a->record != b->record || a->column != b->column ||
            a->in_header != b->in_header || a->in_key != b->in_key ||
            a->in_string != b->in_string ||
            !same(x->a[i].field, y->a[i].field) ||
            !same(x->a[i].name, y->a[i].name)) {
            fprintf(stderr, "chunking changed the answer for target #%zu\n", i);
            abort();
        }
    }
    if (!same(x->problem, y->problem) || x->problem_off != y->problem_off ||
        x->records != y->records || x->has_header != y->has_header) {
        fprintf(stderr, "chunking changed the end state\n");
        abort();
    }
}

/* Input layout: byte 0 picks the format variant and limits, the rest is
 * the document.  Targets and buffer cuts come from a generator seeded by
 * the whole input. */
static void check_input(const uint8_t *data, size_t size, eg_format f0,
                        eg_format f1)
{
    if (size < 1)
        return;
    uint8_t mode = data[0];
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    eg_format fmt = (mode & 1) ? f1 : f0;
    eg_cursor_limits small = {4, 3, 5}, *lim = (mode & 2) ? &small : NULL;

    uint64_t rnd = 0x9E3779B97F4A7C15ULL ^ size;
    for (size_t i = 0; i < size; i++)
        rnd = (rnd ^ data[i]) * 0x100000001B3ULL;
    if (!rnd)
        rnd = 1;
    size_t nt = 1 + (size_t)(next_rand(&rnd) % 48);
    uint64_t *t = malloc(nt * sizeof *t);
    for (size_t i = 0; i < nt; i++)
        t[i] = n ? next_rand(&rnd) % (n + 1) : 0;
    for (size_t i = 1; i < nt; i++) /* insertion sort: targets ascend */
        for (size_t j = i; j > 0 && t[j - 1] > t[j]; j--) {
            uint64_t x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    t[nt - 1] = n; /* always ask about the end, too */

    outcome whole = {0}, parts = {0};
    run_whole(&whole, fmt, lim, in, n, t, nt);
    size_t max_step = (mode & 4) ? 3 : (mode & 8) ? 16 : 64;
    run_chunks(&parts, fmt, lim, in, n, t, nt, rnd, max_step);
    must_agree(&whole, &parts, nt);
    free_outcome(&whole, nt);
    free_outcome(&parts, nt);
    free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_input(data, size, EG_FORMAT_JSON, EG_FORMAT_JSONL);
    return 0;
}
