/*
 * fuzz_mask.c: libFuzzer harness for `egress mask` / `unmask` (scan pass,
 * rewriter, span codec, unmask) on arbitrary bytes, in memory.
 *
 * Byte 0 picks the input format (auto, text, csv, tsv, json, jsonl) and
 * the policy (encrypt everything; the built-in policy; redact with a
 * placeholder full of CSV and JSON specials; drop everything, which
 * removes CSV columns and JSON members); the rest is the input.
 * Beyond "no crash, no sanitizer report":
 * - masking succeeds (or reports a compressed input it cannot read);
 * - the spans are in order, disjoint, inside both texts;
 * - bytes outside the spans are the input's, unless a CSV field had to be
 *   quoted (then only quotes were added) or columns or members were
 *   dropped;
 * - a CSV/TSV/JSON/JSON Lines input keeps its record count (dropped CSV
 *   columns may leave rows with nothing: those may go), and a
 *   well-formed one stays well-formed (the structure cursor finds no new
 *   problem);
 * - under encrypt, when no value fell back to redact, unmask restores the
 *   input byte for byte.
 */
#include "protect/mask_int.h"
#include "read/structure.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, "fuzz_mask: " __VA_ARGS__);                            \
        fputc('\n', stderr);                                                   \
        abort();                                                               \
    } while (0)

enum { POL_ENCRYPT, POL_DEFAULT, POL_SPECIALS, POL_DROP, POL_COUNT };

static eg_engine *eng;
static eg_masker *maskers[EG_FORMAT_COUNT][POL_COUNT];

static void write_policy(char *path, const char *yaml)
{
    int fd = mkstemp(path);
    size_t n = strlen(yaml);
    if (fd < 0 || write(fd, yaml, n) != (ssize_t)n)
        FAIL("setup: cannot write the policy");
    close(fd);
}

static void setup(void)
{
    eg_error err;
    static eg_key key;
    unsigned char b[32];
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)(3 * i + 5);
    if (eg_key_from_bytes(&key, b, 32, &err) != EG_OK ||
        eg_engine_new(&eng, &err) != EG_OK)
        FAIL("setup: %s", err.message);
    char policy[] = "/tmp/fuzz_mask_policy_XXXXXX";
    char dropper[] = "/tmp/fuzz_mask_drop_XXXXXX";
    write_policy(policy, "default: {op: redact, text: \"\\\"a,b\\\\\\n\"}\n");
    write_policy(dropper, "default: drop\n");
    for (int f = 0; f < EG_FORMAT_COUNT; f++)
        for (int p = 0; p < POL_COUNT; p++) {
            eg_mask_options o = EG_MASK_OPTIONS_INIT;
            o.key = &key;
            o.scan.format = (eg_format)f;
            o.scan.as_of_ymd = 20240601;
            o.scan.max_decompressed = 1 << 20;
            o.operator_name = p == POL_ENCRYPT ? "encrypt" : NULL;
            o.policy_file = p == POL_SPECIALS ? policy
                            : p == POL_DROP   ? dropper
                                              : NULL;
            /* encrypt and the built-in policy with a helper thread that
             * computes operators ahead of the copy from the first value
             * on (unmask and the gap check then test that path too) */
            o.scan.threads = p == POL_ENCRYPT || p == POL_DEFAULT ? 2 : 1;
            if (eg_masker_new(&maskers[f][p], eng, &o, &err) != EG_OK)
                FAIL("setup: %s", err.message);
            maskers[f][p]->pre_min = 1;
        }
    unlink(policy);
    unlink(dropper);
}

static int compressed(const uint8_t *p, size_t n)
{
    return (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
           (n >= 4 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) ||
           (n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d &&
            p[3] == 0x18);
}

static void check_spans(const eg_mspans *s, size_t in_n, size_t out_n)
{
    uint64_t in_end = 0, out_end = 0;
    for (size_t i = 0; i < s->n; i++) {
        const eg_mspan *p = &s->v[i];
        if (p->in_start < in_end || p->in_end < p->in_start ||
            p->in_end > in_n || p->out_start < out_end ||
            p->out_end < p->out_start || p->out_end > out_n)
            FAIL("span %zu out of order or out of bounds", i);
        in_end = p->in_end;
        out_end = p->out_end;
    }
}

/* Bytes between spans are copied; with re-quoted CSV fields, the output's
 * gaps are the input's with quotes added. */
static void check_gaps(const eg_mspans *s, const uint8_t *in, size_t in_n,
                       const char *out, size_t out_n, int quotes_added)
{
    uint64_t ip = 0, op = 0;
    for (size_t i = 0; i <= s->n; i++) {
        uint64_t ie = i < s->n ? s->v[i].in_start : in_n;
        uint64_t oe = i < s->n ? s->v[i].out_start : out_n;
        if (!quotes_added) {
            if (ie - ip != oe - op || memcmp(in + ip, out + op, ie - ip))
                FAIL("bytes outside spans changed before span %zu", i);
        } else {
            uint64_t a = ip, b = op;
            while (a < ie && b < oe) {
                if (in[a] == (uint8_t)out[b])
                    a++, b++;
                else if (out[b] == '"')
                    b++;
                else
                    FAIL("a gap byte changed before span %zu", i);
            }
            while (b < oe && out[b] == '"')
                b++;
            if (a != ie || b != oe)
                FAIL("gap lengths differ before span %zu", i);
        }
        if (i < s->n) {
            ip = s->v[i].in_end;
            op = s->v[i].out_end;
        }
    }
}

/* Records and the first structural problem, as the scan's cursor sees. */
static void structure(eg_format fmt, const void *p, size_t n, uint64_t *records,
                      int *problem)
{
    eg_cursor *c = NULL;
    *records = 0;
    *problem = 0;
    if (eg__cursor_new(&c, fmt, NULL, NULL) != EG_OK)
        FAIL("cursor");
    if (eg__cursor_seek(c, p, 0, n, n, NULL) != EG_OK)
        FAIL("cursor seek");
    uint64_t off;
    /* the header row counts too: a replacement in the first row may
     * change whether the cursor takes it for a header */
    *records = eg__cursor_records(c) + (eg__cursor_has_header(c) == 1);
    *problem = eg__cursor_problem(c, &off) != NULL;
    eg__cursor_free(c);
}

/* What a source yields for data[0..n) (charset AUTO or forced GB18030),
 * and whether it read GB18030 (2: with stray lead bytes, so that mask
 * writes its output in UTF-8). */
static int decode(const void *data, size_t n, int charset, eg_buf *out)
{
    eg_source_limits lim = {0, 0, charset};
    eg_source *src = NULL;
    eg_error err;
    if (eg__source_open_memory(&src, "-", data ? data : "", n, &lim, &err) !=
        EG_OK)
        FAIL("decode: %s", err.message);
    static unsigned char buf[65536];
    size_t got;
    while (eg__source_read(src, buf, sizeof buf, &got, &err) == EG_OK && got)
        if (eg__buf_append(out, buf, got) != EG_OK)
            FAIL("decode: out of memory");
    int gb = !strcmp(eg__source_charset(src), "gb18030");
    if (gb && eg__source_stray_leads(src))
        gb = 2;
    eg__source_close(src);
    return gb;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!eng)
        setup();
    if (size < 1)
        return 0;
    int fmt_pick = data[0] % EG_FORMAT_COUNT;
    int pol = (data[0] / EG_FORMAT_COUNT) % POL_COUNT;
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    eg_masker *m = maskers[fmt_pick][pol];
    eg_buf out = {0}, back = {0}, din = {0}, dout = {0};
    eg_mspans spans = {0};
    eg_rewrite_counts *counts = calloc(1, sizeof *counts);
    eg_format fmt = EG_FORMAT_TEXT;
    eg_error err;
    int rc = eg__mask_memory(m, in, n, &fmt, &out, &spans, counts, &err);
    if (rc != EG_OK) {
        int tolerated =
            rc == EG_EUNSUPPORTED || /* binary */
            (compressed(in, n) && (rc == EG_ECORRUPT || rc == EG_ELIMIT));
        if (!tolerated)
            FAIL("mask failed: %s (%s)", eg_error_name(rc), err.message);
        goto done;
    }
    if (compressed(in, n))
        goto done; /* offsets count decompressed bytes */
    /* GB18030 input: spans count the text decoded; the output is GB18030
     * again, so both are compared decoded */
    int gb_in = decode(in, n, EG_CHARSET_AUTO, &din);
    int gb = gb_in == 1; /* the output is GB18030 too */
    if (gb)
        decode(out.data, out.len, EG_CHARSET_GB18030, &dout);
    const uint8_t *tin = gb_in ? (const uint8_t *)din.data : in;
    size_t tn = gb_in ? din.len : n;
    const char *tout = gb ? dout.data : out.data;
    size_t tout_n = gb ? dout.len : out.len;
    if (!gb_in && (din.len != n || (n && memcmp(din.data, in, n))))
        FAIL("read as UTF-8, the input changed");
    check_spans(&spans, tn, tout_n);
    if (counts->dropped_cells == 0)
        check_gaps(&spans, tin ? tin : (const uint8_t *)"", tn,
                   tout ? tout : "", tout_n,
                   counts->requoted > 0 || counts->sanitized > 0);
    else if (pol != POL_DROP)
        FAIL("columns or members dropped without the drop operator");
    if (fmt != EG_FORMAT_TEXT) {
        uint64_t r_in, r_out;
        int p_in, p_out;
        structure(fmt, tin ? tin : (const uint8_t *)"", tn, &r_in, &p_in);
        structure(fmt, tout ? tout : "", tout_n, &r_out, &p_out);
        /* a row whose every column was dropped is an empty line (nothing
         * at the end of the input): not counted */
        if (!p_in && !p_out && r_in != r_out &&
            !(counts->dropped_cells > 0 && r_out < r_in))
            FAIL("%s: %llu records in, %llu out", eg_format_name(fmt),
                 (unsigned long long)r_in, (unsigned long long)r_out);
        if (!p_in && p_out && counts->sanitized == 0)
            FAIL("%s: well-formed input, malformed output",
                 eg_format_name(fmt));
    }
    if (pol == POL_ENCRYPT && counts->fallbacks == 0) {
        rc = eg__unmask_memory(m, out.data, out.len, &spans, gb, &back, &err);
        if (rc != EG_OK)
            FAIL("unmask failed: %s", err.message);
        /* a GB18030 input with stray bytes comes back as its UTF-8 text */
        const uint8_t *want = gb_in == 2 ? tin : in;
        size_t wn = gb_in == 2 ? tn : n;
        if (back.len != wn || memcmp(back.data ? back.data : "", want, wn))
            FAIL("unmask(mask(x)) != x");
    }
done:
    eg__buf_free(&out);
    eg__buf_free(&back);
    eg__buf_free(&din);
    eg__buf_free(&dout);
    eg__mspans_free(&spans);
    free(counts);
    return 0;
}
