/*
 * check_int.h: what the check_*.c files share and nothing else sees: the
 * readiness flag of the reference tables, the loaders that check.c runs
 * once, a line/field reader over the embedded data files, and bit sets.
 *
 * The tables live in static storage sized for their key space (a bit per
 * possible region code, a byte per 4-digit mobile prefix, ...), so loading
 * never allocates and a lookup is one or two memory reads.
 */
#ifndef EG_CHECK_INT_H
#define EG_CHECK_INT_H

#include "detect/check.h"

#include <stdatomic.h>

/* ---- readiness ---- */

/** 1 once every table is loaded (set with release order by check.c). */
extern atomic_int eg__check_ready;

/** Load the tables if nobody has yet: lets a caller that forgot
 *  eg__check_init() still get right answers.  One acquire load on the hot
 *  path. */
static inline void eg__check_ensure_ready(void)
{
    if (EG_UNLIKELY(
            !atomic_load_explicit(&eg__check_ready, memory_order_acquire)))
        (void)eg__check_init(NULL);
}

/* Loaders, each filling its file's static tables from one embedded data
 * file.  Called once, in this order, under pthread_once. */
int eg__check_load_regions(eg_error *err);
int eg__check_load_cards(eg_error *err);
int eg__check_load_mobile(eg_error *err);
int eg__check_load_area_codes(eg_error *err);
int eg__check_load_surnames(eg_error *err);

/* ---- reading the embedded data files ----
 * Lines starting with '#' are comments, blank lines are skipped, a
 * trailing CR is ignored, fields are separated by one TAB. */
typedef struct eg_table {
    const char *p;    /* start of the next unread line */
    const char *end;  /* end of the text */
    const char *name; /* the data file, for error messages */
    int line;         /* 1-based number of the line last returned */
} eg_table;

typedef struct eg_field {
    const char *p;
    size_t n;
} eg_field;

void eg__table_open(eg_table *t, const unsigned char *data, size_t len,
                    const char *name);
/** Split the next data line into at most `max` fields.  @return the number
 *  of fields the line has (may exceed `max`), or 0 at the end. */
int eg__table_next(eg_table *t, eg_field *f, int max);
/** Read the header line and fail unless it is exactly `expect`. */
int eg__table_header(eg_table *t, const char *expect, eg_error *err);
/** EG_EFORMAT naming the file and line (data files are ours, but the
 *  message still carries no field content). */
int eg__table_fail(const eg_table *t, eg_error *err, const char *what);
/** Parse a field of `min`..`max` ASCII digits.  @return 1 on success. */
int eg__field_uint(eg_field f, size_t min, size_t max, uint32_t *out);
/** 1 if the field equals the NUL-terminated `s`. */
int eg__field_is(eg_field f, const char *s);

/* ---- bit sets over static uint64_t arrays ---- */
#define EG_BITS_WORDS(nbits) (((nbits) + 63) / 64)

static inline int eg__bit_test(const uint64_t *set, uint32_t i)
{
    return (int)((set[i >> 6] >> (i & 63)) & 1u);
}

static inline void eg__bit_set(uint64_t *set, uint32_t i)
{
    set[i >> 6] |= (uint64_t)1 << (i & 63);
}

/** 1 if c is an ASCII digit (no locale: isdigit() may consult one). */
static inline int eg__is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/** Parse `n` ASCII digits at `d`.  @return 1 on success. */
static inline int eg__digits_value(const char *d, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)d[i] - (unsigned)'0';
        if (c > 9)
            return 0;
        v = v * 10 + c;
    }
    *out = v;
    return 1;
}

#endif
