/*
 * test_detect.c: the detector data tests.  Runs every
 * tests/detect/<type_id>.txt through eg_scan_buffer() and compares the findings
 * with the expectation written under each input: the full list of findings of
 * every type, with exact byte offsets.  The known answers live in data files
 * (jq's tests/jq.test style) so that adding a case is one block of text, and a
 * block shows at a glance what egress must find in a piece of input and
 * what it must leave alone.
 *
 * File format (UTF-8):
 *
 *   - Blocks are separated by a line that is exactly "---".
 *   - A block opens with optional directive lines, each starting with '#':
 *       #format FMT      input format: text (default), csv, tsv, json, jsonl
 *       #as-of YYYYMMDD  "today" for birth-date checks (default 20250615)
 *       #crlf            join the input lines with CR LF instead of LF
 *       #xfail REASON    egress is known to get this block wrong; the block
 *                        is reported as XFAIL and does not fail the test
 *                        (an XPASS is reported so the mark can be removed)
 *       # any text       a comment ('#' followed by a space)
 *   - Then the input: every line up to a line that is exactly "=>".  The
 *     input is those lines joined with "\n" (or "\r\n"), with no newline
 *     after the last one.
 *   - Then the expected findings, one per line, in the order egress
 *     reports them (by start offset):
 *       TYPE START END [field=NAME] [# comment]
 *     START and END are byte offsets into the block's input, END one past
 *     the value; field= (no spaces) also checks the CSV header or JSON
 *     Pointer.  A single line "-" means: no findings at all.
 *
 * Each tests/detect/<type_id>.txt holds the positives, near misses and
 * written forms of one catalog type; every catalog type must have a file.
 * A failing block prints file, block number, input line, and each finding
 * that is missing, unexpected or different.
 *
 * Environment: EG_DETECT_DIR overrides the directory (default "detect",
 * relative to tests/, the working directory under CTest); EG_DETECT_ONLY
 * restricts the run to one file name; EG_DETECT_SHOW=1 prints what egress
 * finds in every block, in the expectation syntax, to help write a new
 * block (check each line by hand before pasting it: the file states what
 * is right, not what egress happens to do).
 */
#include "eg_test.h"

#include <egress.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS 64
#define DEFAULT_AS_OF 20250615

typedef struct expect {
    char type[32];
    unsigned long long start, end;
    char field[128]; /* "" = not checked */
    int has_field;
} expect;

typedef struct got_list {
    expect f[MAX_FINDINGS];
    int n;
    int overflow;
} got_list;

typedef struct block {
    const char *file;
    int number; /* 1-based within the file */
    int line;   /* line of the file where the block starts */
    eg_format format;
    int as_of;
    int crlf;
    char xfail[256];
    char *input;
    size_t input_len, input_cap;
    expect exp[MAX_FINDINGS];
    int nexp;
    int none; /* "-" given */
    int bad;  /* a syntax error was reported */
} block;

typedef struct totals {
    int blocks, pass, fail, xfail, xpass, findings;
} totals;

static totals all_totals;

/* Bounded copy that always terminates (truncation is fine for names). */
static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- collecting findings ---- */

static int on_finding(const eg_finding *f, void *payload)
{
    got_list *g = payload;
    if (g->n == MAX_FINDINGS) {
        g->overflow = 1;
        return 0;
    }
    expect *e = &g->f[g->n++];
    memset(e, 0, sizeof *e);
    copy_str(e->type, sizeof e->type, eg_type_id(f->type));
    e->start = f->start;
    e->end = f->end;
    if (f->field) {
        copy_str(e->field, sizeof e->field, f->field);
        e->has_field = 1;
    }
    return 0;
}

/* ---- parsing the data file ---- */

static int append_input(block *b, const char *s, size_t n)
{
    if (b->input_len + n + 1 > b->input_cap) {
        size_t cap = (b->input_len + n + 1) * 2;
        char *p = realloc(b->input, cap);
        if (!p)
            return -1;
        b->input = p;
        b->input_cap = cap;
    }
    memcpy(b->input + b->input_len, s, n);
    b->input_len += n;
    b->input[b->input_len] = '\0';
    return 0;
}

static void syntax_error(block *b, int line, const char *what)
{
    fprintf(stderr, "%s:%d: block %d: %s\n", b->file, line, b->number, what);
    b->bad = 1;
}

static eg_format format_from_name(const char *s)
{
    for (int f = 1; f < EG_FORMAT_COUNT; f++)
        if (!strcmp(s, eg_format_name((eg_format)f)))
            return (eg_format)f;
    return EG_FORMAT_COUNT;
}

static void parse_directive(block *b, int line, const char *s)
{
    if (s[1] == ' ' || s[1] == '\0')
        return; /* comment */
    if (!strncmp(s, "#format ", 8)) {
        b->format = format_from_name(s + 8);
        if (b->format == EG_FORMAT_COUNT)
            syntax_error(b, line, "unknown #format");
    } else if (!strncmp(s, "#as-of ", 7)) {
        b->as_of = atoi(s + 7);
        if (b->as_of < 19000101 || b->as_of > 99991231)
            syntax_error(b, line, "#as-of expects YYYYMMDD");
    } else if (!strcmp(s, "#crlf")) {
        b->crlf = 1;
    } else if (!strncmp(s, "#xfail ", 7)) {
        copy_str(b->xfail, sizeof b->xfail, s + 7);
    } else {
        syntax_error(b, line, "unknown directive");
    }
}

static void parse_expect(block *b, int line, char *s)
{
    char *hash = strstr(s, " #");
    if (hash)
        *hash = '\0';
    if (!strcmp(s, "-")) {
        b->none = 1;
        return;
    }
    if (b->nexp == MAX_FINDINGS) {
        syntax_error(b, line, "too many expected findings");
        return;
    }
    expect *e = &b->exp[b->nexp];
    memset(e, 0, sizeof *e);
    char field[160] = "";
    int n =
        sscanf(s, "%31s %llu %llu %159s", e->type, &e->start, &e->end, field);
    if (n < 3 || e->end <= e->start) {
        syntax_error(b, line, "expected 'TYPE START END [field=NAME]'");
        return;
    }
    if (eg_type_from_id(e->type) < 0) {
        syntax_error(b, line, "unknown type id");
        return;
    }
    if (n == 4) {
        if (strncmp(field, "field=", 6) != 0) {
            syntax_error(b, line, "the 4th column must be field=NAME");
            return;
        }
        copy_str(e->field, sizeof e->field, field + 6);
        e->has_field = 1;
    }
    b->nexp++;
}

/* ---- running one block ---- */

static void print_finding(const char *what, const expect *e, const block *b)
{
    fprintf(stderr, "    %s%s%s %llu %llu", what, *what ? ": " : "", e->type,
            e->start, e->end);
    if (e->has_field)
        fprintf(stderr, " field=%s", e->field);
    if (e->end <= b->input_len && e->start < e->end)
        fprintf(stderr, "  # %.*s", (int)(e->end - e->start),
                b->input + e->start);
    fputc('\n', stderr);
}

static int same_finding(const expect *want, const expect *got)
{
    if (strcmp(want->type, got->type) || want->start != got->start ||
        want->end != got->end)
        return 0;
    if (want->has_field && (!got->has_field || strcmp(want->field, got->field)))
        return 0;
    return 1;
}

/* Prints the differences; @return 1 if the block matches. */
static int compare(const block *b, const got_list *g, int quiet)
{
    int ok = !g->overflow && g->n == b->nexp;
    for (int i = 0; ok && i < b->nexp; i++)
        ok = same_finding(&b->exp[i], &g->f[i]);
    if (ok || quiet)
        return ok;
    if (g->overflow)
        fprintf(stderr, "    more than %d findings\n", MAX_FINDINGS);
    int used[MAX_FINDINGS] = {0};
    for (int i = 0; i < b->nexp; i++) {
        int found = -1;
        for (int j = 0; j < g->n && found < 0; j++)
            if (!used[j] && same_finding(&b->exp[i], &g->f[j]))
                found = j;
        if (found >= 0) {
            used[found] = 1;
            if (found != i)
                print_finding("out of order", &b->exp[i], b);
        } else {
            print_finding("missing", &b->exp[i], b);
        }
    }
    for (int j = 0; j < g->n; j++)
        if (!used[j])
            print_finding("unexpected", &g->f[j], b);
    return 0;
}

static int run_block(const eg_engine *eng, block *b)
{
    if (b->bad)
        return 0;
    if (b->nexp == 0 && !b->none) {
        fprintf(stderr, "%s:%d: block %d: no expectation (use '-')\n", b->file,
                b->line, b->number);
        return 0;
    }
    eg_scan_options opts = EG_SCAN_OPTIONS_INIT;
    opts.threads = 1;
    opts.format = b->format;
    opts.as_of_ymd = b->as_of;
    eg_sink sink = {on_finding, NULL, NULL, NULL};
    got_list got;
    memset(&got, 0, sizeof got);
    eg_error err;
    int rc = eg_scan_buffer(eng, &opts, "block", b->input, b->input_len, &sink,
                            &got, &err);
    if (rc != EG_OK) {
        fprintf(stderr, "%s:%d: block %d: eg_scan_buffer: %s\n", b->file,
                b->line, b->number, err.message);
        return 0;
    }
    if (getenv("EG_DETECT_SHOW")) {
        fprintf(stderr, "%s:%d: block %d finds:\n", b->file, b->line,
                b->number);
        for (int i = 0; i < got.n; i++)
            print_finding("", &got.f[i], b);
    }
    all_totals.blocks++;
    all_totals.findings += b->nexp;
    int xfail = b->xfail[0] != '\0';
    if (compare(b, &got, 1)) {
        if (xfail) {
            all_totals.xpass++;
            fprintf(stderr,
                    "%s:%d: block %d: XPASS (%s): it passes now, remove "
                    "the #xfail\n",
                    b->file, b->line, b->number, b->xfail);
        } else {
            all_totals.pass++;
        }
        return 1;
    }
    if (xfail) {
        all_totals.xfail++;
        fprintf(stderr, "%s:%d: block %d: XFAIL (%s)\n", b->file, b->line,
                b->number, b->xfail);
        return 1;
    }
    all_totals.fail++;
    fprintf(stderr, "%s:%d: block %d FAILED, input \"%s\"\n", b->file, b->line,
            b->number, b->input);
    compare(b, &got, 0);
    return 0;
}

/* ---- one file ---- */

enum { IN_HEAD, IN_INPUT, IN_EXPECT };

static void block_start(block *b, const char *file, int number, int line)
{
    char *keep = b->input;
    size_t cap = b->input_cap;
    memset(b, 0, sizeof *b);
    b->input = keep;
    b->input_cap = cap;
    b->input_len = 0;
    if (b->input)
        b->input[0] = '\0';
    b->file = file;
    b->number = number;
    b->line = line;
    b->format = EG_FORMAT_TEXT;
    b->as_of = DEFAULT_AS_OF;
}

typedef struct file_result {
    int blocks, failed;
} file_result;

static file_result run_file(const eg_engine *eng, const char *path)
{
    file_result r = {0, 0};
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        r.failed = 1;
        return r;
    }
    block b;
    memset(&b, 0, sizeof b);
    int number = 1, lineno = 0, state = IN_HEAD, input_lines = 0;
    block_start(&b, path, number, 1);
    char line[8192];
    int eof = 0;
    while (!eof) {
        eof = fgets(line, sizeof line, fp) == NULL;
        lineno++;
        if (!eof) {
            size_t n = strlen(line);
            if (n && line[n - 1] == '\n')
                line[--n] = '\0';
        }
        if (eof || !strcmp(line, "---")) {
            if (state != IN_EXPECT) {
                if (!eof || state != IN_HEAD) {
                    syntax_error(&b, lineno, "block without '=>'");
                    r.failed++;
                }
            } else {
                r.blocks++;
                if (!run_block(eng, &b))
                    r.failed++;
            }
            block_start(&b, path, ++number, lineno + 1);
            state = IN_HEAD;
            input_lines = 0;
            continue;
        }
        if (state != IN_EXPECT && !strcmp(line, "=>")) {
            state = IN_EXPECT;
            continue;
        }
        switch (state) {
        case IN_HEAD:
            if (line[0] == '#') {
                parse_directive(&b, lineno, line);
                break;
            }
            state = IN_INPUT;
            /* fall through */
        case IN_INPUT:
            if ((input_lines++ &&
                 append_input(&b, b.crlf ? "\r\n" : "\n", b.crlf ? 2 : 1)) ||
                append_input(&b, line, strlen(line))) {
                syntax_error(&b, lineno, "out of memory");
            }
            break;
        case IN_EXPECT:
            if (line[0] != '\0')
                parse_expect(&b, lineno, line);
            break;
        }
    }
    free(b.input);
    fclose(fp);
    return r;
}

/* ---- all files ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

EG_TEST(detector_data_files)
{
    const char *dir = getenv("EG_DETECT_DIR");
    const char *only = getenv("EG_DETECT_ONLY");
    if (!dir)
        dir = "detect";
    eg_engine *eng = NULL;
    eg_error err;
    EG_CHECK_INT(eg_engine_new(&eng, &err), EG_OK);
    if (!eng)
        return;
    DIR *d = opendir(dir);
    EG_CHECK(d != NULL);
    if (!d) {
        eg_engine_free(eng);
        return;
    }
    char *names[256];
    size_t nnames = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nnames < 256)
        if (ends_with(de->d_name, ".txt") &&
            (!only || !strcmp(only, de->d_name)))
            names[nnames++] = strdup(de->d_name);
    closedir(d);
    qsort(names, nnames, sizeof *names, cmp_names);

    /* every catalog type has its file (unless one file was asked for) */
    for (int t = 0; t < eg_type_count() && !only; t++) {
        char want[64];
        snprintf(want, sizeof want, "%s.txt", eg_type_id(t));
        int have = 0;
        for (size_t i = 0; i < nnames; i++)
            have |= names[i] && !strcmp(names[i], want);
        if (!have)
            fprintf(stderr, "%s/%s: missing (every type needs a file)\n", dir,
                    want);
        EG_CHECK(have);
    }
    for (size_t i = 0; i < nnames; i++) {
        if (!names[i])
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int before = all_totals.pass + all_totals.xfail + all_totals.xpass;
        file_result r = run_file(eng, path);
        int after = all_totals.pass + all_totals.xfail + all_totals.xpass;
        fprintf(stderr, "%-32s %3d blocks, %3d passed, %d failed\n", names[i],
                r.blocks, after - before, r.failed);
        eg_test_checks++;
        if (r.failed || r.blocks == 0)
            eg_test_failures++;
        free(names[i]);
    }
    fprintf(stderr,
            "detector data: %d blocks (%d expected findings): %d passed, "
            "%d failed, %d xfail, %d xpass\n",
            all_totals.blocks, all_totals.findings, all_totals.pass,
            all_totals.fail, all_totals.xfail, all_totals.xpass);
    eg_engine_free(eng);
}

int main(void)
{
    EG_RUN(detector_data_files);
    return EG_TEST_END();
}
