/*
 * fuzz_scan.c: libFuzzer harness for the whole scan driver
 * (eg_scan_buffer: source, sniffing, matcher, detectors, structure
 * cursors, masking and fingerprints) on arbitrary bytes.
 *
 * Each input is scanned twice: once with the format detected (as the CLI
 * does by default) and once with the format forced by the first byte
 * (text, csv, tsv, json, jsonl), so that every cursor meets every kind of
 * byte soup, not only what the sniffer lets through.  The last byte picks
 * the options (binary scanning, a small findings cap, a shallow JSON depth
 * limit).  Beyond "no crash, no sanitizer report", the findings must obey
 * the output contract (shared/spec/findings.md):
 * - 0 <= start < end <= input length, findings in offset order;
 * - `line` is 1 + the newlines before `start`; in text, record = line - 1;
 * - the masked preview is never the raw bytes of the value;
 * - the fingerprint is 16 hex digits equal to fp64; a birth date only on
 *   resident IDs; the findings cap is honoured;
 * - the input summary agrees with what the sink received, and a binary
 *   file skipped reports nothing.
 * Compressed inputs (gzip/zstd magic) are decompressed by the driver, so
 * offset checks against the raw bytes are skipped for them; the small
 * decompression limit keeps bombs from eating the fuzzing time.
 */
#include "scan_collect.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, "fuzz_scan: " __VA_ARGS__);                            \
        fputc('\n', stderr);                                                   \
        abort();                                                               \
    } while (0)

static int compressed(const uint8_t *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return 1;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return 1;
    return n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d &&
           p[3] == 0x18;
}

static int hexdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void check_fingerprint(const got_finding *g)
{
    uint64_t v = 0;
    for (int i = 0; i < 16; i++) {
        char c = g->fingerprint[i];
        if (!hexdigit(c))
            FAIL("fingerprint is not 16 lower-case hex digits");
        v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    if (g->fingerprint[16] != '\0' || v != g->fp64)
        FAIL("fingerprint text and fp64 disagree");
}

/* The checks that need the raw bytes (uncompressed input only). */
static void check_against_bytes(const got_finding *g, const uint8_t *data,
                                size_t size, uint64_t *nl_pos,
                                uint64_t *nl_count)
{
    if (g->end > size)
        FAIL("finding ends at %llu past the input (%zu bytes)",
             (unsigned long long)g->end, size);
    /* newlines counted incrementally: findings come in offset order */
    for (; *nl_pos < g->start; (*nl_pos)++)
        *nl_count += data[*nl_pos] == '\n';
    if (g->line != *nl_count + 1)
        FAIL("finding at %llu: line %llu, but %llu newlines precede it",
             (unsigned long long)g->start, (unsigned long long)g->line,
             (unsigned long long)*nl_count);
    size_t span = (size_t)(g->end - g->start);
    if (strlen(g->masked) == span &&
        memcmp(g->masked, data + g->start, span) == 0)
        FAIL("finding at %llu: masked preview equals the raw value",
             (unsigned long long)g->start);
}

static void check_findings(const collected *c, const uint8_t *data, size_t size,
                           int raw, eg_format fmt)
{
    uint64_t nl_pos = 0, nl_count = 0, prev = 0;
    for (size_t i = 0; i < c->n; i++) {
        const got_finding *g = &c->f[i];
        if (g->start >= g->end)
            FAIL("finding with start %llu >= end %llu",
                 (unsigned long long)g->start, (unsigned long long)g->end);
        if (g->start < prev)
            FAIL("findings out of order: %llu after %llu",
                 (unsigned long long)g->start, (unsigned long long)prev);
        prev = g->start;
        if (g->type < 0 || g->type >= eg_type_count())
            FAIL("finding with type index %d", g->type);
        if (!(g->confidence >= 0.0f && g->confidence <= 1.0f))
            FAIL("confidence out of [0, 1]");
        if (g->input_index != 0)
            FAIL("input_index %u for a single buffer", g->input_index);
        if (g->birth_ymd && g->type != eg_type_from_id("cn_resident_id"))
            FAIL("birth date on a %s", eg_type_id(g->type));
        if (g->line == 0)
            FAIL("line 0");
        if (fmt == EG_FORMAT_TEXT && g->record != g->line - 1)
            FAIL("text finding: record %llu on line %llu",
                 (unsigned long long)g->record, (unsigned long long)g->line);
        check_fingerprint(g);
        if (raw)
            check_against_bytes(g, data, size, &nl_pos, &nl_count);
    }
}

static int binary_skipped(const collected *c)
{
    for (size_t i = 0; i < c->nw; i++)
        if (c->w[i].code == EG_EUNSUPPORTED &&
            strstr(c->w[i].message, "binary file skipped"))
            return 1;
    return 0;
}

static void scan_once(const uint8_t *data, size_t size, eg_format fmt,
                      uint8_t opt_byte)
{
    eg_scan_options o = EG_SCAN_OPTIONS_INIT;
    o.threads = 1;
    o.format = fmt;
    o.key = collect_key();
    o.as_of_ymd = 20240615;
    o.max_decompressed = 1u << 20;
    o.scan_binary = opt_byte & 1;
    if (opt_byte & 2)
        o.max_findings = 1 + ((opt_byte >> 4) & 3);
    if (opt_byte & 4)
        o.max_depth = 4;
    collected c;
    memset(&c, 0, sizeof c);
    eg_error err;
    int rc = eg_scan_buffer(collect_engine(), &o, "fuzz", data, size,
                            &collect_sink, &c, &err);
    if (rc != EG_OK)
        FAIL("eg_scan_buffer returned %s: %s", eg_error_name(rc), err.message);
    int raw = !compressed(data, size);
    if (binary_skipped(&c)) {
        if (o.scan_binary || c.n || c.inputs_done)
            FAIL("a binary input was skipped yet reported something");
    } else {
        if (c.inputs_done != 1)
            FAIL("%d input_done calls for one buffer", c.inputs_done);
        if (c.info.findings != c.n)
            FAIL("input summary says %llu findings, the sink got %zu",
                 (unsigned long long)c.info.findings, c.n);
        if (raw && (c.info.bytes != size || c.info.status != EG_OK))
            FAIL("input summary: %llu bytes, status %d for %zu plain bytes",
                 (unsigned long long)c.info.bytes, c.info.status, size);
        if (fmt != EG_FORMAT_AUTO && c.info.format != fmt)
            FAIL("forced format %d reported as %d", fmt, c.info.format);
    }
    if (o.max_findings && c.n > o.max_findings)
        FAIL("%zu findings with a cap of %llu", c.n,
             (unsigned long long)o.max_findings);
    for (size_t i = 0; i < c.nw; i++)
        if (raw && c.w[i].offset != UINT64_MAX && c.w[i].offset > size)
            FAIL("warning at offset %llu past the input",
                 (unsigned long long)c.w[i].offset);
    check_findings(&c, data, size, raw, c.inputs_done ? c.info.format : fmt);
    collected_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const eg_format forced[] = {EG_FORMAT_TEXT, EG_FORMAT_CSV,
                                       EG_FORMAT_TSV, EG_FORMAT_JSON,
                                       EG_FORMAT_JSONL};
    uint8_t opt_byte = size ? data[size - 1] : 0;
    scan_once(data, size, EG_FORMAT_AUTO, opt_byte);
    if (size)
        scan_once(data, size, forced[data[0] % 5], opt_byte);
    return 0;
}
