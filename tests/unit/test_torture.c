/*
 * test_torture.c: allocation-failure torture of the main entry points
 * (SQLite's OOM loop, curl's `runtests -t`, libgit2's failalloc).
 *
 * For each operation, allocation N is made to fail for N = 1, 2, 3, ...
 * until a run completes without reaching allocation N.  Two modes: every
 * allocation from N on fails (persistent), and only allocation N fails
 * (single; the code may recover from it).  Every run that met a failure
 * must either
 *   - return a negative EG_E* code (not EG_ESTOPPED, which means "a
 *     callback stopped it", not a failure) and leave no output file, not
 *     even a temporary one, in the output directory; or
 *   - return EG_OK with results identical to those of a run without
 *     injected failures (an allocation failure must never silently lose
 *     findings).
 * A crash or abort fails the test by itself; leaks are caught when this
 * test runs under AddressSanitizer (the CI sanitizer build), and the
 * Valgrind script runs it too.
 *
 * Only libegress's own allocations (eg__malloc and friends) are failed.
 * OpenSSL, Vectorscan, zlib, libzstd and libyaml allocate with their own
 * allocators and are not failed here; their failures reach us as error
 * returns, which the same code paths handle.
 *
 * Operations: eg_engine_new; eg_scan_buffer on text, CSV, JSON Lines, gzip
 * and zstd input; eg_scan_paths on a small directory (one thread and two);
 * eg_state_new/add/write, eg_state_read and eg_state_merge_file;
 * eg_rules_load (built-in and from data/rules-cn.yaml) + eg_assess +
 * eg_assessment_write; eg_masker_new (built-in policy and
 * data/policy-default.yaml) + eg_mask_file + eg_masker_write_report.
 */
#include "common/eg_common.h"
#include "eg_test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* A bound that no entry point should reach: it only stops a runaway loop
 * (an operation that allocates without end under failure). */
#define MAX_POINTS 100000

static eg_engine *engine;
static eg_key key;
static char tmpdir[] = "/tmp/eg_torture.XXXXXX";
static char tree[512], outdir[512];

/* ------------------------------------------------------ the torture loop */

typedef struct op {
    const char *name;
    int (*run)(void *ctx, eg_error *err); /* frees all it made */
    int (*complete)(void *ctx); /* after EG_OK: 1 if the result is whole */
    int (*clean)(void *ctx);    /* after a failure: 1 if no partial or
                                   temporary file was left; may be NULL */
    const char *outdir;         /* emptied after every run; may be NULL */
    void *ctx;
} op;

static size_t dir_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void empty_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        unlink(p);
    }
    closedir(d);
}

/* Judge one run in which allocation n failed. */
static int judge(const op *o, const char *mode, uint64_t n, int rc,
                 const eg_error *err)
{
    int good = 1;
    if (rc == EG_OK) {
        if (!o->complete(o->ctx)) {
            fprintf(stderr,
                    "%s (%s, N=%llu): EG_OK after a failed allocation, "
                    "but the result is incomplete\n",
                    o->name, mode, (unsigned long long)n);
            good = 0;
        }
    } else if (rc > 0 || rc == EG_ESTOPPED || rc < EG_EUNSUPPORTED) {
        fprintf(stderr, "%s (%s, N=%llu): returned %d (%s): %s\n", o->name,
                mode, (unsigned long long)n, rc, eg_error_name(rc),
                err->message);
        good = 0;
    } else if (o->clean && !o->clean(o->ctx)) {
        fprintf(stderr, "%s (%s, N=%llu): failed (%s) but left a file in %s\n",
                o->name, mode, (unsigned long long)n, eg_error_name(rc),
                o->outdir);
        good = 0;
    }
    if (o->outdir)
        empty_dir(o->outdir);
    return good;
}

/* Returns the number of allocation points, 0 when the loop went wrong. */
static uint64_t torture_mode(const op *o, int persistent)
{
    const char *mode = persistent ? "persistent" : "single";
    for (uint64_t n = 1; n <= MAX_POINTS; n++) {
        eg_error err;
        eg__error_clear(&err);
        eg__alloc_fail_at(n, persistent);
        int rc = o->run(o->ctx, &err);
        uint64_t made = eg__alloc_count();
        eg__alloc_fail_at(0, false);
        if (made < n) { /* allocation n never came: a clean run */
            if (rc != EG_OK || !o->complete(o->ctx)) {
                fprintf(stderr, "%s: the clean run failed: %s\n", o->name,
                        err.message);
                return 0;
            }
            if (o->outdir)
                empty_dir(o->outdir);
            return n - 1;
        }
        if (!judge(o, mode, n, rc, &err))
            return 0;
    }
    fprintf(stderr, "%s (%s): still allocating after %d failures\n", o->name,
            mode, MAX_POINTS);
    return 0;
}

static void torture(const op *o)
{
    uint64_t a = torture_mode(o, 1);
    uint64_t b = a ? torture_mode(o, 0) : 0;
    EG_CHECK(a > 0 && b > 0);
    fprintf(stderr, "  %s: %llu allocation points\n", o->name,
            (unsigned long long)a);
}

/* ------------------------------------------------- a collecting sink */

/* Plain malloc here: only the library's allocations are failed.  The
 * findings are summarised as a count and a hash of every field. */
typedef struct digest {
    uint64_t n, hash;
} digest;

static void mix(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * 0x100000001b3ull;
}

static int on_finding(const eg_finding *f, void *payload)
{
    digest *d = payload;
    d->n++;
    mix(&d->hash, f->path, strlen(f->path));
    mix(&d->hash, &f->start, sizeof f->start);
    mix(&d->hash, &f->end, sizeof f->end);
    mix(&d->hash, &f->line, sizeof f->line);
    mix(&d->hash, &f->record, sizeof f->record);
    mix(&d->hash, &f->type, sizeof f->type);
    mix(&d->hash, &f->fp64, sizeof f->fp64);
    mix(&d->hash, f->masked, strlen(f->masked));
    if (f->field)
        mix(&d->hash, f->field, strlen(f->field));
    return 0;
}

static const eg_sink digest_sink = {on_finding, NULL, NULL, NULL};

/* ------------------------------------------------------------ scanning */

typedef struct scan_case {
    const char *name;
    const void *data;
    size_t len;
    const char *const *paths;
    size_t npaths;
    int threads;
    digest want, got;
    eg_scan_stats want_stats, got_stats;
} scan_case;

static eg_scan_options scan_opts(int threads)
{
    eg_scan_options o = EG_SCAN_OPTIONS_INIT;
    o.threads = threads;
    o.key = &key;
    o.as_of_ymd = 20240615;
    return o;
}

static int run_scan(void *ctx, eg_error *err)
{
    scan_case *c = ctx;
    eg_scan_options o = scan_opts(c->threads);
    memset(&c->got, 0, sizeof c->got);
    memset(&c->got_stats, 0, sizeof c->got_stats);
    if (c->paths)
        return eg_scan_paths(engine, &o, c->paths, c->npaths, &digest_sink,
                             &c->got, &c->got_stats, err);
    return eg_scan_buffer(engine, &o, c->name, c->data, c->len, &digest_sink,
                          &c->got, err);
}

static int scan_complete(void *ctx)
{
    scan_case *c = ctx;
    const eg_scan_stats *a = &c->want_stats, *b = &c->got_stats;
    return c->got.n == c->want.n && c->got.hash == c->want.hash &&
           a->files == b->files && a->bytes == b->bytes &&
           a->failed == b->failed && a->skipped_binary == b->skipped_binary &&
           a->skipped_other == b->skipped_other;
}

static void torture_scan(scan_case *c)
{
    eg_error err;
    EG_CHECK_INT(run_scan(c, &err), EG_OK);
    c->want = c->got;
    c->want_stats = c->got_stats;
    EG_CHECK(c->want.n > 0); /* the input has findings to lose */
    op o = {c->name, run_scan, scan_complete, NULL, NULL, c};
    torture(&o);
}

static const char text_doc[] =
    "客户资料\n姓名：张伟\n身份证号：110105196706179752\n"
    "手机 13829968745，邮箱 zhang.wei@example.cn\n"
    "银行卡 6222026609731636504 IP 203.0.113.9\n";

static const char csv_doc[] =
    "\xef\xbb\xbf姓名,身份证号,手机号,邮箱\r\n"
    "张伟,110105196706179752,13829968745,user00@example.cn\r\n"
    "王芳,310104198610188638,15978721495,\"user01@example.cn\"\r\n"
    "李娜,440305199902042957,13860351650,user02@example.cn\r\n";

static const char jsonl_doc[] =
    "{\"name\":\"张伟\",\"idCard\":\"110105196706179752\","
    "\"phone\":\"13829968745\",\"ip\":\"203.0.113.9\"}\n"
    "{\"user\":{\"realName\":\"王芳\",\"contacts\":[\"15978721495\","
    "\"user01@example.cn\"]}}\n"
    "{\"deep\":[[[[{\"idCard\":\"440305199902042957\"}]]]]}\n";

static unsigned char *gzip_of(const char *s, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n) + 32;
    unsigned char *out = malloc(cap);
    z.next_in = (Bytef *)s;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static unsigned char *zstd_of(const char *s, size_t n, size_t *out_len)
{
    size_t cap = ZSTD_compressBound(n);
    unsigned char *out = malloc(cap);
    size_t r = ZSTD_compress(out, cap, s, n, 3);
    if (ZSTD_isError(r)) {
        free(out);
        return NULL;
    }
    *out_len = r;
    return out;
}

static int run_engine_new(void *ctx, eg_error *err)
{
    eg_engine **out = ctx;
    int rc = eg_engine_new(out, err);
    if (rc != EG_OK && *out != NULL)
        return EG_ERROR; /* a failed call must not hand out an engine */
    eg_engine_free(*out);
    return rc;
}

static int engine_complete(void *ctx)
{
    return *(eg_engine **)ctx != NULL;
}

EG_TEST(torture_engine_new_case)
{
    eg_engine *e = NULL;
    op o = {"eg_engine_new", run_engine_new, engine_complete, NULL, NULL, &e};
    torture(&o);
}

EG_TEST(torture_scan_text)
{
    scan_case c = {
        .name = "notes.txt", .data = text_doc, .len = sizeof text_doc - 1};
    torture_scan(&c);
}

EG_TEST(torture_scan_csv)
{
    scan_case c = {
        .name = "people.csv", .data = csv_doc, .len = sizeof csv_doc - 1};
    torture_scan(&c);
}

EG_TEST(torture_scan_jsonl)
{
    scan_case c = {
        .name = "api.jsonl", .data = jsonl_doc, .len = sizeof jsonl_doc - 1};
    torture_scan(&c);
}

EG_TEST(torture_scan_gzip)
{
    size_t n = 0;
    unsigned char *gz = gzip_of(csv_doc, sizeof csv_doc - 1, &n);
    EG_CHECK(gz != NULL);
    if (!gz)
        return;
    scan_case c = {.name = "people.csv.gz", .data = gz, .len = n};
    torture_scan(&c);
    free(gz);
}

EG_TEST(torture_scan_zstd)
{
    size_t n = 0;
    unsigned char *zs = zstd_of(jsonl_doc, sizeof jsonl_doc - 1, &n);
    EG_CHECK(zs != NULL);
    if (!zs)
        return;
    scan_case c = {.name = "api.jsonl.zst", .data = zs, .len = n};
    torture_scan(&c);
    free(zs);
}

/* ------------------------------------------------- a small directory */

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    EG_CHECK(f != NULL);
    if (!f)
        return;
    EG_CHECK(fwrite(data, 1, n, f) == n);
    fclose(f);
}

static void make_tree(void)
{
    char p[1024];
    snprintf(tree, sizeof tree, "%s/tree", tmpdir);
    snprintf(outdir, sizeof outdir, "%s/out", tmpdir);
    mkdir(tree, 0700);
    mkdir(outdir, 0700);
    snprintf(p, sizeof p, "%s/sub", tree);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/a.txt", tree);
    write_file(p, text_doc, sizeof text_doc - 1);
    snprintf(p, sizeof p, "%s/b.csv", tree);
    write_file(p, csv_doc, sizeof csv_doc - 1);
    snprintf(p, sizeof p, "%s/sub/c.jsonl", tree);
    write_file(p, jsonl_doc, sizeof jsonl_doc - 1);
    size_t n = 0;
    unsigned char *gz = gzip_of(csv_doc, sizeof csv_doc - 1, &n);
    snprintf(p, sizeof p, "%s/sub/d.csv.gz", tree);
    if (gz)
        write_file(p, gz, n);
    free(gz);
    snprintf(p, sizeof p, "%s/e.bin", tree);
    write_file(p,
               "\x7f"
               "ELF\0\0\0 13829968745",
               20);
    snprintf(p, sizeof p, "%s/missing", tree);
    symlink("nowhere", p); /* a broken link: a warning, not a failure */
}

EG_TEST(torture_scan_paths_one_thread)
{
    const char *paths[] = {tree};
    scan_case c = {
        .name = "eg_scan_paths -j1", .paths = paths, .npaths = 1, .threads = 1};
    torture_scan(&c);
}

EG_TEST(torture_scan_paths_two_threads)
{
    const char *paths[] = {tree, "/nonexistent/egress"};
    scan_case c = {
        .name = "eg_scan_paths -j2", .paths = paths, .npaths = 2, .threads = 2};
    torture_scan(&c);
}

/* ------------------------------------------------------------- state */

static int outdir_empty(void *ctx)
{
    (void)ctx;
    return dir_entries(outdir) == 0;
}

typedef struct state_case {
    char path[1024], other[1024];
    eg_finding f[6];
    uint64_t want_findings, got_findings;
} state_case;

static int run_state_write(void *ctx, eg_error *err)
{
    state_case *c = ctx;
    eg_state_options so = EG_STATE_OPTIONS_INIT;
    so.key_id = key.id;
    eg_state *st = NULL;
    int rc = eg_state_new(&st, &so, err);
    for (size_t i = 0; rc == EG_OK && i < EG_ARRAY_LEN(c->f); i++)
        rc = eg_state_add_finding(st, &c->f[i], err);
    if (rc == EG_OK)
        rc = eg_state_write(st, c->path, err);
    eg_state_free(st);
    return rc;
}

static uint64_t state_findings(const char *path)
{
    eg_state *st = NULL;
    eg_error err;
    eg_counts cnt;
    uint64_t n = 0;
    if (eg_state_read(&st, path, &err) == EG_OK &&
        eg_state_count(st, 20240615, &cnt, &err) == EG_OK)
        n = cnt.findings;
    eg_state_free(st);
    return n;
}

static int state_write_complete(void *ctx)
{
    state_case *c = ctx;
    return state_findings(c->path) == EG_ARRAY_LEN(c->f);
}

static int run_state_read(void *ctx, eg_error *err)
{
    state_case *c = ctx;
    eg_state *st = NULL;
    eg_counts cnt;
    int rc = eg_state_read(&st, c->path, err);
    if (rc == EG_OK)
        rc = eg_state_merge_file(st, c->other, err);
    if (rc == EG_OK)
        rc = eg_state_count(st, 20240615, &cnt, err);
    c->got_findings = rc == EG_OK ? cnt.findings : 0;
    eg_state_free(st);
    return rc;
}

static int state_read_complete(void *ctx)
{
    state_case *c = ctx;
    return c->got_findings == 2 * EG_ARRAY_LEN(c->f);
}

static void sample_findings(eg_finding *f, size_t n)
{
    static const char *const types[] = {"cn_resident_id", "cn_mobile", "email",
                                        "person_name",    "cn_mobile", "ipv4"};
    memset(f, 0, n * sizeof *f);
    for (size_t i = 0; i < n; i++) {
        f[i].path = "a.csv";
        f[i].type = eg_type_from_id(types[i % 6]);
        f[i].record = i / 2;
        f[i].fp64 = 0x1234567800000000ull + i * 7919;
        f[i].birth_ymd = i == 0 ? 20150607 : 0;
        f[i].start = i * 40;
        f[i].end = i * 40 + 11;
    }
}

EG_TEST(torture_state)
{
    state_case c;
    memset(&c, 0, sizeof c);
    snprintf(c.path, sizeof c.path, "%s/run.egstate", outdir);
    sample_findings(c.f, EG_ARRAY_LEN(c.f));
    op w = {"eg_state_new/add/write",
            run_state_write,
            state_write_complete,
            outdir_empty,
            outdir,
            &c};
    torture(&w);
    /* two good files (two scans) to read back and merge */
    eg_error err;
    for (size_t i = 0; i < EG_ARRAY_LEN(c.f); i++)
        c.f[i].fp64 ^= 0xff; /* other people: a state of another scan */
    EG_CHECK_INT(run_state_write(&c, &err), EG_OK);
    snprintf(c.other, sizeof c.other, "%s/other.egstate", tmpdir);
    EG_CHECK_INT(rename(c.path, c.other), 0);
    sample_findings(c.f, EG_ARRAY_LEN(c.f));
    EG_CHECK_INT(run_state_write(&c, &err), EG_OK);
    char keep[1024];
    snprintf(keep, sizeof keep, "%s/keep.egstate", tmpdir);
    EG_CHECK_INT(rename(c.path, keep), 0);
    snprintf(c.path, sizeof c.path, "%s", keep);
    op r = {"eg_state_read/merge_file",
            run_state_read,
            state_read_complete,
            NULL,
            NULL,
            &c};
    torture(&r);
}

/* ------------------------------------------------------------ assess */

typedef struct assess_case {
    const char *rules_path; /* NULL: the built-in rules */
    eg_counts counts;
    char pathway[64];
    size_t report_bytes, want_bytes;
} assess_case;

static int count_bytes(const void *data, size_t len, void *payload)
{
    (void)data;
    *(size_t *)payload += len;
    return 0;
}

static int run_assess(void *ctx, eg_error *err)
{
    assess_case *c = ctx;
    eg_rules *rules = NULL;
    eg_assessment *a = NULL;
    c->pathway[0] = '\0';
    c->report_bytes = 0;
    int rc = eg_rules_load(&rules, c->rules_path, err);
    if (rc == EG_OK) {
        eg_assess_input in = EG_ASSESS_INPUT_INIT;
        in.counts = &c->counts;
        in.as_of_ymd = 20250601;
        rc = eg_assess(rules, &in, &a, err);
    }
    if (rc == EG_OK) {
        snprintf(c->pathway, sizeof c->pathway, "%s", eg_assessment_pathway(a));
        rc = eg_assessment_write(a, EG_REPORT_JSON, "zh", count_bytes,
                                 &c->report_bytes, err);
    }
    eg_assessment_free(a);
    eg_rules_free(rules);
    return rc;
}

static int assess_complete(void *ctx)
{
    assess_case *c = ctx;
    return c->pathway[0] && strcmp(c->pathway, "undetermined") != 0 &&
           c->report_bytes == c->want_bytes;
}

static void torture_assess(const char *rules_path, const char *name)
{
    assess_case c;
    memset(&c, 0, sizeof c);
    c.rules_path = rules_path;
    c.counts.exact = 1;
    c.counts.as_of_ymd = 20250601;
    c.counts.individuals = 150000;
    c.counts.sensitive_individuals = 12000;
    c.counts.type_count = eg_type_count();
    eg_error err;
    EG_CHECK_INT(run_assess(&c, &err), EG_OK);
    c.want_bytes = c.report_bytes;
    EG_CHECK(c.want_bytes > 0);
    op o = {name, run_assess, assess_complete, NULL, NULL, &c};
    torture(&o);
}

EG_TEST(torture_rules_assess)
{
    torture_assess(NULL, "eg_rules_load(built-in)/eg_assess/write");
    /* the same rules read from their YAML file */
    torture_assess(EG_SOURCE_DIR "/data/rules-cn.yaml",
                   "eg_rules_load(rules-cn.yaml)/eg_assess/write");
}

/* -------------------------------------------------------------- mask */

typedef struct mask_case {
    const char *policy_file; /* NULL: the built-in policy */
    int threads;
    char input[1024], output[1024], report[1024];
    eg_mask_stats want, got;
} mask_case;

static int run_mask(void *ctx, eg_error *err)
{
    mask_case *c = ctx;
    eg_mask_options mo = EG_MASK_OPTIONS_INIT;
    mo.key = &key;
    mo.scan = scan_opts(c->threads);
    mo.policy_file = c->policy_file;
    eg_masker *m = NULL;
    memset(&c->got, 0, sizeof c->got);
    int rc = eg_masker_new(&m, engine, &mo, err);
    if (rc == EG_OK)
        rc = eg_mask_file(m, c->input, c->output, &c->got, err);
    if (rc == EG_OK)
        rc = eg_masker_write_report(m, c->report, err);
    eg_masker_free(m);
    return rc;
}

/* A masking run writes two files, each atomically: a failure writing the
 * report may leave the complete masked file, never a partial or temporary
 * one. */
static int mask_clean(void *ctx)
{
    mask_case *c = ctx;
    struct stat st;
    size_t n = dir_entries(outdir);
    if (n == 0)
        return 1;
    return n == 1 && stat(c->output, &st) == 0 &&
           (uint64_t)st.st_size == c->want.bytes_out;
}

static int mask_complete(void *ctx)
{
    mask_case *c = ctx;
    struct stat st;
    return c->got.findings == c->want.findings &&
           c->got.spans == c->want.spans &&
           c->got.bytes_out == c->want.bytes_out && stat(c->output, &st) == 0 &&
           (uint64_t)st.st_size == c->want.bytes_out &&
           stat(c->report, &st) == 0;
}

static void torture_mask_with(const char *policy_file, const char *input,
                              int threads, const char *name)
{
    mask_case c;
    memset(&c, 0, sizeof c);
    c.policy_file = policy_file;
    c.threads = threads;
    snprintf(c.input, sizeof c.input, "%s/%s", tree, input);
    snprintf(c.output, sizeof c.output, "%s/masked", outdir);
    snprintf(c.report, sizeof c.report, "%s/report.json", outdir);
    eg_error err;
    EG_CHECK_INT(run_mask(&c, &err), EG_OK);
    c.want = c.got;
    EG_CHECK(c.want.spans > 0);
    empty_dir(outdir);
    op o = {name, run_mask, mask_complete, mask_clean, outdir, &c};
    torture(&o);
}

EG_TEST(torture_mask)
{
    torture_mask_with(NULL, "b.csv", 1,
                      "eg_masker_new(built-in)/eg_mask_file/report");
    torture_mask_with(EG_SOURCE_DIR "/data/policy-default.yaml", "b.csv", 1,
                      "eg_masker_new(policy file)/eg_mask_file/report");
    /* drop: the census pass, columns and members left out; two threads:
     * the operator state of the helper thread */
    char policy[1024];
    snprintf(policy, sizeof policy, "%s/drop.yaml", tmpdir);
    static const char yaml[] = "default: keep\nrules:\n  cn_mobile: drop\n"
                               "  cn_resident_id: drop\n  email: encrypt\n";
    write_file(policy, yaml, sizeof yaml - 1);
    torture_mask_with(policy, "b.csv", 2, "eg_mask_file(drop, CSV, -j2)");
    torture_mask_with(policy, "sub/c.jsonl", 2,
                      "eg_mask_file(drop, JSON Lines, -j2)");
}

/* -------------------------------------------------------------- main */

static void remove_tree(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

int main(void)
{
    eg_error err;
    unsigned char kb[EG_KEY_BYTES];
    for (size_t i = 0; i < sizeof kb; i++)
        kb[i] = (unsigned char)(0xA5 ^ i);
    if (eg_key_from_bytes(&key, kb, sizeof kb, &err) != EG_OK ||
        eg_engine_new(&engine, &err) != EG_OK || !mkdtemp(tmpdir)) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        return 1;
    }
    make_tree();
    EG_RUN(torture_engine_new_case);
    EG_RUN(torture_scan_text);
    EG_RUN(torture_scan_csv);
    EG_RUN(torture_scan_jsonl);
    EG_RUN(torture_scan_gzip);
    EG_RUN(torture_scan_zstd);
    EG_RUN(torture_scan_paths_one_thread);
    EG_RUN(torture_scan_paths_two_threads);
    EG_RUN(torture_state);
    EG_RUN(torture_rules_assess);
    EG_RUN(torture_mask);
    eg_engine_free(engine);
    remove_tree(tmpdir);
    return EG_TEST_END();
}
