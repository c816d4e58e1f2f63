/*
 * cmd_merge.c: `egress merge -o OUT A B ...`: combine scan states.
 *
 * Shards of one dataset scanned on several machines, or this year's earlier
 * exports, merge into one state that counts exactly as one scan of
 * everything would (docs/internals/STATE_FORMAT.md).  The first file is
 * read whole; each further one is verified and then streamed into it, so
 * memory stays that of the union.  The output is written atomically, so
 * OUT may also be one of the inputs.  Any damaged input, a different
 * fingerprint key, or the same scan given twice stops the merge with exit
 * status 2 and no output.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *to)
{
    fprintf(to,
            "usage: egress merge -o OUT STATE...\n"
            "\n"
            "Merge state files written by 'egress scan --state' (or by an "
            "earlier\n"
            "merge) into OUT.  All must come from scans with the same "
            "fingerprint\n"
            "key; a scan may not be merged twice.\n"
            "\n"
            "  -o, --output FILE   the merged state (written atomically)\n");
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *output = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o') {
            output = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            cli_error("merge: unknown option or missing value: %s",
                      argv[optind - 1]);
            return 2;
        }
    }
    if (!output || strcmp(output, "-") == 0) {
        cli_error("merge: -o FILE is required (a state file, not standard "
                  "output)");
        return 2;
    }
    if (optind >= argc) {
        cli_error("merge: no state files given");
        usage(stderr);
        return 2;
    }
    eg_error err;
    eg_state *st;
    if (eg_state_read(&st, argv[optind], &err) != EG_OK) {
        cli_error("%s", err.message);
        return 2;
    }
    for (int i = optind + 1; i < argc; i++) {
        if (eg_state_merge_file(st, argv[i], &err) != EG_OK) {
            cli_error("%s", err.message);
            eg_state_free(st);
            return 2;
        }
    }
    int rc = eg_state_write(st, output, &err);
    if (rc != EG_OK)
        cli_error("%s", err.message);
    eg_state_free(st);
    return rc == EG_OK ? 0 : 2;
}
