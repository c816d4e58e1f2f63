/*
 * cmd_risk.c: `egress risk --quasi COL,COL,... [--k K] FILE.csv`: how
 * k-anonymous a (masked) table is over the columns an attacker could link
 * on (age, sex, region...): the smallest equivalence class, the records
 * and classes below K, and the smallest classes with their values
 * (withheld for columns that are direct identifiers, and for any value
 * egress finds personal information in).  Text or JSON; exit status 1
 * with --fail-below when some class is smaller than K.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *to)
{
    fputs("usage: egress risk --quasi COL,COL,... [OPTIONS] FILE\n"
          "k-anonymity of a CSV/TSV file (plain, gzip or zstd) over its\n"
          "quasi-identifier columns, by header name or 1-based number.\n"
          "\n"
          "      --quasi LIST     the quasi-identifier columns (required)\n"
          "  -k, --k K            the threshold (default 5)\n"
          "      --show N         smallest classes listed (default 20)\n"
          "  -f, --format FMT     text (default) or json\n"
          "  -o, --output FILE    write the result to FILE (atomically)\n"
          "      --no-header      the first row is data (columns by "
          "number)\n"
          "      --input-format FMT  auto, csv, tsv\n"
          "      --fail-below     exit 1 when a class is smaller than K\n"
          "\n"
          "Exit status: 0 ran, 1 a class below K with --fail-below, 2 "
          "error.\n",
          to);
}

static int write_out(const void *data, size_t len, void *payload)
{
    return fwrite(data, 1, len, (FILE *)payload) == len ? 0 : -1;
}

enum { OPT_SHOW = 256, OPT_NOHEADER, OPT_INFMT, OPT_FAIL };

typedef struct risk_args {
    eg_risk_options opts;
    eg_report_format fmt;
    const char *output;
    int fail_below;
} risk_args;

static int take_option(int ch, risk_args *a)
{
    long long v;
    switch (ch) {
    case 'q':
        a->opts.quasi = optarg;
        return 0;
    case 'k':
        if ((v = cli_parse_count("--k", optarg)) < 1)
            return cli_error("--k expects a number of at least 1"), -1;
        a->opts.k = (uint64_t)v;
        return 0;
    case OPT_SHOW:
        if ((v = cli_parse_count("--show", optarg)) < 0 || v > 100000)
            return cli_error("--show expects 0..100000"), -1;
        a->opts.max_listed = v ? (size_t)v : 1;
        return 0;
    case 'f':
        if (!strcmp(optarg, "json"))
            a->fmt = EG_REPORT_JSON;
        else if (!strcmp(optarg, "text"))
            a->fmt = EG_REPORT_TEXT;
        else
            return cli_error("unknown --format '%s' (text, json)", optarg), -1;
        return 0;
    case 'o':
        a->output = optarg;
        return 0;
    case OPT_NOHEADER:
        a->opts.no_header = 1;
        return 0;
    case OPT_INFMT:
        if (!strcmp(optarg, "csv"))
            a->opts.format = EG_FORMAT_CSV;
        else if (!strcmp(optarg, "tsv"))
            a->opts.format = EG_FORMAT_TSV;
        else if (strcmp(optarg, "auto") != 0)
            return cli_error("--input-format expects auto, csv or tsv"), -1;
        return 0;
    case OPT_FAIL:
        a->fail_below = 1;
        return 0;
    case 'h':
        usage(stdout);
        return 1;
    default:
        usage(stderr);
        return -1;
    }
}

int cmd_risk(int argc, char **argv)
{
    static const struct option opts[] = {
        {"quasi", required_argument, 0, 'q'},
        {"k", required_argument, 0, 'k'},
        {"show", required_argument, 0, OPT_SHOW},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"no-header", no_argument, 0, OPT_NOHEADER},
        {"input-format", required_argument, 0, OPT_INFMT},
        {"fail-below", no_argument, 0, OPT_FAIL},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    risk_args a;
    memset(&a, 0, sizeof a);
    eg_risk_options init = EG_RISK_OPTIONS_INIT;
    a.opts = init;
    a.fmt = EG_REPORT_TEXT;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "k:f:o:h", opts, NULL)) != -1) {
        int rc = take_option(ch, &a);
        if (rc != 0)
            return rc > 0 ? 0 : 2;
    }
    if (!a.opts.quasi || optind != argc - 1) {
        cli_error("risk: needs --quasi COL,... and one CSV file");
        usage(stderr);
        return 2;
    }
    eg_error err;
    eg_engine *eng = NULL;
    eg_risk *r = NULL;
    if (eg_engine_new(&eng, &err) != EG_OK ||
        eg_risk_csv(&r, eng, argv[optind], &a.opts, &err) != EG_OK) {
        cli_error("%s", err.message);
        eg_engine_free(eng);
        return 2;
    }
    cli_out out;
    int status = 0;
    if (cli_out_open(&out, a.output) != 0) {
        status = 2;
    } else if (eg_risk_write(r, a.fmt, write_out, out.fp, &err) != EG_OK) {
        cli_error("%s", err.message);
        cli_out_abort(&out);
        status = 2;
    } else if (cli_out_commit(&out) != 0) {
        status = 2;
    }
    eg_risk_summary s;
    eg_risk_get_summary(r, &s);
    if (status == 0 && a.fail_below && s.classes_below_k)
        status = 1;
    eg_risk_free(r);
    eg_engine_free(eng);
    return status;
}
