/*
 * check.c: loading the validators' reference tables, once.
 *
 * The tables (GB/T 2260 regions, card issuers, mobile segments, area codes,
 * surnames) are data files under data/, embedded into the library at build
 * time.  eg__check_init() parses all of them under pthread_once into
 * static lookup structures owned by the check_*.c files; the validators
 * then only read.  A data file that does not parse is a build defect: the
 * error names the file and line, and every later call reports it again.
 *
 * Also here: the small line/field reader the loaders share (no sscanf, no
 * locale: the data is ASCII digits, TABs and UTF-8 names).
 */
#include "detect/check_int.h"

#include <pthread.h>
#include <string.h>

atomic_int eg__check_ready;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static eg_error load_error;

static void load_all(void)
{
    int (*const loaders[])(eg_error *) = {
        eg__check_load_regions,  eg__check_load_cards,
        eg__check_load_mobile,   eg__check_load_area_codes,
        eg__check_load_surnames,
    };
    eg__error_clear(&load_error);
    for (size_t i = 0; i < EG_ARRAY_LEN(loaders); i++)
        if (loaders[i](&load_error) != EG_OK)
            return;
    atomic_store_explicit(&eg__check_ready, 1, memory_order_release);
}

int eg__check_init(eg_error *err)
{
    pthread_once(&load_once, load_all);
    if (load_error.code == EG_OK)
        return EG_OK;
    return eg__fail(err, load_error.code, "%s", load_error.message);
}

/* ---- the table reader ---- */

void eg__table_open(eg_table *t, const unsigned char *data, size_t len,
                    const char *name)
{
    t->p = (const char *)data;
    t->end = (const char *)data + len;
    t->name = name;
    t->line = 0;
}

/* The next raw line (without its LF and a trailing CR), or 0 at the end. */
static int next_line(eg_table *t, eg_field *line)
{
    if (t->p >= t->end)
        return 0;
    const char *nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
    const char *stop = nl ? nl : t->end;
    line->p = t->p;
    line->n = (size_t)(stop - t->p);
    if (line->n > 0 && line->p[line->n - 1] == '\r')
        line->n--;
    t->p = nl ? nl + 1 : t->end;
    t->line++;
    return 1;
}

static int split_tabs(eg_field line, eg_field *f, int max)
{
    int count = 0;
    const char *p = line.p, *end = line.p + line.n;
    for (;;) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *stop = tab ? tab : end;
        if (count < max)
            f[count] = (eg_field){p, (size_t)(stop - p)};
        count++;
        if (!tab)
            return count;
        p = tab + 1;
    }
}

int eg__table_next(eg_table *t, eg_field *f, int max)
{
    eg_field line;
    while (next_line(t, &line))
        if (line.n > 0 && line.p[0] != '#')
            return split_tabs(line, f, max);
    return 0;
}

int eg__table_header(eg_table *t, const char *expect, eg_error *err)
{
    eg_field line;
    while (next_line(t, &line))
        if (line.n > 0 && line.p[0] != '#')
            return eg__field_is(line, expect)
                       ? EG_OK
                       : eg__table_fail(t, err, "unexpected header");
    return eg__table_fail(t, err, "missing header");
}

int eg__table_fail(const eg_table *t, eg_error *err, const char *what)
{
    return eg__fail(err, EG_EFORMAT, "embedded data/%s, line %d: %s", t->name,
                    t->line, what);
}

int eg__field_uint(eg_field f, size_t min, size_t max, uint32_t *out)
{
    if (f.n < min || f.n > max || f.n > 9)
        return 0;
    return eg__digits_value(f.p, f.n, out);
}

int eg__field_is(eg_field f, const char *s)
{
    size_t n = strlen(s);
    return f.n == n && memcmp(f.p, s, n) == 0;
}
