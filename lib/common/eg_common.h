/*
 * eg_common.h: what every layer of libegress shares: error reporting into
 * the caller's eg_error, the allocator (with a fail-at-N mode that the
 * torture tests drive), and small byte helpers.  Depends on nothing but
 * libc and egress.h.
 */
#ifndef EG_COMMON_H
#define EG_COMMON_H

#include "egress.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define EG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define EG_LIKELY(x) __builtin_expect(!!(x), 1)
#define EG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define EG_PRINTF(a, b)
#define EG_LIKELY(x) (x)
#define EG_UNLIKELY(x) (x)
#endif

#define EG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/** Fill `err` (may be NULL) and return `code`.  The message must never
 *  contain input bytes: name the input and the offset instead. */
int eg__fail(eg_error *err, int code, const char *fmt, ...) EG_PRINTF(3, 4);

/** Clear an error to EG_OK and an empty message. */
void eg__error_clear(eg_error *err);

/* ---- allocation ----
 * All library allocations go through these so that the torture tests can
 * fail the Nth one.  They never abort: callers return EG_ENOMEM. */
void *eg__malloc(size_t n);
void *eg__calloc(size_t count, size_t size);
void *eg__realloc(void *p, size_t n);
void eg__free(void *p);
char *eg__strdup(const char *s);

/** Torture mode: make allocation number `n` (1-based, counted from this
 *  call) and, if `persistent`, every one after it fail.  n = 0 turns it
 *  off.  Returns nothing; eg__alloc_count() tells how many were made. */
void eg__alloc_fail_at(uint64_t n, bool persistent);
uint64_t eg__alloc_count(void);

/* ---- growable byte buffer (owned) ---- */
typedef struct eg_buf {
    char *data;
    size_t len;
    size_t cap;
} eg_buf;

int eg__buf_reserve(eg_buf *b, size_t extra);
int eg__buf_append(eg_buf *b, const void *data, size_t n);
int eg__buf_puts(eg_buf *b, const char *s);
int eg__buf_printf(eg_buf *b, const char *fmt, ...) EG_PRINTF(2, 3);
/** Append `s` as a JSON string body (no quotes), escaping as RFC 8259. */
int eg__buf_json_escape(eg_buf *b, const char *s, size_t n);
/** Write code point `cp` (< 0x110000) as UTF-8 into o[0..4); surrogates
 *  are written too (WTF-8), for round trips of lone JSON escapes.
 *  Returns the bytes written. */
size_t eg__utf8_put(unsigned char *o, uint32_t cp);
/** Read one UTF-8 character at in[0..n) (n > 0) into *cp: returns its
 *  length; 0 if the bytes are not UTF-8 (overlong, surrogate, above
 *  U+10FFFF, a stray continuation byte...); EG_UTF8_CUT if they are a valid
 *  beginning cut off by the end of `in` (more bytes may complete it). */
size_t eg__utf8_get(const unsigned char *in, size_t n, uint32_t *cp);
#define EG_UTF8_CUT ((size_t)-1)
void eg__buf_free(eg_buf *b);

/* ---- dates ---- */
/** Today's date (UTC) as YYYYMMDD. */
int eg__today_ymd(void);
/** 1 if y-m-d is a real calendar date. */
bool eg__date_real(int y, int m, int d);

#endif
