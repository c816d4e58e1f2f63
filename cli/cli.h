/*
 * cli.h: shared declarations of the egress command-line tool.  The tool
 * uses only the public API (egress.h); helpers common to several commands
 * (option parsing, atomic output files, key loading) live in cli_util.c.
 */
#ifndef EG_CLI_H
#define EG_CLI_H

#include "egress.h"
#include <stdio.h>

#define EG_CMD(name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef EG_CMD

/** Print "egress: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- atomic output files: temp file in the same directory, rename ---- */
typedef struct cli_out {
    FILE *fp;
    char *path; /* final path, NULL for stdout */
    char *tmp;  /* temp path */
    int direct; /* a device or FIFO, written in place */
} cli_out;

/** Open `path` for atomic writing ("-" or NULL = stdout).  Refuses a path
 *  that is one of `inputs` (same device and inode).  Returns 0 or -1 with
 *  a message printed. */
int cli_out_open(cli_out *o, const char *path);
/** Flush, fsync and rename into place; on error removes the temp file.
 *  Returns 0 or -1 with a message printed. */
int cli_out_commit(cli_out *o);
/** Abandon the output: remove the temp file. */
void cli_out_abort(cli_out *o);

/** 1 (with a message printed) if `path` is an existing regular file that
 *  is also one of the `n` command-line `inputs` (same device and inode):
 *  renaming the output into place would destroy an input.  Else 0. */
int cli_out_is_input(const char *path, char *const *inputs, size_t n);

/** Parse a non-negative integer option value; -1 on error (message
 *  printed). */
long long cli_parse_count(const char *opt, const char *value);

/** YYYY-MM-DD to YYYYMMDD; 0, or -1 for a malformed date. */
int cli_parse_date(const char *s, int *ymd);

/** "auto", "text", "csv", "tsv", "json", "jsonl"; 0, or -1 with a message. */
int cli_parse_input_format(const char *s, eg_format *out);
/** --encoding: auto, utf-8 (utf8), gb18030 (gbk) -> EG_ENCODING_*. */
int cli_parse_encoding(const char *s, int *out);

/** Load the key named by `path`, or by EGRESS_KEY_FILE when path is NULL.
 *  @return 1 loaded, 0 no key named (the caller decides), -1 error
 *  (message printed: e.g. a key file readable by others). */
int cli_load_key(const char *path, eg_key *key);

#endif
