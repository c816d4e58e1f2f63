/*
 * mask_unmask.c: `egress unmask`: restore the `encrypt` spans of a masked
 * file, using the spans its mask report recorded and the key.
 *
 * The report is the map: which output bytes are a span, of which type,
 * with which operator and settings, written in which encoding (raw, in a
 * JSON string, in a quoted CSV field, or a bare JSON value made a string).
 * So unmask needs no structure parsing and no scan: it copies the file,
 * and for each encrypt span decodes the bytes, runs FF1 backwards with the
 * same subkey and settings (the date included: the report records the one
 * the mask used), and writes the result in the input's encoding.
 *
 * Safety: before anything is written, the masked file's content (after
 * decompression) must have the SHA-256 and length recorded for one output
 * of the report: offsets into any other bytes would "decrypt" garbage.
 * That takes one extra read of the file; standard input is held in memory
 * for it.  The key must be the report's (same key id).
 *
 * Other operators are one-way: their spans are copied as they are and
 * counted, and the caller says so.
 */
#include "protect/mask_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK ((size_t)1 << 20)
#define MAX_STDIN ((uint64_t)1 << 30)

typedef struct ur {
    eg_source *src;
    unsigned char *buf;
    size_t len, off;
    uint64_t pos;
    eg_mask_out *out;
    eg_buf span;
    const char *path;
    eg_error *err;
} ur;

/* Move the next n bytes of the masked file to the output (to_span = 0)
 * or into r->span. */
static int take(ur *r, uint64_t n, int to_span)
{
    while (n) {
        if (r->off == r->len) {
            size_t got = 0;
            int rc = eg__source_read(r->src, r->buf, CHUNK, &got, r->err);
            if (rc != EG_OK)
                return rc;
            if (got == 0)
                return eg__fail(r->err, EG_ECORRUPT,
                                "%s: ended at byte %llu, before the report's "
                                "spans: it changed",
                                r->path, (unsigned long long)r->pos);
            r->len = got;
            r->off = 0;
        }
        size_t k = r->len - r->off;
        if (k > n)
            k = (size_t)n;
        int rc = to_span
                     ? eg__buf_append(&r->span, r->buf + r->off, k)
                     : eg__mask_out_write(r->out, r->buf + r->off, k, r->err);
        if (rc == EG_ENOMEM)
            return eg__fail(r->err, rc, "out of memory");
        if (rc != EG_OK)
            return rc;
        r->off += k;
        r->pos += k;
        n -= k;
    }
    return EG_OK;
}

static int copy_rest(ur *r)
{
    int rc = EG_OK;
    if (r->off < r->len)
        rc = eg__mask_out_write(r->out, r->buf + r->off, r->len - r->off,
                                r->err);
    r->off = r->len;
    while (rc == EG_OK) {
        size_t got = 0;
        rc = eg__source_read(r->src, r->buf, CHUNK, &got, r->err);
        if (rc != EG_OK || got == 0)
            break;
        rc = eg__mask_out_write(r->out, r->buf, got, r->err);
    }
    return rc;
}

/* "redact, mask": the operators of the spans left as they are. */
static void name_ops(eg_unmask_stats *st, unsigned seen)
{
    size_t at = 0;
    for (int op = 0; op < EG_OP_COUNT; op++)
        if (seen & (1u << op)) {
            int n = snprintf(st->not_reversible_ops + at,
                             sizeof st->not_reversible_ops - at, "%s%s",
                             at ? ", " : "", eg__op_name((eg_op_kind)op));
            if (n < 0 || (size_t)n >= sizeof st->not_reversible_ops - at)
                return;
            at += (size_t)n;
        }
}

/* Decrypt one span held in r->span and write it as the input had it. */
static int restore(ur *r, eg_op_worker *w, const eg_report_entry *e,
                   const eg_mspan *s, eg_codec *codec, eg_buf *plain)
{
    int rc = eg__codec_decode(codec, s->enc, r->span.data ? r->span.data : "",
                              r->span.len);
    if (rc == EG_ENOMEM)
        return eg__fail(r->err, rc, "out of memory");
    if (rc != EG_OK)
        return eg__fail(r->err, EG_ECORRUPT,
                        "%s: the span at bytes %llu-%llu is not written as "
                        "the report says",
                        r->path, (unsigned long long)s->out_start,
                        (unsigned long long)s->out_end);
    eg_op_settings set;
    if (e->have_set[s->type] && e->set[s->type].op == s->op)
        set = e->set[s->type];
    else
        eg__op_settings_init(&set, (eg_op_kind)s->op);
    plain->len = 0;
    eg_error oe;
    rc = eg__op_reverse(w, s->type, &set, codec->raw.data, codec->raw.len,
                        plain, &oe);
    if (rc != EG_OK)
        return eg__fail(r->err, rc == EG_ENOMEM ? rc : EG_ECORRUPT,
                        "%s: the %s span at bytes %llu-%llu does not "
                        "decrypt (%s)",
                        r->path, eg_type_id(s->type),
                        (unsigned long long)s->out_start,
                        (unsigned long long)s->out_end, oe.message);
    /* a bare JSON value the mask made a string is bare again */
    int enc = s->enc == EG_ENC_WRAP ? EG_ENC_RAW : s->enc;
    r->span.len = 0;
    if (eg__codec_encode(codec, enc, plain->data ? plain->data : "", plain->len,
                         &r->span) != EG_OK)
        return eg__fail(r->err, EG_ENOMEM, "out of memory");
    return eg__mask_out_write(r->out, r->span.data, r->span.len, r->err);
}

static int unmask_spans(ur *r, eg_op_worker *w, const eg_report_entry *e,
                        eg_unmask_stats *st)
{
    eg_codec codec = {0};
    eg_buf plain = {0};
    unsigned seen = 0;
    int rc = EG_OK;
    for (size_t i = 0; i < e->spans.n && rc == EG_OK; i++) {
        const eg_mspan *s = &e->spans.v[i];
        rc = take(r, s->out_start - r->pos, 0);
        if (rc != EG_OK)
            break;
        int reversible = (s->op == EG_OP_ENCRYPT || s->op == EG_OP_KEEP) &&
                         !(s->flags & EG_SPAN_FALLBACK);
        if (!reversible) {
            st->not_reversible++;
            seen |= 1u << (s->flags & EG_SPAN_FALLBACK ? EG_OP_REDACT : s->op);
            rc = take(r, s->out_end - s->out_start, 0);
            continue;
        }
        r->span.len = 0;
        rc = take(r, s->out_end - s->out_start, 1);
        if (rc == EG_OK)
            rc = restore(r, w, e, s, &codec, &plain);
        if (rc == EG_OK)
            st->restored++;
    }
    eg__codec_free(&codec);
    eg__buf_free(&plain);
    name_ops(st, seen);
    return rc == EG_OK ? copy_rest(r) : rc;
}

/* `charset`: EG_CHARSET_RAW to hash the file, EG_CHARSET_GB18030 to read
 * the text of a GB18030 output as its report's spans count it. */
static int open_masked(eg_source **src, const char *masked, const eg_buf *mem,
                       int charset, eg_error *err)
{
    eg_source_limits lim = {(uint64_t)16 << 30, 1000, charset};
    if (mem)
        return eg__source_open_memory(src, "-", mem->data ? mem->data : "",
                                      mem->len, &lim, err);
    return eg__source_open(src, masked, &lim, err);
}

static int read_all_stdin(eg_buf *b, eg_error *err)
{
    for (;;) {
        if (eg__buf_reserve(b, 1 << 16) != EG_OK)
            return eg__fail(err, EG_ENOMEM, "out of memory reading stdin");
        ssize_t n = read(STDIN_FILENO, b->data + b->len, b->cap - b->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return eg__fail(err, EG_EIO, "standard input: %s", strerror(errno));
        if (n == 0)
            return EG_OK;
        b->len += (size_t)n;
        if (b->len > MAX_STDIN)
            return eg__fail(err, EG_ELIMIT,
                            "standard input: more than 1 GiB (unmask a file)");
    }
}

/* Hash the masked file and find it in the report. */
static int match_report(const char *report, const char *masked,
                        const eg_buf *mem, eg_report_entry *e, eg_error *err)
{
    eg_source *src = NULL;
    unsigned char sha[32];
    uint64_t bytes = 0;
    int rc = open_masked(&src, masked, mem, EG_CHARSET_RAW, err);
    if (rc == EG_OK)
        rc = eg__source_sha256(src, sha, &bytes, err);
    eg__source_close(src);
    if (rc == EG_OK)
        rc = eg__report_read(report, sha, bytes, e, err);
    if (rc == EG_OK && !e->found)
        rc = eg__fail(err, EG_EINVAL,
                      "%s does not match the report %s: no output listed "
                      "there has this content (SHA-256 and length); was it "
                      "modified, or masked in another run?",
                      masked, report);
    return rc;
}

static int check_paths(const char *report, const char *masked,
                       const char *output, eg_error *err)
{
    if (eg__same_file(output, masked))
        return eg__fail(err, EG_EPERM,
                        "%s: refusing to write over the masked input", output);
    if (eg__same_file(output, report))
        return eg__fail(err, EG_EPERM, "%s: refusing to write over the report",
                        output);
    return EG_OK;
}

int eg_unmask_file(const eg_key *key, const char *report, const char *masked,
                   const char *output, eg_unmask_stats *stats, eg_error *err)
{
    eg__error_clear(err);
    eg_unmask_stats local;
    eg_unmask_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (!key || !report || !masked || !output)
        return eg__fail(err, EG_EINVAL, "eg_unmask_file: NULL argument");
    int rc = check_paths(report, masked, output, err);
    eg_buf mem = {0};
    int is_stdin = !strcmp(masked, "-");
    if (rc == EG_OK && is_stdin)
        rc = read_all_stdin(&mem, err);
    eg_report_entry e;
    memset(&e, 0, sizeof e);
    if (rc == EG_OK)
        rc = match_report(report, masked, is_stdin ? &mem : NULL, &e, err);
    if (rc == EG_OK && strcmp(e.key_id, key->id) != 0)
        rc = eg__fail(err, EG_EPERM,
                      "the key %s is not the key of the report (%s)", key->id,
                      e.key_id);
    eg_protector *prot = NULL;
    eg_op_worker *w = NULL;
    if (rc == EG_OK)
        rc = eg__protector_new(&prot, key, err);
    if (rc == EG_OK)
        rc = eg__op_worker_new(&w, prot, err);
    ur r;
    memset(&r, 0, sizeof r);
    r.path = masked;
    r.err = err;
    int gb = rc == EG_OK && !strcmp(e.charset, "gb18030");
    if (rc == EG_OK)
        rc = open_masked(&r.src, masked, is_stdin ? &mem : NULL,
                         gb ? EG_CHARSET_GB18030 : EG_CHARSET_RAW, err);
    if (rc == EG_OK && !(r.buf = eg__malloc(CHUNK)))
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    if (rc == EG_OK)
        rc = eg__mask_out_open(&r.out, output, eg__source_compression(r.src), 0,
                               is_stdin ? NULL : masked, err);
    if (rc == EG_OK && gb)
        eg__mask_out_gb18030(r.out);
    st->spans = e.spans.n;
    if (rc == EG_OK)
        rc = unmask_spans(&r, w, &e, st);
    if (r.out) {
        if (rc == EG_OK)
            rc = eg__mask_out_commit(r.out, NULL, NULL, err);
        else
            eg__mask_out_abort(r.out);
    }
    eg__source_close(r.src);
    eg__free(r.buf);
    eg__buf_free(&r.span);
    eg__op_worker_free(w);
    eg__protector_free(prot);
    eg__report_entry_free(&e);
    eg__buf_free(&mem);
    return rc;
}

int eg__unmask_memory(const eg_masker *m, const void *masked, size_t n,
                      const eg_mspans *spans, int gb18030, eg_buf *out,
                      eg_error *err)
{
    eg__error_clear(err);
    eg_report_entry *e = eg__calloc(1, sizeof *e);
    if (!e)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    for (int t = 0; t < EG_T_COUNT; t++) {
        e->set[t] = m->set[t];
        e->have_set[t] = 1;
    }
    e->spans = *spans; /* borrowed: not freed here */
    ur r;
    memset(&r, 0, sizeof r);
    r.path = "-";
    r.err = err;
    eg_unmask_stats st;
    memset(&st, 0, sizeof st);
    int rc =
        open_masked(&r.src, "-", &(eg_buf){(char *)(uintptr_t)masked, n, n},
                    gb18030 ? EG_CHARSET_GB18030 : EG_CHARSET_RAW, err);
    if (rc == EG_OK && !(r.buf = eg__malloc(CHUNK)))
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    if (rc == EG_OK)
        rc = eg__mask_out_open_memory(&r.out, out, err);
    if (rc == EG_OK && gb18030)
        eg__mask_out_gb18030(r.out);
    if (rc == EG_OK)
        rc = unmask_spans(&r, m->worker, e, &st);
    if (r.out && rc == EG_OK)
        rc = eg__mask_out_commit(r.out, NULL, NULL, err);
    else
        eg__mask_out_abort(r.out);
    eg__source_close(r.src);
    eg__free(r.buf);
    eg__buf_free(&r.span);
    eg__free(e);
    return rc;
}
