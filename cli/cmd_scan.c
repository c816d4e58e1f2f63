/*
 * cmd_scan.c: `egress scan`: find personal and sensitive data in files.
 *
 * Output formats: jsonl (the findings contract, shared/spec/findings.md),
 * text (for people: path:line, type, masked value; colour on a terminal)
 * and sarif (SARIF 2.1.0, for code-scanning tools).  --summary writes
 * totals as JSON; --state writes the counting state for `egress assess` and
 * `egress merge`.  Every output file is written atomically.  Nothing here
 * ever sees a raw value: the library hands over masked previews and
 * fingerprints only.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum out_format { OUT_JSONL, OUT_TEXT, OUT_SARIF };

/* Distinct fingerprints per type, for the summary: open addressing over
 * the 64-bit fingerprints (0 marks an empty slot; a zero fingerprint is
 * stored as 1, which only merges two 2^-64 events). */
typedef struct fp_set {
    uint64_t *slots;
    size_t cap, n;
} fp_set;

typedef struct file_count {
    char *path;
    uint64_t findings;
} file_count;

typedef struct scan_ctx {
    enum out_format format;
    FILE *out;
    int color;
    int quiet;
    char line[8192];
    uint64_t by_type[64];
    uint64_t by_cat[EG_CAT_COUNT];
    fp_set distinct[64];
    file_count *files;
    size_t nfiles, capfiles;
    int want_summary;
    eg_state *state;
    int state_failed;
    eg_error state_err;
    uint64_t warnings;
    uint64_t errors;
    int sarif_first;
    int oom;
} scan_ctx;

static int fp_add(fp_set *s, uint64_t v)
{
    if (v == 0)
        v = 1;
    if (s->n * 2 >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *n = calloc(cap, sizeof *n);
        if (!n)
            return -1;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) {
                size_t j =
                    (size_t)(s->slots[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
                while (n[j])
                    j = (j + 1) & (cap - 1);
                n[j] = s->slots[i];
            }
        free(s->slots);
        s->slots = n;
        s->cap = cap;
    }
    size_t j = (size_t)(v * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    while (s->slots[j]) {
        if (s->slots[j] == v)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = v;
    s->n++;
    return 0;
}

/* ---- writing ---- */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fputc('\\', out), fputc(c, out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* The findings line is built by hand: printf costs more than the whole
 * detection of a finding. */
static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_lit(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_json(char *p, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    *p++ = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < 0x20) {
            p = put_lit(p, "\\u00");
            *p++ = hex[ch >> 4];
            *p++ = hex[ch & 15];
        } else {
            *p++ = (char)ch;
        }
    }
    *p++ = '"';
    return p;
}

/* Render one findings line into out (cap >= 6 * strlen(parts) + 256 is
 * always enough); returns its length, or 0 when it does not fit.
 * Thread-safe: called from the scan's workers. */
static size_t format_jsonl(const eg_finding *f, char *out, size_t cap)
{
    size_t need = 6 * (strlen(f->path) + strlen(f->masked) +
                       (f->field ? strlen(f->field) : 0)) +
                  256;
    if (need > cap)
        return 0;
    char *p = put_lit(out, "{\"path\":");
    p = put_json(p, f->path);
    p = put_u64(put_lit(p, ",\"start\":"), f->start);
    p = put_u64(put_lit(p, ",\"end\":"), f->end);
    p = put_u64(put_lit(p, ",\"line\":"), f->line);
    p = put_lit(put_lit(p, ",\"type\":\""), eg_type_id(f->type));
    p = put_lit(p, "\",\"category\":\"");
    p = put_lit(p, eg_category_id(eg_type_category(f->type)));
    p = put_lit(p, "\",\"confidence\":");
    unsigned pc = (unsigned)(f->confidence * 100.0f + 0.5f);
    if (pc >= 100) {
        p = put_lit(p, "1.00");
    } else {
        p = put_lit(p, "0.");
        *p++ = (char)('0' + pc / 10);
        *p++ = (char)('0' + pc % 10);
    }
    if (f->field) {
        p = put_lit(p, ",\"field\":");
        p = put_json(p, f->field);
    }
    p = put_json(put_lit(p, ",\"masked\":"), f->masked);
    p = put_lit(put_lit(p, ",\"fingerprint\":\""), f->fingerprint);
    p = put_lit(p, "\"}\n");
    return (size_t)(p - out);
}

static void write_jsonl(scan_ctx *c, const eg_finding *f)
{
    size_t need = 6 * (strlen(f->path) + strlen(f->masked) +
                       (f->field ? strlen(f->field) : 0)) +
                  256;
    char *line = need <= sizeof c->line ? c->line : malloc(need);
    if (!line) {
        c->oom = 1;
        return;
    }
    size_t n =
        format_jsonl(f, line, need > sizeof c->line ? need : sizeof c->line);
    fwrite(line, 1, n, c->out);
    if (line != c->line)
        free(line);
}

static void write_text(scan_ctx *c, const eg_finding *f)
{
    const char *bold = c->color ? "\033[1m" : "", *cat_col = "";
    const char *reset = c->color ? "\033[0m" : "";
    if (c->color) {
        eg_category cat = eg_type_category(f->type);
        cat_col = cat == EG_CAT_SENSITIVE_PI   ? "\033[31m"
                  : cat == EG_CAT_CONFIDENTIAL ? "\033[35m"
                  : cat == EG_CAT_CREDENTIAL   ? "\033[33m"
                                               : "\033[36m";
    }
    fprintf(c->out, "%s%s%s:%llu: %s%s%s %s", bold, f->path, reset,
            (unsigned long long)f->line, cat_col, eg_type_id(f->type), reset,
            f->masked);
    if (f->field)
        fprintf(c->out, " [%s]", f->field);
    fprintf(c->out, " (%.2f)\n", f->confidence);
}

static void write_sarif_result(scan_ctx *c, const eg_finding *f)
{
    FILE *o = c->out;
    fputs(c->sarif_first ? "\n" : ",\n", o);
    c->sarif_first = 0;
    fprintf(o, "{\"ruleId\":\"%s\",\"level\":\"%s\",\"message\":{\"text\":",
            eg_type_id(f->type),
            eg_type_category(f->type) == EG_CAT_PI ? "note" : "warning");
    char msg[256];
    snprintf(msg, sizeof msg, "%s %s", eg_type_id(f->type), f->masked);
    json_string(o, msg);
    fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{"
          "\"uri\":",
          o);
    json_string(o, f->path);
    fprintf(o,
            "},\"region\":{\"startLine\":%llu,\"byteOffset\":%llu,"
            "\"byteLength\":%llu}}}],\"partialFingerprints\":{"
            "\"egress/v1\":\"%s\"},\"properties\":{\"confidence\":%.2f",
            (unsigned long long)f->line, (unsigned long long)f->start,
            (unsigned long long)(f->end - f->start), f->fingerprint,
            f->confidence);
    if (f->field) {
        fputs(",\"field\":", o);
        json_string(o, f->field);
    }
    fputs("}}", o);
}

static void sarif_begin(scan_ctx *c)
{
    fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
          "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":"
          "\"egress\",\"version\":\"" EG_VERSION_STRING "\",\"rules\":[",
          c->out);
    for (int t = 0; t < eg_type_count(); t++) {
        fprintf(c->out, "%s{\"id\":\"%s\",\"shortDescription\":{\"text\":",
                t ? "," : "", eg_type_id(t));
        json_string(c->out, eg_type_description(t));
        fprintf(c->out, "},\"properties\":{\"category\":\"%s\"}}",
                eg_category_id(eg_type_category(t)));
    }
    fputs("]}},\"results\":[", c->out);
    c->sarif_first = 1;
}

static void sarif_end(scan_ctx *c)
{
    fputs("\n]}]}\n", c->out);
}

/* ---- sink callbacks ---- */

static file_count *file_entry(scan_ctx *c, const char *path)
{
    if (c->nfiles && !strcmp(c->files[c->nfiles - 1].path, path))
        return &c->files[c->nfiles - 1];
    if (c->nfiles == c->capfiles) {
        size_t cap = c->capfiles ? c->capfiles * 2 : 64;
        file_count *f = realloc(c->files, cap * sizeof *f);
        if (!f)
            return NULL;
        c->files = f;
        c->capfiles = cap;
    }
    file_count *f = &c->files[c->nfiles];
    f->path = strdup(path);
    if (!f->path)
        return NULL;
    f->findings = 0;
    c->nfiles++;
    return f;
}

/* eg_sink.format: render on the scan's worker threads (JSON Lines only:
 * text needs the terminal's colour choice, SARIF the separator state). */
static size_t on_format(const eg_finding *f, char *out, size_t cap,
                        void *payload)
{
    const scan_ctx *c = payload;
    return c->format == OUT_JSONL ? format_jsonl(f, out, cap) : 0;
}

static int on_finding(const eg_finding *f, void *payload)
{
    scan_ctx *c = payload;
    if (f->text) {
        fwrite(f->text, 1, f->text_len, c->out);
    } else
        switch (c->format) {
        case OUT_JSONL:
            write_jsonl(c, f);
            break;
        case OUT_TEXT:
            write_text(c, f);
            break;
        case OUT_SARIF:
            write_sarif_result(c, f);
            break;
        }
    if (f->type >= 0 && f->type < 64) {
        c->by_type[f->type]++;
        if (c->want_summary && fp_add(&c->distinct[f->type], f->fp64) != 0)
            c->oom = 1;
    }
    c->by_cat[eg_type_category(f->type)]++;
    if (c->want_summary) {
        file_count *fc = file_entry(c, f->path);
        if (fc)
            fc->findings++;
        else
            c->oom = 1;
    }
    if (c->state && !c->state_failed &&
        eg_state_add_finding(c->state, f, &c->state_err) != EG_OK)
        c->state_failed = 1;
    return c->oom;
}

static void on_warning(const char *path, uint64_t offset, int code,
                       const char *message, void *payload)
{
    scan_ctx *c = payload;
    int skipped_binary = code == EG_EUNSUPPORTED &&
                         strstr(message, "binary file skipped") != NULL;
    if (skipped_binary)
        return; /* counted and reported once at the end */
    c->warnings++;
    if (c->quiet)
        return;
    /* messages from the input layer already begin with the path; file
     * names are shown with control characters replaced, so a name holding
     * a newline cannot forge a line of output */
    char shown[1024];
    size_t k = 0;
    for (const char *q = path; *q && k + 1 < sizeof shown; q++)
        shown[k++] = (unsigned char)*q < 0x20 || *q == 0x7f ? '?' : *q;
    shown[k] = '\0';
    size_t pl = strlen(path);
    int named = strncmp(message, path, pl) == 0 && message[pl] == ':';
    const char *rest = named ? message + pl : message;
    if (offset != UINT64_MAX && !strstr(message, "byte"))
        cli_warn("%s%s%s (at byte %llu)", shown, named ? "" : ": ", rest,
                 (unsigned long long)offset);
    else
        cli_warn("%s%s%s", shown, named ? "" : ": ", rest);
}

/* ---- summary ---- */

static void write_summary(FILE *o, const scan_ctx *c, const eg_scan_stats *st)
{
    fprintf(o,
            "{\"version\":1,\"tool\":\"egress " EG_VERSION_STRING "\","
            "\"bytes_scanned\":%llu,\"files_scanned\":%llu,"
            "\"files_skipped_binary\":%llu,\"files_skipped_other\":%llu,"
            "\"files_failed\":%llu,\"findings\":%llu,\n\"findings_by_type\":{",
            (unsigned long long)st->bytes, (unsigned long long)st->files,
            (unsigned long long)st->skipped_binary,
            (unsigned long long)st->skipped_other,
            (unsigned long long)st->failed, (unsigned long long)st->findings);
    int first = 1;
    for (int t = 0; t < eg_type_count(); t++)
        if (c->by_type[t]) {
            fprintf(o, "%s\"%s\":%llu", first ? "" : ",", eg_type_id(t),
                    (unsigned long long)c->by_type[t]);
            first = 0;
        }
    fputs("},\n\"distinct_fingerprints_by_type\":{", o);
    first = 1;
    for (int t = 0; t < eg_type_count(); t++)
        if (c->by_type[t]) {
            fprintf(o, "%s\"%s\":%llu", first ? "" : ",", eg_type_id(t),
                    (unsigned long long)c->distinct[t].n);
            first = 0;
        }
    fputs("},\n\"findings_by_category\":{", o);
    for (int k = 0; k < EG_CAT_COUNT; k++)
        fprintf(o, "%s\"%s\":%llu", k ? "," : "",
                eg_category_id((eg_category)k),
                (unsigned long long)c->by_cat[k]);
    fputs("},\n\"findings_by_file\":{", o);
    for (size_t i = 0; i < c->nfiles; i++) {
        fputs(i ? ",\n" : "\n", o);
        json_string(o, c->files[i].path);
        fprintf(o, ":%llu", (unsigned long long)c->files[i].findings);
    }
    fputs("}}\n", o);
}

/* ---- options ---- */

static void usage(FILE *to)
{
    fputs("usage: egress scan [OPTIONS] PATH...\n"
          "Find personal information, sensitive PI, confidential markings and\n"
          "credentials in files, directories (recursively) and '-' (stdin).\n"
          "\n"
          "  -f, --format FMT        text (default), jsonl, sarif\n"
          "  -o, --output FILE       write findings to FILE (atomically)\n"
          "      --summary FILE      write totals as JSON\n"
          "      --state FILE        write the counting state for 'egress "
          "assess'\n"
          "  -j, --threads N         worker threads (default: all cores)\n"
          "      --key-file FILE     fingerprint key (or EGRESS_KEY_FILE); "
          "without\n"
          "                          one a random key is used for this run\n"
          "      --types LIST        only these type ids (comma-separated)\n"
          "      --input-format FMT  auto, text, csv, tsv, json, jsonl\n"
          "      --encoding ENC      auto (UTF-8, or GB18030/GBK when the "
          "text is),\n"
          "                          utf-8, gb18030\n"
          "      --binary            scan binary files too\n"
          "      --as-of YYYY-MM-DD  the date birth dates are checked against\n"
          "      --max-findings N    per input (default unlimited)\n"
          "      --max-decompressed BYTES  per compressed input (default 16G)\n"
          "      --max-ratio N       decompression ratio cap (default 1000)\n"
          "      --max-depth N       JSON nesting tracked (default 512)\n"
          "      --color WHEN        auto, always, never\n"
          "      --fail-on-findings  exit 1 when anything is found\n"
          "  -q, --quiet             no warnings on stderr\n"
          "      --list-types        print the type catalog and exit\n"
          "\n"
          "Exit status: 0 ran, 1 findings and --fail-on-findings, 2 error.\n",
          to);
}

static void list_types(void)
{
    for (int t = 0; t < eg_type_count(); t++)
        printf("%-22s %-13s %s\n", eg_type_id(t),
               eg_category_id(eg_type_category(t)), eg_type_description(t));
}

static int parse_types(const char *list, uint8_t *enabled)
{
    memset(enabled, 0, (size_t)eg_type_count());
    char *copy = strdup(list);
    if (!copy)
        return -1;
    int rc = 0;
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        int t = eg_type_from_id(tok);
        if (t < 0) {
            cli_error("unknown type '%s' (see --list-types)", tok);
            rc = -1;
            break;
        }
        enabled[t] = 1;
    }
    free(copy);
    return rc;
}

typedef struct scan_args {
    const char *output, *summary, *state, *key_file, *types, *color;
    int fail_on_findings;
    enum out_format format;
    int format_given;
    eg_scan_options opts;
    uint8_t enabled[64];
} scan_args;

enum {
    OPT_SUMMARY = 256,
    OPT_STATE,
    OPT_KEY,
    OPT_TYPES,
    OPT_INFMT,
    OPT_ENCODING,
    OPT_BINARY,
    OPT_ASOF,
    OPT_MAXF,
    OPT_MAXD,
    OPT_MAXR,
    OPT_DEPTH,
    OPT_COLOR,
    OPT_FAIL,
    OPT_LIST,
    OPT_CHUNK
};

static const struct option long_opts[] = {
    {"format", required_argument, 0, 'f'},
    {"output", required_argument, 0, 'o'},
    {"summary", required_argument, 0, OPT_SUMMARY},
    {"state", required_argument, 0, OPT_STATE},
    {"threads", required_argument, 0, 'j'},
    {"key-file", required_argument, 0, OPT_KEY},
    {"types", required_argument, 0, OPT_TYPES},
    {"input-format", required_argument, 0, OPT_INFMT},
    {"encoding", required_argument, 0, OPT_ENCODING},
    {"binary", no_argument, 0, OPT_BINARY},
    {"as-of", required_argument, 0, OPT_ASOF},
    {"max-findings", required_argument, 0, OPT_MAXF},
    {"max-decompressed", required_argument, 0, OPT_MAXD},
    {"max-ratio", required_argument, 0, OPT_MAXR},
    {"max-depth", required_argument, 0, OPT_DEPTH},
    {"color", required_argument, 0, OPT_COLOR},
    {"fail-on-findings", no_argument, 0, OPT_FAIL},
    {"quiet", no_argument, 0, 'q'},
    {"list-types", no_argument, 0, OPT_LIST},
    {"chunk-size", required_argument, 0, OPT_CHUNK},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0}};

/* Returns -1 to exit 2, 1 to exit 0 (help, list), 0 to go on. */
static int parse_args(int argc, char **argv, scan_args *a, int *quiet)
{
    eg_scan_options init = EG_SCAN_OPTIONS_INIT;
    a->opts = init;
    long long v;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:o:j:qh", long_opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            a->format_given = 1;
            if (!strcmp(optarg, "jsonl") || !strcmp(optarg, "json"))
                a->format = OUT_JSONL;
            else if (!strcmp(optarg, "text"))
                a->format = OUT_TEXT;
            else if (!strcmp(optarg, "sarif"))
                a->format = OUT_SARIF;
            else {
                cli_error("unknown --format '%s' (jsonl, text, sarif)", optarg);
                return -1;
            }
            break;
        case 'o':
            a->output = optarg;
            break;
        case OPT_SUMMARY:
            a->summary = optarg;
            break;
        case OPT_STATE:
            a->state = optarg;
            break;
        case 'j':
            if ((v = cli_parse_count("--threads", optarg)) < 0 || v > 256)
                return -1;
            a->opts.threads = (int)v;
            break;
        case OPT_KEY:
            a->key_file = optarg;
            break;
        case OPT_TYPES:
            if (parse_types(optarg, a->enabled) != 0)
                return -1;
            a->opts.type_enabled = a->enabled;
            break;
        case OPT_INFMT:
            if (cli_parse_input_format(optarg, &a->opts.format) != 0)
                return -1;
            break;
        case OPT_ENCODING:
            if (cli_parse_encoding(optarg, &a->opts.encoding) != 0)
                return -1;
            break;
        case OPT_BINARY:
            a->opts.scan_binary = 1;
            break;
        case OPT_ASOF:
            if (cli_parse_date(optarg, &a->opts.as_of_ymd) != 0) {
                cli_error("--as-of expects YYYY-MM-DD");
                return -1;
            }
            break;
        case OPT_MAXF:
            if ((v = cli_parse_count("--max-findings", optarg)) < 0)
                return -1;
            a->opts.max_findings = (uint64_t)v;
            break;
        case OPT_MAXD:
            if ((v = cli_parse_count("--max-decompressed", optarg)) < 0)
                return -1;
            a->opts.max_decompressed = (uint64_t)v;
            break;
        case OPT_MAXR:
            if ((v = cli_parse_count("--max-ratio", optarg)) < 1 || v > 1000000)
                return cli_error("--max-ratio expects 1..1000000"), -1;
            a->opts.max_ratio = (uint32_t)v;
            break;
        case OPT_DEPTH:
            if ((v = cli_parse_count("--max-depth", optarg)) < 1 || v > 100000)
                return cli_error("--max-depth expects 1..100000"), -1;
            a->opts.max_depth = (uint32_t)v;
            break;
        case OPT_COLOR:
            a->color = optarg;
            break;
        case OPT_FAIL:
            a->fail_on_findings = 1;
            break;
        case 'q':
            *quiet = 1;
            break;
        case OPT_LIST:
            list_types();
            return 1;
        case OPT_CHUNK:
            if ((v = cli_parse_count("--chunk-size", optarg)) < 0)
                return -1;
            a->opts.chunk_bytes = (size_t)v;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind >= argc) {
        cli_error("scan: no input given (a file, a directory or '-')");
        usage(stderr);
        return -1;
    }
    return 0;
}

/* ---- keys ---- */

static int load_key(const char *path, eg_key *key, int *have)
{
    int rc = cli_load_key(path, key);
    if (rc != 0) {
        *have = rc > 0;
        return rc > 0 ? 0 : -1;
    }
    eg_error err;
    if (eg_key_generate(key, &err) != EG_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    *have = 1;
    cli_warn("no --key-file: fingerprints use a random key for this run only "
             "(key id %s); they will not match other runs",
             key->id);
    return 0;
}

/* ---- the command ---- */

static int use_color(const char *when, FILE *out)
{
    if (when && !strcmp(when, "always"))
        return 1;
    if (when && !strcmp(when, "never"))
        return 0;
    return out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}

static void free_ctx(scan_ctx *c)
{
    for (int t = 0; t < 64; t++)
        free(c->distinct[t].slots);
    for (size_t i = 0; i < c->nfiles; i++)
        free(c->files[i].path);
    free(c->files);
    eg_state_free(c->state);
}

static int write_file_outputs(scan_ctx *c, const scan_args *a,
                              const eg_scan_stats *st)
{
    if (a->summary) {
        cli_out so;
        if (cli_out_open(&so, a->summary) != 0)
            return -1;
        write_summary(so.fp, c, st);
        if (cli_out_commit(&so) != 0)
            return -1;
    }
    if (a->state) {
        eg_error err;
        if (c->state_failed) {
            cli_error("%s: %s", a->state, c->state_err.message);
            return -1;
        }
        if (eg_state_write(c->state, a->state, &err) != EG_OK) {
            cli_error("%s", err.message);
            return -1;
        }
    }
    return 0;
}

static int open_state(scan_ctx *c, const scan_args *a, const eg_key *key)
{
    if (!a->state)
        return 0;
    eg_state_options so = EG_STATE_OPTIONS_INIT;
    so.key_id = key->id;
    eg_error err;
    if (eg_state_new(&c->state, &so, &err) != EG_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    return 0;
}

static int run_scan(scan_args *a, scan_ctx *c, char **paths, size_t npaths,
                    eg_scan_stats *st)
{
    eg_error err;
    eg_engine *eng = NULL;
    if (cli_out_is_input(a->output, paths, npaths) ||
        cli_out_is_input(a->summary, paths, npaths) ||
        cli_out_is_input(a->state, paths, npaths))
        return -1;
    if (eg_engine_new(&eng, &err) != EG_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    cli_out out;
    if (cli_out_open(&out, a->output) != 0) {
        eg_engine_free(eng);
        return -1;
    }
    static char obuf[1 << 16];
    setvbuf(out.fp, obuf, _IOFBF, sizeof obuf);
    c->out = out.fp;
    c->color = c->format == OUT_TEXT && use_color(a->color, out.fp);
    if (c->format == OUT_SARIF)
        sarif_begin(c);
    eg_sink sink = {on_finding, NULL, on_warning, on_format};
    int rc = eg_scan_paths(eng, &a->opts, (const char *const *)paths, npaths,
                           &sink, c, st, &err);
    eg_engine_free(eng);
    if (c->format == OUT_SARIF)
        sarif_end(c);
    if (rc != EG_OK || c->oom) {
        cli_error("%s", c->oom ? "out of memory" : err.message);
        cli_out_abort(&out);
        return -1;
    }
    if (cli_out_commit(&out) != 0)
        return -1;
    return write_file_outputs(c, a, st);
}

int cmd_scan(int argc, char **argv)
{
    scan_args a;
    memset(&a, 0, sizeof a);
    scan_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        cli_error("out of memory");
        return 2;
    }
    int pr = parse_args(argc, argv, &a, &c->quiet);
    if (pr != 0) {
        free(c);
        return pr > 0 ? 0 : 2;
    }
    if (!a.format_given)
        a.format = OUT_TEXT;
    c->format = a.format;
    c->want_summary = a.summary != NULL;
    eg_key key;
    int have_key = 0;
    int status = 2;
    if (load_key(a.key_file, &key, &have_key) == 0 &&
        open_state(c, &a, &key) == 0) {
        a.opts.key = &key;
        eg_scan_stats st;
        memset(&st, 0, sizeof st);
        if (run_scan(&a, c, argv + optind, (size_t)(argc - optind), &st) == 0) {
            if (st.skipped_binary && !c->quiet)
                cli_warn("skipped %llu binary file%s (--binary scans them)",
                         (unsigned long long)st.skipped_binary,
                         st.skipped_binary == 1 ? "" : "s");
            status = st.failed                             ? 2
                     : (a.fail_on_findings && st.findings) ? 1
                                                           : 0;
        }
    }
    if (have_key)
        eg_key_wipe(&key);
    free_ctx(c);
    free(c);
    return status;
}
