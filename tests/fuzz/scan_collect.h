/*
 * scan_collect.h: the collecting sink shared by the driver harnesses
 * (fuzz_scan.c, fuzz_scan_chunks.c) and nothing else.  A scan's findings,
 * warnings and per-input summaries are copied out of the callbacks (their
 * pointers are valid only during the call) into a plain list, so that a
 * harness can check invariants afterwards or compare two scans field by
 * field.  Header-only with static functions: each harness is a separate
 * executable and must use only the library, so there is no object to link.
 * Allocation failures here abort(): they are the harness's, not the
 * library's, and a fuzzer must not confuse the two.
 */
#ifndef EG_SCAN_COLLECT_H
#define EG_SCAN_COLLECT_H

#include "egress.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct got_finding {
    uint64_t start, end, line, record;
    int type;
    float confidence;
    char *field; /* copy, or NULL */
    char masked[96];
    char fingerprint[17];
    uint64_t fp64;
    uint32_t birth_ymd, input_index, flags;
} got_finding;

typedef struct got_warning {
    uint64_t offset;
    int code;
    char *message;
} got_warning;

typedef struct collected {
    got_finding *f;
    size_t n, cap;
    got_warning *w;
    size_t nw, capw;
    int inputs_done;
    eg_input_info info; /* the last input_done (path not kept) */
} collected;

static void *collect_grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 64;
    void *q = realloc(p, *cap * size);
    if (!q)
        abort();
    return q;
}

static char *collect_strdup(const char *s)
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

static int collect_finding(const eg_finding *f, void *payload)
{
    collected *c = payload;
    c->f = collect_grow(c->f, &c->cap, c->n, sizeof *c->f);
    got_finding *g = &c->f[c->n++];
    g->start = f->start;
    g->end = f->end;
    g->line = f->line;
    g->record = f->record;
    g->type = f->type;
    g->confidence = f->confidence;
    g->field = collect_strdup(f->field);
    /* masked and fingerprint must be NUL-terminated inside their arrays */
    if (!memchr(f->masked, '\0', sizeof f->masked) ||
        !memchr(f->fingerprint, '\0', sizeof f->fingerprint)) {
        fprintf(stderr, "finding: masked/fingerprint not terminated\n");
        abort();
    }
    memcpy(g->masked, f->masked, sizeof g->masked);
    memcpy(g->fingerprint, f->fingerprint, sizeof g->fingerprint);
    g->fp64 = f->fp64;
    g->birth_ymd = f->birth_ymd;
    g->input_index = f->input_index;
    g->flags = f->flags;
    return 0;
}

static void collect_input_done(const eg_input_info *info, void *payload)
{
    collected *c = payload;
    c->inputs_done++;
    c->info = *info;
    c->info.path = NULL;
}

static void collect_warning(const char *path, uint64_t offset, int code,
                            const char *message, void *payload)
{
    collected *c = payload;
    (void)path;
    c->w = collect_grow(c->w, &c->capw, c->nw, sizeof *c->w);
    got_warning *w = &c->w[c->nw++];
    w->offset = offset;
    w->code = code;
    w->message = collect_strdup(message ? message : "");
}

static const eg_sink collect_sink = {collect_finding, collect_input_done,
                                     collect_warning, NULL};

static void collected_free(collected *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->f[i].field);
    for (size_t i = 0; i < c->nw; i++)
        free(c->w[i].message);
    free(c->f);
    free(c->w);
    memset(c, 0, sizeof *c);
}

/* One engine for the whole fuzzing session: compiling the patterns costs
 * far more than a scan.  It stays reachable from this static, so the leak
 * checker does not count it. */
static const eg_engine *collect_engine(void)
{
    static eg_engine *engine;
    if (!engine) {
        eg_error err;
        if (eg_engine_new(&engine, &err) != EG_OK) {
            fprintf(stderr, "eg_engine_new: %s\n", err.message);
            abort();
        }
    }
    return engine;
}

/* A fixed key and date: the same input must give the same fingerprints
 * and date checks in every run. */
static const eg_key *collect_key(void)
{
    static eg_key key;
    static int ready;
    if (!ready) {
        unsigned char bytes[EG_KEY_BYTES];
        for (size_t i = 0; i < sizeof bytes; i++)
            bytes[i] = (unsigned char)(i * 7 + 1);
        if (eg_key_from_bytes(&key, bytes, sizeof bytes, NULL) != EG_OK)
            abort();
        ready = 1;
    }
    return &key;
}

#endif
