/*
 * structure_int.h: what the two cursor implementations (structure_csv.c,
 * structure_json.c) share with the dispatcher (structure.c): the common
 * cursor head, the per-format entry points, and the byte-search helpers
 * that keep the common path free of per-byte function calls.
 *
 * Each format keeps all of its state in its own struct; the bytes of a
 * buffer are only looked at during the call that handed them over.
 */
#ifndef EG_STRUCTURE_INT_H
#define EG_STRUCTURE_INT_H

#include "read/structure.h"
#include "read/charset.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define EG_CURSOR_DEFAULT_DEPTH 512u
#define EG_CURSOR_DEFAULT_COLUMNS 16384u
#define EG_CURSOR_DEFAULT_NAME 256u
#define EG_CURSOR_MAX_NAME (64u * 1024u)

typedef struct eg_csv_state eg_csv_state;
typedef struct eg_json_state eg_json_state;

struct eg_cursor {
    eg_format fmt;
    eg_cursor_limits lim; /* defaults filled in */
    uint64_t pos;         /* absolute offset of the next byte to consume */
    const char *problem;  /* first stored problem (points into problem_msg) */
    uint64_t problem_off;
    char problem_msg[96];
    char *late_msg;       /* scratch for problems computed in a const call */
    const eg_offmap *map; /* offsets in messages go through it (decoded
                             GB18030: the input's own offsets), or NULL */
    eg_csv_state *csv;
    eg_json_state *json;
};

/** `off` as messages give it: through the map set by eg__cursor_set_map. */
uint64_t eg__cursor_msg_off(const eg_cursor *c, uint64_t off);
/** Remember `msg` at `off` unless a problem is already stored. */
void eg__cursor_note_problem(eg_cursor *c, uint64_t off, const char *msg);

/* ---- per-format entry points (advance consumes [p, end), whose first
 * byte is at absolute offset c->pos, and leaves c->pos at the first byte
 * not consumed; on EG_ENOMEM nothing from that byte on was consumed) ---- */
int eg__cursor_csv_init(eg_cursor *c);
int eg__cursor_csv_advance(eg_cursor *c, const unsigned char *p,
                           const unsigned char *end);
void eg__cursor_csv_describe(eg_cursor *c, eg_cursor_pos *pos);
const char *eg__cursor_csv_end_problem(const eg_cursor *c, uint64_t *off);
uint64_t eg__cursor_csv_records(const eg_cursor *c);
int eg__cursor_csv_header_state(const eg_cursor *c);
void eg__cursor_csv_free(eg_cursor *c);

int eg__cursor_json_init(eg_cursor *c);
int eg__cursor_json_advance(eg_cursor *c, const unsigned char *p,
                            const unsigned char *end);
void eg__cursor_json_describe(eg_cursor *c, eg_cursor_pos *pos);
const char *eg__cursor_json_end_problem(const eg_cursor *c, uint64_t *off);
uint64_t eg__cursor_json_records(const eg_cursor *c);
void eg__cursor_json_free(eg_cursor *c);

/* ---- byte search: first byte in [p, end) equal to one of the given
 * bytes, or `end`.  SSE2 sixteen bytes at a time where the compiler
 * targets it (every x86-64), a plain loop elsewhere; never reads outside
 * [p, end). ---- */
static inline const unsigned char *eg__find2(const unsigned char *p,
                                             const unsigned char *end,
                                             unsigned char a, unsigned char b)
{
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        int m = _mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));
        if (m)
            return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
#endif
    while (p < end && *p != a && *p != b)
        p++;
    return p;
}

static inline const unsigned char *eg__find3(const unsigned char *p,
                                             const unsigned char *end,
                                             unsigned char a, unsigned char b,
                                             unsigned char c)
{
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b),
                  vc = _mm_set1_epi8((char)c);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i eq = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)),
            _mm_cmpeq_epi8(v, vc));
        int m = _mm_movemask_epi8(eq);
        if (m)
            return p + __builtin_ctz((unsigned)m);
        p += 16;
    }
#endif
    while (p < end && *p != a && *p != b && *p != c)
        p++;
    return p;
}

/** memchr returning `end` instead of NULL. */
static inline const unsigned char *
eg__find1(const unsigned char *p, const unsigned char *end, unsigned char a)
{
    const void *q = p < end ? memchr(p, a, (size_t)(end - p)) : NULL;
    return q ? (const unsigned char *)q : end;
}

#endif
