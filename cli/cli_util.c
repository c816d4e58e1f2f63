/*
 * cli_util.c: helpers shared by the egress commands: messages, atomic
 * output files, number parsing.
 *
 * Outputs are written to a temporary file in the destination's directory
 * (mode 0600, O_EXCL) and renamed into place only when complete and
 * fsync'ed, so a crash or an error never leaves a half-written file under
 * the final name; the directory is fsync'ed after the rename.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("egress: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("egress: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_out_open(cli_out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->fp = stdout;
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_error("%s: is a directory", path);
        return -1;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device or FIFO (/dev/null, a pipe): no rename, write to it */
        o->fp = fopen(path, "wb");
        if (!o->fp) {
            cli_error("%s: cannot open output: %s", path, strerror(errno));
            return -1;
        }
        o->direct = 1;
        return 0;
    }
    size_t n = strlen(path);
    o->path = malloc(n + 1);
    o->tmp = malloc(n + 32);
    if (!o->path || !o->tmp) {
        free(o->path);
        free(o->tmp);
        cli_error("out of memory");
        return -1;
    }
    memcpy(o->path, path, n + 1);
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(o->tmp, n + 32, "%s.tmp.%ld.%d", path, (long)getpid(),
                 attempt);
        int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            o->fp = fdopen(fd, "wb");
            if (o->fp)
                return 0;
            close(fd);
            unlink(o->tmp);
            break;
        }
        if (errno != EEXIST) {
            cli_error("%s: cannot create output: %s", path, strerror(errno));
            break;
        }
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return -1;
}

static void fsync_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

int cli_out_commit(cli_out *o)
{
    if (o->direct) {
        int bad = fclose(o->fp) != 0;
        memset(o, 0, sizeof *o);
        if (bad)
            cli_error("cannot write output: %s", strerror(errno));
        return bad ? -1 : 0;
    }
    if (!o->path) {
        if (fflush(o->fp) != 0) {
            cli_error("cannot write standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    int bad = fflush(o->fp) != 0 || ferror(o->fp);
    if (!bad && fsync(fileno(o->fp)) != 0)
        bad = 1;
    int err = errno;
    if (fclose(o->fp) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    o->fp = NULL;
    if (!bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        cli_error("%s: cannot write output: %s", o->path, strerror(err));
        unlink(o->tmp);
    } else {
        fsync_dir(o->path);
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return bad ? -1 : 0;
}

void cli_out_abort(cli_out *o)
{
    if (o->direct)
        fclose(o->fp);
    else if (o->path) {
        if (o->fp)
            fclose(o->fp);
        unlink(o->tmp);
        free(o->path);
        free(o->tmp);
    }
    memset(o, 0, sizeof *o);
}

int cli_out_is_input(const char *path, char *const *inputs, size_t n)
{
    struct stat out, in;
    if (!path || !strcmp(path, "-") || stat(path, &out) != 0 ||
        !S_ISREG(out.st_mode))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(inputs[i], "-") && stat(inputs[i], &in) == 0 &&
            in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
            cli_error("%s: is also an input; refusing to overwrite it", path);
            return 1;
        }
    return 0;
}

long long cli_parse_count(const char *opt, const char *value)
{
    char *end;
    errno = 0;
    long long v = value ? strtoll(value, &end, 10) : -1;
    if (!value || errno || end == value || v < 0) {
        cli_error("%s expects a non-negative number", opt);
        return -1;
    }
    if (*end == 'k' || *end == 'K')
        v <<= 10, end++;
    else if (*end == 'M')
        v <<= 20, end++;
    else if (*end == 'G')
        v <<= 30, end++;
    if (*end) {
        cli_error("%s expects a non-negative number", opt);
        return -1;
    }
    return v;
}

int cli_parse_date(const char *s, int *ymd)
{
    int y, m, d;
    char extra;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 1900 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *ymd = y * 10000 + m * 100 + d;
    return 0;
}

int cli_parse_input_format(const char *s, eg_format *out)
{
    for (int f = 0; f < EG_FORMAT_COUNT; f++)
        if (!strcmp(s, eg_format_name((eg_format)f))) {
            *out = (eg_format)f;
            return 0;
        }
    cli_error("unknown --input-format '%s' (auto, text, csv, tsv, json, jsonl)",
              s);
    return -1;
}

int cli_parse_encoding(const char *s, int *out)
{
    static const struct {
        const char *name;
        int encoding;
    } names[] = {{"auto", EG_ENCODING_AUTO},
                 {"utf-8", EG_ENCODING_UTF8},
                 {"utf8", EG_ENCODING_UTF8},
                 {"gb18030", EG_ENCODING_GB18030},
                 {"gbk", EG_ENCODING_GB18030}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name)) {
            *out = names[i].encoding;
            return 0;
        }
    cli_error("unknown --encoding '%s' (auto, utf-8, gb18030)", s);
    return -1;
}

int cli_load_key(const char *path, eg_key *key)
{
    eg_error err;
    if (!path)
        path = getenv("EGRESS_KEY_FILE");
    if (!path || !*path)
        return 0;
    if (eg_key_load(key, path, &err) != EG_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    return 1;
}
