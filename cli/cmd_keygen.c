/*
 * cmd_keygen.c: `egress keygen -o FILE`: make a new master key file.
 *
 * The key is 32 random bytes in the v1 key file format
 * (docs/internals/KEYS.md), created with mode 0600 and never over an
 * existing file: losing a key makes every value encrypted with it
 * unrecoverable and every pseudonym unlinkable, so keygen will not destroy
 * one by accident.  The key itself is never printed; standard output gets
 * the key id only (16 hex digits, safe to record), so scripts can write
 * `id=$(egress keygen -o k.key)`.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *to)
{
    fprintf(to,
            "usage: egress keygen -o FILE\n"
            "\n"
            "Write a new random key to FILE (mode 0600; an existing file is "
            "never\n"
            "overwritten) and print its key id.  The key is used with "
            "--key-file\n"
            "for stable fingerprints, pseudonyms and format-preserving "
            "encryption.\n"
            "Keep it secret and back it up: encrypted values cannot be "
            "restored\n"
            "without it.\n"
            "\n"
            "  -o, --output FILE   the key file to create\n");
}

int cmd_keygen(int argc, char **argv)
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
            cli_error("keygen: unknown option or missing value: %s",
                      argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        cli_error("keygen: unexpected argument: %s", argv[optind]);
        return 2;
    }
    if (!output || !*output || strcmp(output, "-") == 0) {
        cli_error("keygen: -o FILE is required (a key is never written to "
                  "standard output)");
        usage(stderr);
        return 2;
    }
    eg_key key;
    eg_error err;
    int rc = eg_key_generate(&key, &err);
    if (rc == EG_OK)
        rc = eg_key_write(&key, output, &err);
    if (rc != EG_OK) {
        eg_key_wipe(&key);
        cli_error("%s", err.message);
        return 2;
    }
    printf("%s\n", key.id);
    fprintf(stderr,
            "egress: wrote %s (mode 0600, key id %s); keep it secret and "
            "back it up\n",
            output, key.id);
    eg_key_wipe(&key);
    return fflush(stdout) == 0 ? 0 : 2;
}
