/*
 * cmd_assess.c: `egress assess`: from a scan state (or counts given on the
 * command line, for what-if questions) to the legal pathway of an export or
 * an overseas listing, with the rules that decided it and the duties that
 * hold either way.
 *
 * All the law is in the rules file (built in, or --rules FILE); this
 * command only gathers the facts, counts the state as of --as-of, and
 * prints the library's report.  Counts on the command line are plain
 * decimal integers: a legal threshold is no place for "1M" shorthands.
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct assess_args {
    const char *state, *scenario, *regime, *exemption, *venue, *rules;
    const char *format, *lang, *output, *as_of;
    long long individuals, sensitive, minors, processed;
    int ciio, important, not_platform;
} assess_args;

enum {
    OPT_STATE = 256,
    OPT_SCENARIO,
    OPT_REGIME,
    OPT_CIIO,
    OPT_IMPORTANT,
    OPT_EXEMPTION,
    OPT_VENUE,
    OPT_NOT_PLATFORM,
    OPT_AS_OF,
    OPT_RULES,
    OPT_FORMAT,
    OPT_LANG,
    OPT_INDIVIDUALS,
    OPT_SENSITIVE,
    OPT_MINORS,
    OPT_PROCESSED,
};

static void usage(FILE *to)
{
    fprintf(
        to,
        "usage: egress assess --scenario outbound|listing (--state FILE |\n"
        "                     --individuals N --sensitive-individuals M)\n"
        "                     [options]\n"
        "\n"
        "Decide the legal pathway of a data export or an overseas listing.\n"
        "\n"
        "  --state FILE              counts from 'egress scan --state' or "
        "'egress merge'\n"
        "  --individuals N           what-if: individuals whose PI is "
        "exported\n"
        "  --sensitive-individuals M what-if: of them, with sensitive PI "
        "(or under 14)\n"
        "  --minors N                what-if: of them, under 14 (default 0)\n"
        "  --scenario S              outbound or listing\n"
        "  --regime ID               rule set: 2024 or 2022 for outbound "
        "(default:\n"
        "                            the one in force on the as-of date)\n"
        "  --ciio                    a critical information infrastructure "
        "operator\n"
        "  --important-data          data notified or published as important "
        "data\n"
        "  --exemption E             contract, hr, emergency, reexport, ftz, "
        "statutory\n"
        "  --processed N             people whose PI the processor holds "
        "(2022 rules;\n"
        "                            default: the individuals counted)\n"
        "  --venue V                 listing venue: foreign or hk\n"
        "  --not-platform            not a network platform operator\n"
        "  --as-of YYYY-MM-DD        assessment date (default today, UTC): "
        "ages, regime\n"
        "  --rules FILE              rules file instead of the built-in one\n"
        "  --format json|text        output format (default text)\n"
        "  --lang en|zh              language of the text (default en)\n"
        "  -o, --output FILE         write there instead of standard "
        "output\n"
        "\n"
        "Exit status: 0 when assessed (also when the pathway is "
        "undetermined),\n"
        "2 on error.\n");
}

/* Plain decimal, no sign, no suffix: counts meet legal thresholds. */
static int parse_count(const char *opt, const char *s, long long *out)
{
    long long v = 0;
    if (!s || !*s) {
        cli_error("%s expects a number", opt);
        return -1;
    }
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > 99999999999999LL) {
            cli_error("%s expects a whole number of people, such as 100000",
                      opt);
            return -1;
        }
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

static int parse_date(const char *s, int *out)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 ||
        m < 1 || m > 12 || d < 1 || d > 31) {
        cli_error("--as-of expects a date YYYY-MM-DD");
        return -1;
    }
    *out = y * 10000 + m * 100 + d;
    return 0;
}

static int parse_args(int argc, char **argv, assess_args *a)
{
    static const struct option opts[] = {
        {"state", required_argument, 0, OPT_STATE},
        {"scenario", required_argument, 0, OPT_SCENARIO},
        {"regime", required_argument, 0, OPT_REGIME},
        {"ciio", no_argument, 0, OPT_CIIO},
        {"important-data", no_argument, 0, OPT_IMPORTANT},
        {"exemption", required_argument, 0, OPT_EXEMPTION},
        {"venue", required_argument, 0, OPT_VENUE},
        {"not-platform", no_argument, 0, OPT_NOT_PLATFORM},
        {"as-of", required_argument, 0, OPT_AS_OF},
        {"rules", required_argument, 0, OPT_RULES},
        {"format", required_argument, 0, OPT_FORMAT},
        {"lang", required_argument, 0, OPT_LANG},
        {"individuals", required_argument, 0, OPT_INDIVIDUALS},
        {"sensitive-individuals", required_argument, 0, OPT_SENSITIVE},
        {"minors", required_argument, 0, OPT_MINORS},
        {"processed", required_argument, 0, OPT_PROCESSED},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    a->individuals = a->sensitive = a->minors = a->processed = -1;
    a->format = "text";
    a->lang = "en";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_STATE:
            a->state = optarg;
            break;
        case OPT_SCENARIO:
            a->scenario = optarg;
            break;
        case OPT_REGIME:
            a->regime = optarg;
            break;
        case OPT_CIIO:
            a->ciio = 1;
            break;
        case OPT_IMPORTANT:
            a->important = 1;
            break;
        case OPT_EXEMPTION:
            a->exemption = optarg;
            break;
        case OPT_VENUE:
            a->venue = optarg;
            break;
        case OPT_NOT_PLATFORM:
            a->not_platform = 1;
            break;
        case OPT_AS_OF:
            a->as_of = optarg;
            break;
        case OPT_RULES:
            a->rules = optarg;
            break;
        case OPT_FORMAT:
            a->format = optarg;
            break;
        case OPT_LANG:
            a->lang = optarg;
            break;
        case OPT_INDIVIDUALS:
            if (parse_count("--individuals", optarg, &a->individuals))
                return -1;
            break;
        case OPT_SENSITIVE:
            if (parse_count("--sensitive-individuals", optarg, &a->sensitive))
                return -1;
            break;
        case OPT_MINORS:
            if (parse_count("--minors", optarg, &a->minors))
                return -1;
            break;
        case OPT_PROCESSED:
            if (parse_count("--processed", optarg, &a->processed))
                return -1;
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            cli_error("assess: unknown option or missing value: %s",
                      argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        cli_error("assess: unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

static int check_args(const assess_args *a)
{
    if (!a->scenario) {
        cli_error("assess: --scenario outbound|listing is required");
        return -1;
    }
    bool given = a->individuals >= 0 || a->sensitive >= 0 || a->minors >= 0;
    if (!a->state && !given) {
        cli_error("assess: give --state FILE, or --individuals N and "
                  "--sensitive-individuals M");
        return -1;
    }
    if (a->state && given) {
        cli_error("assess: --state and given counts exclude each other");
        return -1;
    }
    if (given && (a->individuals < 0 || a->sensitive < 0)) {
        cli_error("assess: --individuals and --sensitive-individuals go "
                  "together (use 0 if there are none)");
        return -1;
    }
    if (given && (a->sensitive > a->individuals ||
                  (a->minors >= 0 && a->minors > a->sensitive))) {
        cli_error("assess: sensitive individuals must not exceed individuals, "
                  "nor minors sensitive individuals (minors count as "
                  "sensitive)");
        return -1;
    }
    if (strcmp(a->format, "json") != 0 && strcmp(a->format, "text") != 0) {
        cli_error("assess: --format expects json or text");
        return -1;
    }
    if (strcmp(a->lang, "en") != 0 && strcmp(a->lang, "zh") != 0) {
        cli_error("assess: --lang expects en or zh");
        return -1;
    }
    if (a->venue && strcmp(a->scenario, "listing") != 0) {
        cli_error("assess: --venue applies to --scenario listing");
        return -1;
    }
    return 0;
}

static int get_counts(const assess_args *a, int as_of, eg_counts *c)
{
    eg_error err;
    if (!a->state) {
        memset(c, 0, sizeof *c);
        c->exact = 1;
        c->as_of_ymd = as_of;
        c->individuals = (uint64_t)a->individuals;
        c->sensitive_individuals = (uint64_t)a->sensitive;
        c->minors_under_14 = a->minors > 0 ? (uint64_t)a->minors : 0;
        c->type_count = eg_type_count();
        return 0;
    }
    eg_state *st;
    if (eg_state_read(&st, a->state, &err) != EG_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    int rc = eg_state_count(st, as_of, c, &err);
    eg_state_free(st);
    if (rc != EG_OK) {
        cli_error("%s: %s", a->state, err.message);
        return -1;
    }
    return 0;
}

static int write_cb(const void *data, size_t len, void *payload)
{
    return fwrite(data, 1, len, (FILE *)payload) == len ? 0 : -1;
}

int cmd_assess(int argc, char **argv)
{
    assess_args a;
    int prc = parse_args(argc, argv, &a);
    if (prc)
        return prc > 0 ? 0 : 2;
    if (check_args(&a))
        return 2;
    int as_of = 0;
    if (a.as_of && parse_date(a.as_of, &as_of))
        return 2;
    eg_error err;
    eg_rules *rules;
    if (eg_rules_load(&rules, a.rules, &err) != EG_OK) {
        cli_error("%s", err.message);
        return 2;
    }
    eg_counts counts;
    if (get_counts(&a, as_of, &counts)) {
        eg_rules_free(rules);
        return 2;
    }
    eg_assess_input in = EG_ASSESS_INPUT_INIT;
    in.scenario = a.scenario;
    in.regime = a.regime;
    in.as_of_ymd = as_of;
    in.ciio = a.ciio;
    in.important_data = a.important;
    in.platform = !a.not_platform;
    in.exemption = a.exemption;
    in.venue = a.venue;
    in.counts = &counts;
    in.processed_individuals = a.processed;
    in.counts_given = a.state == NULL;
    eg_assessment *res;
    if (eg_assess(rules, &in, &res, &err) != EG_OK) {
        cli_error("%s", err.message);
        eg_rules_free(rules);
        return 2;
    }
    int status = 2;
    cli_out out;
    if (cli_out_open(&out, a.output) == 0) {
        eg_report_format fmt =
            strcmp(a.format, "json") == 0 ? EG_REPORT_JSON : EG_REPORT_TEXT;
        if (eg_assessment_write(res, fmt, a.lang, write_cb, out.fp, &err) !=
            EG_OK) {
            cli_error("%s", err.message);
            cli_out_abort(&out);
        } else if (cli_out_commit(&out) == 0) {
            status = 0;
        }
    }
    eg_assessment_free(res);
    eg_rules_free(rules);
    return status;
}
