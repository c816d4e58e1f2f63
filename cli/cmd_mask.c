/*
 * cmd_mask.c: `egress mask`: de-identify files for export.
 *
 * Each input is scanned (the same detection as `egress scan`) and copied
 * with every finding replaced by the output of its policy's operator; the
 * structure (CSV rows and columns, JSON keys, compression, line endings,
 * BOM) stays.  One input goes to -o (or standard output); several, or
 * directories, go to --out-dir.  --report writes what was replaced
 * (offsets and types, never values), which `egress unmask` needs to
 * reverse `encrypt`.  The work is the library's (eg_masker); this file
 * parses options and prints a one-line summary per input on stderr.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
    fputs(
        "usage: egress mask [OPTIONS] INPUT...\n"
        "De-identify files: every finding is replaced by its operator's "
        "output,\n"
        "everything else is copied byte for byte (CSV/JSON structure, "
        "compression,\n"
        "line endings and BOM are kept).\n"
        "\n"
        "  -o, --output FILE       the masked file (one input; default "
        "stdout)\n"
        "      --out-dir DIR       masked files go to DIR (several inputs, "
        "directories)\n"
        "      --policy FILE       YAML policy: operator per type or "
        "category\n"
        "      --operator OP       one operator for every type: redact, mask,\n"
        "                          pseudonymize, encrypt, generalize, keep, "
        "drop\n"
        "                          (default: the built-in policy)\n"
        "      --key-file FILE     key for pseudonyms and encryption (or\n"
        "                          EGRESS_KEY_FILE); without one a random key "
        "is\n"
        "                          used and nothing can be unmasked\n"
        "      --report FILE       write the JSON report of what was "
        "replaced\n"
        "                          (needed by 'egress unmask')\n"
        "  -j, --threads N         scan threads (default: all cores)\n"
        "      --input-format FMT  auto, text, csv, tsv, json, jsonl\n"
        "      --encoding ENC      auto, utf-8, gb18030 (GB18030 input is "
        "written\n"
        "                          back in GB18030)\n"
        "      --as-of YYYY-MM-DD  'today' for dates, ages and ID checks\n"
        "      --binary            mask binary files too\n"
        "      --level N           compression level of compressed outputs\n"
        "      --max-decompressed BYTES  per compressed input (default 16G)\n"
        "      --max-ratio N       decompression ratio cap (default 1000)\n"
        "  -q, --quiet             no summary or warnings on stderr\n"
        "\n"
        "Exit status: 0 all inputs masked, 2 an error (no output is left "
        "for a\n"
        "failed input).\n",
        to);
}

typedef struct mask_args {
    const char *output, *out_dir, *report, *key_file;
    int quiet;
    eg_mask_options opts;
} mask_args;

enum {
    OPT_OUTDIR = 256,
    OPT_POLICY,
    OPT_OPERATOR,
    OPT_KEY,
    OPT_REPORT,
    OPT_INFMT,
    OPT_ENCODING,
    OPT_ASOF,
    OPT_BINARY,
    OPT_LEVEL,
    OPT_MAXD,
    OPT_MAXR
};

static const struct option long_opts[] = {
    {"output", required_argument, 0, 'o'},
    {"out-dir", required_argument, 0, OPT_OUTDIR},
    {"policy", required_argument, 0, OPT_POLICY},
    {"operator", required_argument, 0, OPT_OPERATOR},
    {"key-file", required_argument, 0, OPT_KEY},
    {"report", required_argument, 0, OPT_REPORT},
    {"threads", required_argument, 0, 'j'},
    {"input-format", required_argument, 0, OPT_INFMT},
    {"encoding", required_argument, 0, OPT_ENCODING},
    {"as-of", required_argument, 0, OPT_ASOF},
    {"binary", no_argument, 0, OPT_BINARY},
    {"level", required_argument, 0, OPT_LEVEL},
    {"max-decompressed", required_argument, 0, OPT_MAXD},
    {"max-ratio", required_argument, 0, OPT_MAXR},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0}};

/* One option; returns 0, 1 (help: exit 0) or -1 (exit 2). */
static int take_option(int ch, mask_args *a)
{
    long long v;
    switch (ch) {
    case 'o':
        a->output = optarg;
        return 0;
    case OPT_OUTDIR:
        a->out_dir = optarg;
        return 0;
    case OPT_POLICY:
        a->opts.policy_file = optarg;
        return 0;
    case OPT_OPERATOR:
        a->opts.operator_name = optarg;
        return 0;
    case OPT_KEY:
        a->key_file = optarg;
        return 0;
    case OPT_REPORT:
        a->report = optarg;
        return 0;
    case 'j':
        if ((v = cli_parse_count("--threads", optarg)) < 0 || v > 256)
            return -1;
        a->opts.scan.threads = (int)v;
        return 0;
    case OPT_INFMT:
        return cli_parse_input_format(optarg, &a->opts.scan.format);
    case OPT_ENCODING:
        return cli_parse_encoding(optarg, &a->opts.scan.encoding);
    case OPT_ASOF:
        if (cli_parse_date(optarg, &a->opts.scan.as_of_ymd) != 0) {
            cli_error("--as-of expects YYYY-MM-DD");
            return -1;
        }
        return 0;
    case OPT_BINARY:
        a->opts.scan.scan_binary = 1;
        return 0;
    case OPT_LEVEL:
        if ((v = cli_parse_count("--level", optarg)) < 1 || v > 19)
            return cli_error("--level expects 1..19 (gzip uses 1..9)"), -1;
        a->opts.compression_level = (int)v;
        return 0;
    case OPT_MAXD:
        if ((v = cli_parse_count("--max-decompressed", optarg)) < 0)
            return -1;
        a->opts.scan.max_decompressed = (uint64_t)v;
        return 0;
    case OPT_MAXR:
        if ((v = cli_parse_count("--max-ratio", optarg)) < 1 || v > 1000000)
            return cli_error("--max-ratio expects 1..1000000"), -1;
        a->opts.scan.max_ratio = (uint32_t)v;
        return 0;
    case 'q':
        a->quiet = 1;
        return 0;
    case 'h':
        usage(stdout);
        return 1;
    default:
        usage(stderr);
        return -1;
    }
}

static int parse_args(int argc, char **argv, mask_args *a)
{
    eg_mask_options init = EG_MASK_OPTIONS_INIT;
    a->opts = init;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "o:j:qh", long_opts, NULL)) != -1) {
        int rc = take_option(ch, a);
        if (rc != 0)
            return rc;
    }
    int n = argc - optind;
    if (n < 1) {
        cli_error("mask: no input given (a file, a directory or '-')");
        usage(stderr);
        return -1;
    }
    if (a->output && a->out_dir) {
        cli_error("mask: give -o or --out-dir, not both");
        return -1;
    }
    if (!a->out_dir && n > 1) {
        cli_error("mask: several inputs need --out-dir DIR");
        return -1;
    }
    if (a->opts.policy_file && a->opts.operator_name) {
        cli_error("mask: give --policy or --operator, not both");
        return -1;
    }
    return 0;
}

static void on_warning(const char *path, uint64_t offset, int code,
                       const char *message, void *payload)
{
    const mask_args *a = payload;
    (void)code;
    if (a->quiet)
        return;
    size_t pl = strlen(path);
    int named = !strncmp(message, path, pl) && message[pl] == ':';
    if (offset != UINT64_MAX)
        cli_warn("%s%s%s (at byte %llu)", named ? "" : path, named ? "" : ": ",
                 message, (unsigned long long)offset);
    else
        cli_warn("%s%s%s", named ? "" : path, named ? "" : ": ", message);
}

static int load_key(const char *path, eg_key *key, int *have)
{
    int rc = cli_load_key(path, key);
    *have = rc > 0;
    return rc < 0 ? -1 : 0;
}

static void summary(const mask_args *a, const char *in, const char *out,
                    const eg_mask_stats *s)
{
    if (a->quiet)
        return;
    fprintf(stderr,
            "egress: masked %s -> %s: %llu findings, %llu spans replaced", in,
            out, (unsigned long long)s->findings, (unsigned long long)s->spans);
    const struct {
        uint64_t n;
        const char *what;
    } extra[] = {{s->fallbacks, "redacted as fallback"},
                 {s->well_formed, "kept well-formed"},
                 {s->requoted, "CSV fields quoted"},
                 {s->dropped_columns, "CSV columns dropped"},
                 {s->dropped_keys, "JSON keys dropped"}};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (extra[i].n)
            fprintf(stderr, ", %llu %s", (unsigned long long)extra[i].n,
                    extra[i].what);
    fputc('\n', stderr);
}

static int run(eg_masker *m, mask_args *a, char **inputs, int n)
{
    eg_error err;
    eg_mask_stats st;
    if (!a->out_dir) {
        const char *out = a->output ? a->output : "-";
        if (eg_mask_file(m, inputs[0], out, &st, &err) != EG_OK) {
            cli_error("%s", err.message);
            return 2;
        }
        summary(a, inputs[0], !strcmp(out, "-") ? "stdout" : out, &st);
        return 0;
    }
    uint64_t failed = 0;
    int rc = eg_mask_paths(m, (const char *const *)inputs, (size_t)n,
                           a->out_dir, &st, &failed, &err);
    if (rc != EG_OK) {
        cli_error("%s", err.message);
        return 2;
    }
    summary(a, n == 1 ? inputs[0] : "inputs", a->out_dir, &st);
    if (failed) {
        cli_error("%llu input(s) could not be masked",
                  (unsigned long long)failed);
        return 2;
    }
    return 0;
}

int cmd_mask(int argc, char **argv)
{
    mask_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    eg_key key;
    int have_key = 0;
    if (load_key(a.key_file, &key, &have_key) != 0)
        return 2;
    a.opts.key = have_key ? &key : NULL;
    a.opts.warning = on_warning;
    a.opts.payload = &a;
    eg_error err;
    eg_engine *eng = NULL;
    eg_masker *m = NULL;
    if (eg_engine_new(&eng, &err) != EG_OK ||
        eg_masker_new(&m, eng, &a.opts, &err) != EG_OK) {
        cli_error("%s", err.message);
        eg_engine_free(eng);
        if (have_key)
            eg_key_wipe(&key);
        return 2;
    }
    if (!have_key && !a.quiet)
        cli_warn("no --key-file: a random key is used for this run (key id "
                 "%s); encrypted values can never be unmasked and pseudonyms "
                 "will not match other runs",
                 eg_masker_key_id(m));
    int status = run(m, &a, argv + optind, argc - optind);
    if (a.report && eg_masker_write_report(m, a.report, &err) != EG_OK) {
        cli_error("%s", err.message);
        status = 2;
    }
    eg_masker_free(m);
    eg_engine_free(eng);
    if (have_key)
        eg_key_wipe(&key);
    return status;
}
