/*
 * fuzz_scan_chunks.c: libFuzzer harness proving that chunk boundaries
 * never change a scan's results.
 *
 * The driver reads every input in chunks (eg_scan_options.chunk_bytes,
 * clamped to at least 32 KiB) with an overlap window, so that a value
 * crossing a boundary is seen whole by exactly one chunk.  Fuzz inputs are
 * small, so the harness builds a large one: the fuzz input repeated with a
 * separator (chosen by the second byte) to about 100 KiB (three to four
 * chunks; more only slows the fuzzer down), which puts every part of it
 * under some chunk boundary.  That document is scanned three times: in one
 * chunk (the reference), in 32 KiB chunks (the minimum), and in chunks of
 * 32 KiB plus an amount taken from the input.
 * Every finding (offsets, line, record, type, confidence, field, preview,
 * fingerprint, flags), every warning and the input summary must be
 * identical.  The first byte picks the format (auto, or forced).
 */
#include "scan_collect.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TARGET_BYTES (100u * 1024u)
#define MIN_CHUNK (32u * 1024u)

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, "fuzz_scan_chunks: " __VA_ARGS__);                     \
        fputc('\n', stderr);                                                   \
        abort();                                                               \
    } while (0)

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void must_agree(const collected *ref, const collected *got, size_t chunk)
{
    size_t n = ref->n < got->n ? ref->n : got->n;
    for (size_t i = 0; i < n; i++) {
        const got_finding *a = &ref->f[i], *b = &got->f[i];
        if (a->start != b->start || a->end != b->end || a->line != b->line ||
            a->record != b->record || a->type != b->type ||
            a->confidence != b->confidence || !same_str(a->field, b->field) ||
            strcmp(a->masked, b->masked) != 0 || a->fp64 != b->fp64 ||
            a->birth_ymd != b->birth_ymd || a->flags != b->flags)
            FAIL("chunk %zu: finding #%zu differs: [%llu,%llu) %s line %llu "
                 "vs [%llu,%llu) %s line %llu",
                 chunk, i, (unsigned long long)a->start,
                 (unsigned long long)a->end, eg_type_id(a->type),
                 (unsigned long long)a->line, (unsigned long long)b->start,
                 (unsigned long long)b->end, eg_type_id(b->type),
                 (unsigned long long)b->line);
    }
    if (ref->n != got->n)
        FAIL("chunk %zu: %zu findings, %zu in one chunk (first extra at "
             "%llu)",
             chunk, got->n, ref->n,
             (unsigned long long)(ref->n > n ? ref->f[n].start
                                             : got->f[n].start));
    if (ref->nw != got->nw)
        FAIL("chunk %zu: %zu warnings, %zu in one chunk", chunk, got->nw,
             ref->nw);
    for (size_t i = 0; i < ref->nw; i++)
        if (ref->w[i].code != got->w[i].code ||
            ref->w[i].offset != got->w[i].offset ||
            strcmp(ref->w[i].message, got->w[i].message) != 0)
            FAIL("chunk %zu: warning #%zu differs: %d@%llu '%s' vs %d@%llu "
                 "'%s'",
                 chunk, i, ref->w[i].code, (unsigned long long)ref->w[i].offset,
                 ref->w[i].message, got->w[i].code,
                 (unsigned long long)got->w[i].offset, got->w[i].message);
    const eg_input_info *x = &ref->info, *y = &got->info;
    if (ref->inputs_done != got->inputs_done || x->format != y->format ||
        x->bytes != y->bytes || x->records != y->records ||
        x->findings != y->findings || x->status != y->status)
        FAIL("chunk %zu: input summary differs (records %llu vs %llu, "
             "bytes %llu vs %llu)",
             chunk, (unsigned long long)y->records,
             (unsigned long long)x->records, (unsigned long long)y->bytes,
             (unsigned long long)x->bytes);
}

static void scan(collected *c, const unsigned char *doc, size_t len,
                 eg_format fmt, size_t chunk)
{
    eg_scan_options o = EG_SCAN_OPTIONS_INIT;
    o.threads = 1;
    o.format = fmt;
    o.key = collect_key();
    o.as_of_ymd = 20240615;
    o.chunk_bytes = chunk;
    o.scan_binary = 1;
    o.max_decompressed = 1u << 20;
    memset(c, 0, sizeof *c);
    eg_error err;
    int rc = eg_scan_buffer(collect_engine(), &o, "fuzz", doc, len,
                            &collect_sink, c, &err);
    if (rc != EG_OK)
        FAIL("chunk %zu: eg_scan_buffer returned %s: %s", chunk,
             eg_error_name(rc), err.message);
}

/* The fuzz input (after its two control bytes) repeated with a separator
 * up to TARGET_BYTES. */
static unsigned char *build(const uint8_t *body, size_t n, uint8_t sep_sel,
                            size_t *len_out)
{
    static const char *const seps[] = {"\n", "",   " ",    "\r\n",
                                       ",",  "\t", "\n\n", "\"\n"};
    const char *sep = seps[sep_sel % 8];
    size_t sl = strlen(sep), unit = n + sl;
    if (unit == 0)
        return NULL;
    size_t reps = (TARGET_BYTES + unit - 1) / unit;
    size_t len = reps * unit;
    unsigned char *doc = malloc(len);
    if (!doc)
        abort();
    for (size_t r = 0; r < reps; r++) {
        memcpy(doc + r * unit, body, n);
        memcpy(doc + r * unit + n, sep, sl);
    }
    *len_out = len;
    return doc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const eg_format formats[] = {EG_FORMAT_AUTO, EG_FORMAT_TEXT,
                                        EG_FORMAT_CSV,  EG_FORMAT_TSV,
                                        EG_FORMAT_JSON, EG_FORMAT_JSONL};
    if (size < 3)
        return 0;
    eg_format fmt = formats[data[0] % 6];
    size_t len = 0;
    unsigned char *doc = build(data + 2, size - 2, data[1], &len);
    if (!doc)
        return 0;
    uint32_t h = 2166136261u; /* FNV-1a of the input picks the odd chunk */
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    size_t odd = MIN_CHUNK + 1 + h % (32u * 1024u);

    collected ref, small, other;
    scan(&ref, doc, len, fmt, len > MIN_CHUNK ? len : MIN_CHUNK);
    scan(&small, doc, len, fmt, MIN_CHUNK);
    must_agree(&ref, &small, MIN_CHUNK);
    scan(&other, doc, len, fmt, odd);
    must_agree(&ref, &other, odd);
    collected_free(&ref);
    collected_free(&small);
    collected_free(&other);
    free(doc);
    return 0;
}
