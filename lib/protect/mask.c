/*
 * mask.c: `egress mask`: the masking run (eg_masker), masking one input or
 * a tree of them (the report is written by mask_report.c).
 *
 * Two passes per input.  The first is an ordinary scan (eg_scan_paths,
 * same engine, same detection, parallel), whose sink keeps each finding's
 * offsets, type and structure flags: 24 bytes per finding, never a value.
 * The second reads the input again through the input layer and rewrites
 * it (mask_rewrite.c) into an atomic, compressed-like-the-input output
 * (mask_output.c).  So memory is bounded by the number of findings, not
 * by the input's size.  Standard input cannot be read twice: it is held in
 * memory, up to a limit.  An input that changes between the passes (size,
 * time or bytes read) fails rather than producing a mis-masked output.
 *
 * The run keeps, per input, the replaced spans and counts, and writes them
 * as the JSON report (docs/internals/MASK.md); the report never holds a
 * value: offsets, type ids, operator names, counts and the SHA-256 of the
 * masked output (which unmask checks before it reverses anything).
 */
#include "protect/mask_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_STDIN ((uint64_t)1 << 30)

/* ---------------------------------------------------------------- setup */

static int load_policy(eg_masker *m, const eg_mask_options *o, eg_error *err)
{
    eg_policy *p = NULL;
    int rc;
    if (o->policy_file && o->operator_name)
        return eg__fail(err, EG_EINVAL,
                        "give a policy file or one operator, not both");
    if (o->policy_file) {
        rc = eg__policy_load(&p, o->policy_file, err);
        snprintf(m->policy_source, sizeof m->policy_source, "file");
        if (rc == EG_OK && !(m->policy_file = eg__strdup(o->policy_file)))
            rc = eg__fail(err, EG_ENOMEM, "out of memory");
    } else if (o->operator_name) {
        int op = eg__op_from_name(o->operator_name);
        if (op < 0)
            return eg__fail(err, EG_EINVAL,
                            "unknown operator '%s' (redact, mask, "
                            "pseudonymize, encrypt, generalize, keep, drop)",
                            o->operator_name);
        rc = eg__policy_single(&p, (eg_op_kind)op, err);
        snprintf(m->policy_source, sizeof m->policy_source, "operator %s",
                 eg__op_name((eg_op_kind)op));
    } else {
        rc = eg__policy_default(&p, err);
        snprintf(m->policy_source, sizeof m->policy_source, "built-in");
    }
    if (rc != EG_OK) {
        eg__policy_free(p);
        return rc;
    }
    /* "today" is fixed once, so every span of the run (and unmask, which
     * reads the date from the report) uses the same one */
    for (int t = 0; t < EG_T_COUNT; t++) {
        m->set[t] = *eg__policy_resolve(p, t);
        if (!m->set[t].as_of_ymd)
            m->set[t].as_of_ymd = m->as_of;
    }
    eg__policy_free(p);
    return EG_OK;
}

/* Operator state for the threads that apply operators ahead of the copy
 * (the rewrite pass): as many threads as the scan uses, this one
 * included. */
static int new_helpers(eg_masker *m, eg_error *err)
{
    long n = m->opts.scan.threads;
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n > 16)
        n = 16;
    if (n <= 1)
        return EG_OK;
    if (!(m->helpers = eg__calloc((size_t)n - 1, sizeof *m->helpers)))
        return eg__fail(err, EG_ENOMEM, "out of memory");
    for (; m->nhelpers < (size_t)n - 1; m->nhelpers++) {
        int rc = eg__op_worker_new(&m->helpers[m->nhelpers], m->prot, err);
        if (rc != EG_OK)
            return rc;
    }
    return EG_OK;
}

int eg_masker_new(eg_masker **out, const eg_engine *engine,
                  const eg_mask_options *opts, eg_error *err)
{
    eg__error_clear(err);
    if (!out || !engine || !opts)
        return eg__fail(err, EG_EINVAL, "eg_masker_new: NULL argument");
    *out = NULL;
    if (opts->version != EG_MASK_OPTIONS_VERSION ||
        opts->scan.version != EG_SCAN_OPTIONS_VERSION)
        return eg__fail(err, EG_EINVAL, "unknown eg_mask_options version");
    eg_masker *m = eg__calloc(1, sizeof *m);
    if (!m)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    m->engine = engine;
    m->opts = *opts;
    /* the caller's strings are not kept */
    m->opts.policy_file = NULL;
    m->opts.operator_name = NULL;
    m->as_of = opts->scan.as_of_ymd ? opts->scan.as_of_ymd : eg__today_ymd();
    int rc = EG_OK;
    if (opts->key)
        m->key = *opts->key;
    else
        rc = eg_key_generate(&m->key, err);
    if (rc == EG_OK)
        rc = load_policy(m, opts, err);
    if (rc == EG_OK)
        rc = eg__protector_new(&m->prot, &m->key, err);
    if (rc == EG_OK)
        rc = eg__op_worker_new(&m->worker, m->prot, err);
    if (rc == EG_OK)
        rc = new_helpers(m, err);
    if (rc != EG_OK) {
        eg_masker_free(m);
        return rc;
    }
    *out = m;
    return EG_OK;
}

static void free_drops(eg_mask_rec *r)
{
    eg__free(r->dropped_cols);
    for (size_t i = 0; i < r->ndropped_keys; i++)
        eg__free(r->dropped_keys[i]);
    eg__free(r->dropped_keys);
    r->dropped_cols = NULL;
    r->dropped_keys = NULL;
    r->ndropped_cols = r->ndropped_keys = 0;
}

void eg_masker_free(eg_masker *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nrecs; i++) {
        eg__free(m->recs[i].input);
        eg__free(m->recs[i].output);
        eg__free(m->recs[i].counts);
        eg__mspans_free(&m->recs[i].spans);
        free_drops(&m->recs[i]);
    }
    eg__free(m->recs);
    eg__op_worker_free(m->worker);
    for (size_t i = 0; i < m->nhelpers; i++)
        eg__op_worker_free(m->helpers[i]);
    eg__free(m->helpers);
    eg__protector_free(m->prot);
    eg__free(m->policy_file);
    eg_key_wipe(&m->key);
    eg__free(m);
}

const char *eg_masker_key_id(const eg_masker *m)
{
    return m ? m->key.id : "";
}

int eg_masker_key_ephemeral(const eg_masker *m)
{
    return m ? m->key.ephemeral : 0;
}

static void warn(const eg_masker *m, const char *path, uint64_t off, int code,
                 const char *msg)
{
    if (m->opts.warning)
        m->opts.warning(path, off, code, msg, m->opts.payload);
}

/* ------------------------------------------------------------ scan pass */

typedef struct scan_pass {
    const eg_masker *m;
    eg_fspan *v;
    size_t n, cap;
    int oom;
    int done;
    int binary;
    eg_input_info info;
    char compression[8];
    int warn_code; /* the first warning that ended the input */
    char warn_msg[sizeof(((eg_error *)0)->message)];
} scan_pass;

static int on_finding(const eg_finding *f, void *payload)
{
    scan_pass *sp = payload;
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 1024;
        eg_fspan *v = eg__realloc(sp->v, cap * sizeof *v);
        if (!v) {
            sp->oom = 1;
            return 1;
        }
        sp->v = v;
        sp->cap = cap;
    }
    sp->v[sp->n++] = (eg_fspan){f->text_start, f->text_end, (uint16_t)f->type,
                                (uint16_t)f->flags};
    return 0;
}

static void on_input_done(const eg_input_info *info, void *payload)
{
    scan_pass *sp = payload;
    sp->done = 1;
    sp->info = *info;
    sp->info.path = NULL;
    snprintf(sp->compression, sizeof sp->compression, "%s",
             info->compression ? info->compression : "none");
    sp->info.compression = NULL;
}

static void on_warning(const char *path, uint64_t offset, int code,
                       const char *message, void *payload)
{
    scan_pass *sp = payload;
    if (code == EG_EUNSUPPORTED && strstr(message, "binary file skipped")) {
        sp->binary = 1;
        return;
    }
    if (code != EG_EFORMAT && code != EG_ELIMIT && !sp->warn_code) {
        sp->warn_code = code;
        snprintf(sp->warn_msg, sizeof sp->warn_msg, "%s", message);
    }
    warn(sp->m, path, offset, code, message);
}

static int cmp_fspan(const void *a, const void *b)
{
    const eg_fspan *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int read_stdin(eg_buf *b, uint64_t max, eg_error *err)
{
    for (;;) {
        if (eg__buf_reserve(b, 1 << 16) != EG_OK)
            return eg__fail(err, EG_ENOMEM, "out of memory reading stdin");
        ssize_t r = read(STDIN_FILENO, b->data + b->len, b->cap - b->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return eg__fail(err, EG_EIO, "standard input: %s", strerror(errno));
        if (r == 0)
            return EG_OK;
        b->len += (size_t)r;
        if (b->len > max)
            return eg__fail(err, EG_ELIMIT,
                            "standard input: more than %llu bytes (it is "
                            "held in memory to be read twice; mask a file)",
                            (unsigned long long)max);
    }
}

static int scan_pass_run(eg_masker *m, const char *input, const eg_buf *mem,
                         scan_pass *sp, eg_error *err)
{
    eg_scan_options so = m->opts.scan;
    so.max_findings = 0;
    so.key = &m->key;
    so.as_of_ymd = m->as_of;
    eg_sink sink = {on_finding, on_input_done, on_warning, NULL};
    int rc;
    if (mem)
        rc = eg_scan_buffer(m->engine, &so, "-", mem->data ? mem->data : "",
                            mem->len, &sink, sp, err);
    else
        rc = eg_scan_paths(m->engine, &so, &input, 1, &sink, sp, NULL, err);
    if (sp->oom)
        return eg__fail(err, EG_ENOMEM, "out of memory collecting findings");
    if (rc != EG_OK)
        return rc;
    if (sp->binary)
        return eg__fail(err, EG_EUNSUPPORTED,
                        "%s: binary file, not masked (--binary masks it "
                        "anyway)",
                        input);
    if (!sp->done || sp->info.status != EG_OK) {
        int code = sp->info.status != EG_OK ? sp->info.status
                   : sp->warn_code          ? sp->warn_code
                                            : EG_EIO;
        return eg__fail(err, code, "%s",
                        sp->warn_msg[0] ? sp->warn_msg : "cannot read");
    }
    /* the engine emits in offset order; make sure of it */
    for (size_t i = 1; i < sp->n; i++)
        if (sp->v[i].start < sp->v[i - 1].start) {
            qsort(sp->v, sp->n, sizeof *sp->v, cmp_fspan);
            break;
        }
    return EG_OK;
}

/* ------------------------------------------------------------ one input */

static int check_input(const char *input, struct stat *st, eg_error *err)
{
    if (!strcmp(input, "-"))
        return EG_OK;
    if (stat(input, st) != 0)
        return eg__source_fail_errno(err, input, errno, "reading");
    if (S_ISDIR(st->st_mode))
        return eg__fail(err, EG_EUNSUPPORTED,
                        "%s: is a directory (mask directories into an "
                        "output directory)",
                        input);
    if (!S_ISREG(st->st_mode))
        return eg__fail(err, EG_EUNSUPPORTED, "%s: is %s, not a regular file",
                        input, eg__source_file_kind(st->st_mode));
    return EG_OK;
}

static int unchanged(const char *input, const struct stat *before)
{
    struct stat now;
    if (stat(input, &now) != 0)
        return 0;
    return now.st_ino == before->st_ino && now.st_dev == before->st_dev &&
           now.st_size == before->st_size &&
           now.st_mtim.tv_sec == before->st_mtim.tv_sec &&
           now.st_mtim.tv_nsec == before->st_mtim.tv_nsec;
}

static int open_input(const eg_masker *m, const char *input, const eg_buf *mem,
                      eg_source **src, eg_error *err)
{
    /* decoded as the scan pass decoded it: the spans count those bytes */
    eg_source_limits lim = {m->opts.scan.max_decompressed,
                            m->opts.scan.max_ratio,
                            eg__charset_of_encoding(m->opts.scan.encoding)};
    return mem ? eg__source_open_memory(src, "-", mem->data ? mem->data : "",
                                        mem->len, &lim, err)
               : eg__source_open(src, input, &lim, err);
}

/* 1 if a CSV or JSON input has a finding whose operator is `drop`: only
 * then can a column or member go, and only then is the census paid for. */
static int may_drop_structure(const eg_masker *m, const scan_pass *sp)
{
    eg_format f = sp->info.format;
    if (f != EG_FORMAT_CSV && f != EG_FORMAT_TSV && f != EG_FORMAT_JSON &&
        f != EG_FORMAT_JSONL)
        return 0;
    for (size_t i = 0; i < sp->n; i++)
        if (m->set[sp->v[i].type].op == EG_OP_DROP)
            return 1;
    return 0;
}

void eg__col_census_free(eg_col_census *c)
{
    eg__free(c->dropped);
    eg__free(c->other);
    memset(c, 0, sizeof *c);
}

/* What the census decided: the CSV columns or JSON members that go. */
typedef struct drop_plan {
    uint8_t *drop_col; /* CSV: a flag per column, NULL if none goes */
    size_t ndrop_col;
    eg_key_census keys; /* JSON: paths marked `drop` */
    size_t nkeys;       /* how many are marked */
} drop_plan;

static void drop_plan_free(drop_plan *p)
{
    eg__free(p->drop_col);
    eg__keys_free(&p->keys);
    memset(p, 0, sizeof *p);
}

static int choose_columns(drop_plan *p, const eg_col_census *cen, eg_error *err)
{
    size_t n = 0;
    for (size_t c = 0; c < cen->ncols; c++)
        if (cen->dropped[c] && !cen->other[c])
            n = c + 1;
    if (n == 0)
        return EG_OK;
    if (!(p->drop_col = eg__calloc(n, 1)))
        return eg__fail(err, EG_ENOMEM, "out of memory");
    for (size_t c = 0; c < n; c++)
        p->drop_col[c] = cen->dropped[c] && !cen->other[c];
    p->ndrop_col = n;
    return EG_OK;
}

/* What both passes over an input share: its operators and how the scan
 * saw it.  The census pass and the real pass add their own fields. */
static eg_rewrite_env base_env(const eg_masker *m, const char *input,
                               const scan_pass *sp)
{
    eg_rewrite_env env = {.set = m->set,
                          .worker = m->worker,
                          .path = input,
                          .csv_header = sp->info.csv_header};
    return env;
}

/* The census pass: the rewriter without output, counting per CSV column
 * or JSON member path the values that are all dropped and the others. */
static int plan_drops(const eg_masker *m, const char *input, const eg_buf *mem,
                      const scan_pass *sp, drop_plan *p, eg_error *err)
{
    memset(p, 0, sizeof *p);
    int csv =
        sp->info.format == EG_FORMAT_CSV || sp->info.format == EG_FORMAT_TSV;
    eg_col_census cen = {0};
    int rc = EG_OK;
    if (csv) {
        cen.ncols = EG_DROP_MAX_COLUMNS;
        cen.dropped = eg__calloc(cen.ncols, sizeof *cen.dropped);
        cen.other = eg__calloc(cen.ncols, sizeof *cen.other);
        if (!cen.dropped || !cen.other)
            rc = eg__fail(err, EG_ENOMEM, "out of memory");
    }
    eg_rewrite_counts *cnt = eg__calloc(1, sizeof *cnt);
    if (!cnt && rc == EG_OK)
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    eg_mspans none = {0};
    eg_source *src = NULL;
    if (rc == EG_OK)
        rc = open_input(m, input, mem, &src, err);
    if (rc == EG_OK) {
        eg_rewrite_env env = base_env(m, input, sp);
        env.census = &cen;
        env.keys = csv ? NULL : &p->keys;
        rc = eg__mask_rewrite(&env, src, sp->info.format, sp->v, sp->n, NULL,
                              &none, cnt, err);
    }
    eg__source_close(src);
    if (rc == EG_OK && csv)
        rc = choose_columns(p, &cen, err);
    else if (rc == EG_OK)
        p->nkeys = eg__keys_choose(&p->keys);
    if (rc != EG_OK)
        drop_plan_free(p);
    eg__col_census_free(&cen);
    eg__free(cnt);
    return rc;
}

/* What the report says was dropped: column numbers or member paths. */
static int note_drops(const drop_plan *p, uint32_t **cols, size_t *ncols,
                      char ***keys, size_t *nkeys, eg_error *err)
{
    size_t k = 0;
    for (size_t c = 0; c < p->ndrop_col; c++)
        k += p->drop_col[c];
    if (k && !(*cols = eg__calloc(k, sizeof **cols)))
        return eg__fail(err, EG_ENOMEM, "out of memory");
    for (size_t c = 0; c < p->ndrop_col; c++)
        if (p->drop_col[c])
            (*cols)[(*ncols)++] = (uint32_t)c;
    if (p->nkeys && !(*keys = eg__calloc(p->nkeys, sizeof **keys)))
        return eg__fail(err, EG_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->keys.cap && *nkeys < p->nkeys; i++)
        if (p->keys.v[i].drop) {
            if (!((*keys)[*nkeys] = eg__strdup(p->keys.v[i].path)))
                return eg__fail(err, EG_ENOMEM, "out of memory");
            (*nkeys)++;
        }
    return EG_OK;
}

/* The rewrite of one input into `out`, with the census pass before it
 * when columns or members may be dropped. */
static int rewrite_into(eg_masker *m, const char *input, const eg_buf *mem,
                        const scan_pass *sp, eg_mask_out *out, eg_mspans *spans,
                        eg_rewrite_counts *counts, eg_mask_rec *r,
                        eg_error *err)
{
    drop_plan plan;
    memset(&plan, 0, sizeof plan);
    int rc = EG_OK;
    if (may_drop_structure(m, sp))
        rc = plan_drops(m, input, mem, sp, &plan, err);
    if (rc == EG_OK && r)
        rc = note_drops(&plan, &r->dropped_cols, &r->ndropped_cols,
                        &r->dropped_keys, &r->ndropped_keys, err);
    eg_source *src = NULL;
    if (rc == EG_OK)
        rc = open_input(m, input, mem, &src, err);
    if (rc == EG_OK) {
        eg_rewrite_env env = base_env(m, input, sp);
        env.drop_col = plan.drop_col;
        env.ndrop_col = plan.ndrop_col;
        env.keys = plan.nkeys ? &plan.keys : NULL;
        env.helpers = m->helpers;
        env.nhelpers = m->nhelpers;
        env.pre_min = m->pre_min;
        rc = eg__mask_rewrite(&env, src, sp->info.format, sp->v, sp->n, out,
                              spans, counts, err);
    }
    if (rc == EG_OK && counts->bytes_in != sp->info.text_bytes)
        rc = eg__fail(err, EG_ECORRUPT,
                      "%s: %llu bytes read, the scan read %llu: the input "
                      "changed",
                      input, (unsigned long long)counts->bytes_in,
                      (unsigned long long)sp->info.text_bytes);
    eg__source_close(src);
    drop_plan_free(&plan);
    return rc;
}

/* A GB18030 input was read decoded; its output goes back to GB18030, byte
 * for byte where nothing was replaced.  Not when the input had stray lead
 * bytes: one right before a replaced value could pair with the value's
 * first byte when the output is read again ("\xD5[cn_mobile]"), and every
 * offset after it would move; such an output is written in UTF-8, which
 * reads back exactly (the report then names no charset: it is UTF-8). */
static int writes_gb18030(const eg_input_info *info)
{
    return info->charset && !strcmp(info->charset, "gb18030") &&
           info->stray_leads == 0;
}

static int rewrite_pass(eg_masker *m, eg_mask_rec *r, const char *input,
                        const eg_buf *mem, scan_pass *sp, eg_error *err)
{
    eg_mask_out *out = NULL;
    int rc =
        eg__mask_out_open(&out, r->output, sp->compression,
                          m->opts.compression_level, mem ? NULL : input, err);
    if (rc != EG_OK)
        return rc;
    if (writes_gb18030(&sp->info)) {
        eg__mask_out_gb18030(out);
        r->charset = "gb18030";
    }
    rc = rewrite_into(m, input, mem, sp, out, &r->spans, r->counts, r, err);
    if (rc == EG_OK) {
        rc = eg__mask_out_commit(out, r->sha, &r->bytes_out, err);
        r->have_sha = rc == EG_OK;
    } else {
        eg__mask_out_abort(out);
    }
    return rc;
}

static int mask_one(eg_masker *m, eg_mask_rec *r, eg_error *err)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    const char *input = r->input;
    int rc = check_input(input, &st, err);
    if (rc != EG_OK)
        return rc;
    if (eg__same_file(r->output, input))
        return eg__fail(err, EG_EPERM, "%s: refusing to write over the input",
                        r->output);
    eg_buf mem = {0};
    int is_stdin = !strcmp(input, "-");
    if (is_stdin) {
        uint64_t max = m->opts.max_stdin_bytes ? m->opts.max_stdin_bytes
                                               : DEFAULT_MAX_STDIN;
        rc = read_stdin(&mem, max, err);
    }
    scan_pass sp;
    memset(&sp, 0, sizeof sp);
    sp.m = m;
    if (rc == EG_OK)
        rc = scan_pass_run(m, input, is_stdin ? &mem : NULL, &sp, err);
    if (rc == EG_OK) {
        r->format = sp.info.format;
        snprintf(r->compression, sizeof r->compression, "%s", sp.compression);
        r->findings = sp.n;
        r->bytes_in = sp.info.bytes;
        rc = rewrite_pass(m, r, input, is_stdin ? &mem : NULL, &sp, err);
    }
    if (rc == EG_OK && !is_stdin && !unchanged(input, &st))
        rc = eg__fail(err, EG_ECORRUPT,
                      "%s: the input changed while it was masked; the output "
                      "%s may not match it",
                      input, r->output);
    eg__free(sp.v);
    eg__buf_free(&mem);
    return rc;
}

static int new_rec(eg_masker *m, const char *input, const char *output,
                   eg_mask_rec **out, eg_error *err)
{
    if (m->nrecs == m->caprecs) {
        size_t cap = m->caprecs ? m->caprecs * 2 : 8;
        eg_mask_rec *v = eg__realloc(m->recs, cap * sizeof *v);
        if (!v)
            return eg__fail(err, EG_ENOMEM, "out of memory");
        m->recs = v;
        m->caprecs = cap;
    }
    eg_mask_rec *r = &m->recs[m->nrecs];
    memset(r, 0, sizeof *r);
    r->input = eg__strdup(input);
    r->output = eg__strdup(output);
    r->counts = eg__calloc(1, sizeof *r->counts);
    snprintf(r->compression, sizeof r->compression, "none");
    if (!r->input || !r->output || !r->counts) {
        eg__free(r->input);
        eg__free(r->output);
        eg__free(r->counts);
        return eg__fail(err, EG_ENOMEM, "out of memory");
    }
    m->nrecs++;
    *out = r;
    return EG_OK;
}

static void fill_stats(const eg_mask_rec *r, eg_mask_stats *st)
{
    memset(st, 0, sizeof *st);
    st->format = r->format;
    st->compression = !strcmp(r->compression, "gzip")   ? "gzip"
                      : !strcmp(r->compression, "zstd") ? "zstd"
                                                        : "none";
    st->bytes_in = r->bytes_in;
    st->bytes_out = r->bytes_out;
    st->findings = r->findings;
    st->spans = r->counts->spans;
    st->fallbacks = r->counts->fallbacks;
    st->well_formed = r->counts->well_formed;
    st->requoted = r->counts->requoted;
    st->dropped_columns = r->ndropped_cols;
    st->dropped_keys = r->ndropped_keys;
    st->dropped_cells = r->counts->dropped_cells;
}

int eg_mask_file(eg_masker *m, const char *input, const char *output,
                 eg_mask_stats *stats, eg_error *err)
{
    eg__error_clear(err);
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (!m || !input || !output || !*input || !*output)
        return eg__fail(err, EG_EINVAL, "eg_mask_file: NULL argument");
    eg_mask_rec *r = NULL;
    int rc = new_rec(m, input, output, &r, err);
    if (rc != EG_OK)
        return rc;
    /* spans of a failed input are not kept: nothing was written */
    size_t index = (size_t)(r - m->recs);
    rc = mask_one(m, r, err);
    r = &m->recs[index];
    r->status = rc;
    if (rc != EG_OK) {
        snprintf(r->message, sizeof r->message, "%s", err->message);
        eg__mspans_free(&r->spans);
        free_drops(r);
    } else {
        if (r->counts->fallbacks) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "%llu values could not take their operator and were "
                     "redacted (see the report)",
                     (unsigned long long)r->counts->fallbacks);
            warn(m, input, UINT64_MAX, EG_EINVAL, msg);
        }
        if (r->counts->sanitized) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "%llu replacements in CSV fields longer than 1 MiB had "
                     "delimiters or quotes replaced by spaces",
                     (unsigned long long)r->counts->sanitized);
            warn(m, input, UINT64_MAX, EG_EFORMAT, msg);
        }
    }
    if (stats)
        fill_stats(r, stats);
    return rc;
}

/* ------------------------------------------------------ a tree of inputs */

typedef struct paths_ctx {
    eg_masker *m;
    const char *arg; /* the argument being walked */
    int arg_is_dir;
    const char *out_dir;
    const char *base; /* basename of the argument */
    eg_mask_stats *total;
    uint64_t *failed;
    int fatal;
    eg_error *err;
} paths_ctx;

/* Create the directories of `path` up to its last component. */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int bad = mkdir(path, 0777) != 0 && errno != EEXIST;
        *p = '/';
        if (bad)
            return -1;
    }
    return 0;
}

static const char *base_name(const char *path, char *buf, size_t cap)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t s = n;
    while (s > 0 && path[s - 1] != '/')
        s--;
    size_t len = n - s < cap - 1 ? n - s : cap - 1;
    memcpy(buf, path + s, len);
    buf[len] = '\0';
    if (!strcmp(buf, "-"))
        snprintf(buf, cap, "stdin");
    else if (!strcmp(buf, ".") || !strcmp(buf, "..") || !*buf)
        snprintf(buf, cap, "input");
    return buf;
}

static void add_stats(eg_mask_stats *t, const eg_mask_stats *s)
{
    t->bytes_in += s->bytes_in;
    t->bytes_out += s->bytes_out;
    t->findings += s->findings;
    t->spans += s->spans;
    t->fallbacks += s->fallbacks;
    t->well_formed += s->well_formed;
    t->requoted += s->requoted;
}

static int already_written(const eg_masker *m, const char *out)
{
    for (size_t i = 0; i < m->nrecs; i++)
        if (m->recs[i].status == EG_OK && !strcmp(m->recs[i].output, out))
            return 1;
    return 0;
}

static int paths_input(const char *path, void *payload)
{
    paths_ctx *c = payload;
    const char *rel = "";
    if (c->arg_is_dir) {
        size_t al = strlen(c->arg);
        rel = path + al;
        while (*rel == '/')
            rel++;
    }
    eg_buf out = {0};
    if (eg__buf_printf(&out, "%s/%s%s%s", c->out_dir, c->base, *rel ? "/" : "",
                       rel) != EG_OK) {
        eg__fail(c->err, EG_ENOMEM, "out of memory");
        c->fatal = 1;
        return 1;
    }
    eg_error e;
    eg__error_clear(&e);
    if (already_written(c->m, out.data)) {
        eg__fail(&e, EG_EINVAL, "%s: another input was already masked to %s",
                 path, out.data);
    } else if (make_parents(out.data) != 0) {
        eg__fail(&e, EG_EIO, "%s: cannot create its directory: %s", out.data,
                 strerror(errno));
    } else {
        eg_mask_stats st;
        if (eg_mask_file(c->m, path, out.data, &st, &e) == EG_OK)
            add_stats(c->total, &st);
    }
    eg__buf_free(&out);
    if (e.code == EG_ENOMEM) {
        *c->err = e;
        c->fatal = 1;
        return 1;
    }
    if (e.code != EG_OK) {
        (*c->failed)++;
        warn(c->m, path, UINT64_MAX, e.code, e.message);
    }
    return 0;
}

static void paths_skip(const char *path, int code, const char *reason,
                       void *payload)
{
    paths_ctx *c = payload;
    if (code == EG_ENOTFOUND || code == EG_EPERM || code == EG_EIO)
        (*c->failed)++;
    warn(c->m, path, UINT64_MAX, code, reason);
}

/* An output directory inside an input directory would be walked into. */
static int inside(const char *dir, const char *tree)
{
    char *a = realpath(dir, NULL), *b = realpath(tree, NULL);
    int in = 0;
    if (a && b) {
        size_t n = strlen(b);
        in = !strncmp(a, b, n) && (a[n] == '\0' || a[n] == '/' || n == 1);
    }
    free(a);
    free(b);
    return in;
}

int eg_mask_paths(eg_masker *m, const char *const *inputs, size_t ninputs,
                  const char *out_dir, eg_mask_stats *total, uint64_t *failed,
                  eg_error *err)
{
    eg__error_clear(err);
    eg_mask_stats tot;
    uint64_t nfailed = 0;
    memset(&tot, 0, sizeof tot);
    if (!m || (!inputs && ninputs) || !out_dir || !*out_dir)
        return eg__fail(err, EG_EINVAL, "eg_mask_paths: NULL argument");
    char *od = eg__strdup(out_dir);
    if (!od)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    struct stat st;
    int rc = EG_OK;
    if (make_parents(od) != 0 || (mkdir(od, 0777) != 0 && errno != EEXIST))
        rc =
            eg__fail(err, EG_EIO, "%s: cannot create: %s", od, strerror(errno));
    else if (stat(od, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = eg__fail(err, EG_EINVAL, "%s: not a directory", od);
    for (size_t i = 0; i < ninputs && rc == EG_OK; i++) {
        char base[256];
        paths_ctx c = {
            m,    inputs[i], 0, od, base_name(inputs[i], base, sizeof base),
            &tot, &nfailed,  0, err};
        c.arg_is_dir = strcmp(inputs[i], "-") && stat(inputs[i], &st) == 0 &&
                       S_ISDIR(st.st_mode);
        if (c.arg_is_dir && inside(od, inputs[i])) {
            rc = eg__fail(err, EG_EINVAL,
                          "%s: the output directory is inside this input "
                          "directory",
                          inputs[i]);
            break;
        }
        if (!strcmp(inputs[i], "-"))
            paths_input("-", &c);
        else
            rc = eg__walk(&inputs[i], 1, paths_input, paths_skip, &c, err);
        if (rc == EG_ESTOPPED || c.fatal)
            rc = c.fatal ? (err->code ? err->code : EG_ENOMEM) : EG_OK;
    }
    eg__free(od);
    if (total)
        *total = tot;
    if (failed)
        *failed = nfailed;
    return rc;
}

/* ------------------------------------------------------------- in memory */

int eg__mask_memory(eg_masker *m, const void *data, size_t n, eg_format *fmt,
                    eg_buf *out, eg_mspans *spans, eg_rewrite_counts *counts,
                    eg_error *err)
{
    eg__error_clear(err);
    eg_buf mem = {(char *)(uintptr_t)(data ? data : ""), n, n};
    scan_pass sp;
    memset(&sp, 0, sizeof sp);
    sp.m = m;
    int rc = scan_pass_run(m, "-", &mem, &sp, err);
    eg_mask_out *o = NULL;
    if (rc == EG_OK)
        rc = eg__mask_out_open_memory(&o, out, err);
    if (rc == EG_OK && writes_gb18030(&sp.info))
        eg__mask_out_gb18030(o); /* as a file's output is */
    if (rc == EG_OK) {
        *fmt = sp.info.format;
        rc = rewrite_into(m, "-", &mem, &sp, o, spans, counts, NULL, err);
    }
    if (o && rc == EG_OK)
        rc = eg__mask_out_commit(o, NULL, NULL, err);
    else
        eg__mask_out_abort(o);
    eg__free(sp.v);
    return rc;
}
