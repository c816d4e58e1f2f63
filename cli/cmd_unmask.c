/*
 * cmd_unmask.c: `egress unmask --key-file KEY --report REPORT MASKED -o OUT`:
 * restore the values `egress mask` encrypted (FF1), using the spans its
 * report recorded.  Only `encrypt` is reversible; the spans of every other
 * operator stay as they are, and the summary says how many and which.
 * The library checks that MASKED is an output the report describes
 * (SHA-256 and length of its content) and that the key is the report's.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
    fputs("usage: egress unmask --key-file KEY --report REPORT MASKED "
          "[-o OUT]\n"
          "Restore the values of MASKED that 'egress mask' encrypted, with "
          "the key\n"
          "and the report of that run.  Other operators (redact, mask, "
          "pseudonymize,\n"
          "generalize, drop) are not reversible: their spans stay as they "
          "are.\n"
          "\n"
          "  -o, --output FILE    the restored file (default stdout), "
          "compressed\n"
          "                       like MASKED\n"
          "      --key-file FILE  the key of the mask run (or "
          "EGRESS_KEY_FILE)\n"
          "      --report FILE    the report 'egress mask --report' wrote\n"
          "  -q, --quiet          no summary on stderr\n"
          "\n"
          "Exit status: 0 restored, 2 an error (nothing is written).\n",
          to);
}

enum { OPT_KEY = 256, OPT_REPORT };

int cmd_unmask(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},
        {"key-file", required_argument, 0, OPT_KEY},
        {"report", required_argument, 0, OPT_REPORT},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *output = "-", *key_file = NULL, *report = NULL;
    int quiet = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            output = optarg;
            break;
        case OPT_KEY:
            key_file = optarg;
            break;
        case OPT_REPORT:
            report = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!key_file)
        key_file = getenv("EGRESS_KEY_FILE");
    if (!key_file || !*key_file || !report || optind != argc - 1) {
        cli_error("unmask: needs --key-file, --report and one masked file");
        usage(stderr);
        return 2;
    }
    const char *masked = argv[optind];
    eg_key key;
    eg_error err;
    if (eg_key_load(&key, key_file, &err) != EG_OK) {
        cli_error("%s", err.message);
        return 2;
    }
    eg_unmask_stats st;
    int rc = eg_unmask_file(&key, report, masked, output, &st, &err);
    eg_key_wipe(&key);
    if (rc != EG_OK) {
        cli_error("%s", err.message);
        return 2;
    }
    if (!quiet) {
        fprintf(stderr,
                "egress: unmasked %s -> %s: %llu of %llu spans "
                "restored",
                masked, strcmp(output, "-") ? output : "stdout",
                (unsigned long long)st.restored, (unsigned long long)st.spans);
        if (st.not_reversible)
            fprintf(stderr, "; %llu not reversible (%s): they stay as they are",
                    (unsigned long long)st.not_reversible,
                    st.not_reversible_ops);
        fputc('\n', stderr);
    }
    return 0;
}
