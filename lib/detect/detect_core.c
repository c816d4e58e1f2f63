/*
 * detect_core.c: one pass of the detectors over a chunk.
 *
 * Workload: every byte of every input passes through next_anchor(), so it is
 * the hot loop of egress.  It looks 16 bytes at a time (SSE2, or scalar
 * elsewhere) for the few bytes that can start a value: ASCII digits, '@',
 * full-width digits (EF BC 90..99), and, for tables, a delimiter followed by
 * a Han character.  Everything else (Chinese prose, English words, JSON
 * punctuation) is skipped without a branch per byte.  Label and literal hits
 * come from the matcher (Vectorscan) and are handled first.  Validation only
 * runs on candidates, which are a few percent of the bytes.
 *
 * Context: a weak type (passport, name, date of birth ...) is kept only
 * when a label of a matching kind ends right before it, separated by
 * nothing but separators (：, =, quotes, brackets), or when it sits in a
 * column of a tab-separated table whose header names such a kind; for CSV
 * and JSON inputs the driver also asks the structure cursor (field names).
 */
#include "detect/detect.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static int eg__text_context_early(const eg_chunk *ch, size_t at, uint32_t need);

int eg__cand_add(eg_chunk *ch, int type, size_t start, size_t end,
                 const char *norm, size_t norm_len, float conf, uint32_t need,
                 float conf_ctx, eg_cand **out)
{
    if (out)
        *out = NULL;
    if (end <= ch->own_lo)
        return EG_OK; /* the previous chunk owns it, and it cannot overlap */
    /* A value owned by the previous chunk that reaches into this one is
     * kept as foreign, one that starts in the tail (the next chunk owns
     * it) as ahead: both take part in overlap resolution (a private-key
     * block swallows the address-like text inside it, as in a one-chunk
     * scan) and are then dropped. */
    int foreign = start < ch->own_lo, ahead = start >= ch->own_hi;
    if (ch->type_enabled && !ch->type_enabled[type])
        return EG_OK;
    if (ch->ncands == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 256;
        eg_cand *p = eg__realloc(ch->cands, cap * sizeof *p);
        if (!p) {
            ch->oom = 1;
            return EG_ENOMEM;
        }
        ch->cands = p;
        ch->cap = cap;
    }
    if (norm_len > 4096)
        norm_len = 4096;
    uint32_t off = (uint32_t)ch->arena.len;
    if (eg__buf_append(&ch->arena, norm, norm_len) != EG_OK) {
        ch->oom = 1;
        return EG_ENOMEM;
    }
    int optional = (need & EG_NEED_OPTIONAL) != 0;
    need &= ~EG_NEED_OPTIONAL;
    if (need && !optional && eg__text_context_early(ch, start, need) < 0)
        return EG_OK; /* text input, no context: not a value */
    eg_cand *c = &ch->cands[ch->ncands++];
    memset(c, 0, sizeof *c);
    c->start = ch->base + start;
    c->end = ch->base + end;
    c->norm_off = off;
    c->norm_len = (uint16_t)norm_len;
    c->type = (uint8_t)type;
    c->conf = conf;
    c->conf_ctx = conf_ctx;
    c->need = need;
    c->flags = need ? 0 : EG_CAND_RESOLVED;
    if (optional)
        c->flags |= EG_CAND_CTX_OPTIONAL;
    if (foreign)
        c->flags |= EG_CAND_FOREIGN;
    if (ahead)
        c->flags |= EG_CAND_AHEAD;
    if (out)
        *out = c;
    return EG_OK;
}

/* ---------------------------------------------------------------- context */

/* Bytes that may stand between a label and its value. */
static size_t separator_len(const unsigned char *s, size_t avail)
{
    static const char *const wide[] = {
        "\xEF\xBC\x9A", /* ： */ "\xEF\xBC\x88", /* （ */
        "\xEF\xBC\x89", /* ） */ "\xEF\xBC\x9D", /* ＝ */
        "\xE3\x80\x90", /* 【 */ "\xE3\x80\x91", /* 】 */
        "\xE3\x80\x80",                          /* ideographic space */
        "\xE2\x80\x9C", /* “ */ "\xE2\x80\x9D",  /* ” */
        "\xE4\xB8\xBA", /* 为 */ "\xE6\x98\xAF", /* 是 */
        "\xEF\xBC\x8C",                          /* ， */
    };
    unsigned char c = s[0];
    if (c == ' ' || c == '\t' || c == ':' || c == '=' || c == '"' ||
        c == '\'' || c == '(' || c == ')' || c == '[' || c == ']' || c == '#' ||
        c == '-' || c == '<' || c == '>' || c == '|' || c == ',' || c == '.')
        return 1;
    if (c >= 0xE2 && avail >= 3)
        for (size_t i = 0; i < EG_ARRAY_LEN(wide); i++)
            if (!memcmp(s, wide[i], 3))
                return 3;
    return 0;
}

static uint32_t label_context(const eg_chunk *ch, size_t at)
{
    /* hits are sorted by end: find the last one ending at or before `at` */
    size_t lo = 0, hi = ch->nhits;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ch->hits[mid].end <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t kinds = 0;
    size_t best_end = 0;
    for (size_t i = lo; i-- > 0;) {
        const eg_hit *h = &ch->hits[i];
        if (h->end + 40 < at || (best_end && h->end < best_end))
            break;
        if (h->kind != EG_HIT_LABEL)
            continue;
        size_t p = h->end;
        while (p < at) {
            size_t n = separator_len(ch->buf + p, ch->len - p);
            if (!n)
                break;
            p += n;
        }
        if (p != at)
            continue;
        best_end = h->end;
        kinds |= eg__context_label_kinds(ch->context, h->id);
    }
    return kinds;
}

/* Context from a tab-separated table embedded in text: the header line
 * above with the same number of tabs names the column. */
#define TABLE_LINE_MAX 4096

static uint32_t table_context(const eg_chunk *ch, size_t at)
{
    /* Tables have short lines: a header more than 4 KiB away, or a line
     * longer than that, is no table.  The bound keeps this linear on giant
     * lines, where it would otherwise rescan the line for every candidate. */
    const unsigned char *b = ch->buf;
    size_t lo = at > TABLE_LINE_MAX ? at - TABLE_LINE_MAX : 0;
    const unsigned char *nlp = at > lo ? memrchr(b + lo, '\n', at - lo) : NULL;
    if (!nlp && lo > 0)
        return 0;
    size_t ls = nlp ? (size_t)(nlp - b) + 1 : 0;
    size_t lim = ch->len - at > TABLE_LINE_MAX ? at + TABLE_LINE_MAX : ch->len;
    if (!memchr(b + ls, '\t', lim - ls))
        return 0;
    size_t col = 0;
    for (size_t i = ls; i < at; i++)
        col += b[i] == '\t';
    const unsigned char *nl = memchr(b + at, '\n', lim - at);
    if (!nl && lim < ch->len)
        return 0; /* a line longer than any table's */
    size_t le = nl ? (size_t)(nl - b) : ch->len;
    if (col == 0 && !memchr(b + at, '\t', le - at))
        return 0; /* first column: a cell only if the line has tabs */
    size_t tabs = col;
    for (size_t i = at; i < le; i++)
        tabs += b[i] == '\t';
    if (tabs < 2)
        return 0;
    for (int lines = 0; lines < 64 && ls > 0; lines++) {
        size_t pe = ls - 1; /* the '\n' ending the previous line */
        size_t plo = pe > TABLE_LINE_MAX ? pe - TABLE_LINE_MAX : 0;
        const unsigned char *pn =
            pe > plo ? memrchr(b + plo, '\n', pe - plo) : NULL;
        if (!pn && plo > 0)
            return 0;
        size_t ps = pn ? (size_t)(pn - b) + 1 : 0;
        size_t n = 0, cs = ps, ce = pe;
        for (size_t i = ps; i < pe; i++)
            if (b[i] == '\t') {
                if (n == col)
                    ce = i;
                n++;
                if (n == col)
                    cs = i + 1;
            }
        if (n != tabs)
            return 0;
        if (col == 0)
            cs = ps;
        if (ce > cs && ce - cs < 48) {
            char name[48];
            memcpy(name, b + cs, ce - cs);
            name[ce - cs] = '\0';
            uint32_t k = eg__context_key_kinds(ch->context, name);
            if (k)
                return k;
        }
        ls = ps;
    }
    return 0;
}

int eg__label_near(const eg_chunk *ch, size_t at, size_t window, uint32_t kinds)
{
    size_t lo = 0, hi = ch->nhits;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ch->hits[mid].end <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > 0;) {
        const eg_hit *h = &ch->hits[i];
        if (h->end + window < at)
            break;
        if (h->kind == EG_HIT_LABEL &&
            (eg__context_label_kinds(ch->context, h->id) & kinds) &&
            !memchr(ch->buf + h->end, '\n', at - h->end))
            return 1;
    }
    return 0;
}

int eg__line_has_tab(eg_chunk *ch, size_t at)
{
    if (at >= ch->tab_ls && at < ch->tab_le)
        return ch->tab_has;
    const unsigned char *b = ch->buf;
    const unsigned char *nl = at ? memrchr(b, '\n', at) : NULL;
    size_t ls = nl ? (size_t)(nl - b) + 1 : 0;
    nl = memchr(b + at, '\n', ch->len - at);
    size_t le = nl ? (size_t)(nl - b) : ch->len;
    ch->tab_ls = ls;
    ch->tab_le = le;
    ch->tab_has = memchr(b + ls, '\t', le - ls) != NULL;
    return ch->tab_has;
}

int eg__chunk_structured(const eg_chunk *ch)
{
    return ch->format == EG_FORMAT_CSV || ch->format == EG_FORMAT_TSV ||
           ch->format == EG_FORMAT_JSON || ch->format == EG_FORMAT_JSONL;
}

uint32_t eg__text_context(const eg_chunk *ch, size_t at)
{
    uint32_t k = label_context(ch, at);
    if (!k && at > 0 && (ch->format == EG_FORMAT_TEXT))
        k = table_context(ch, at);
    return k;
}

/* For text inputs a candidate that needs context can be judged when it is
 * made: -1 = no such context (drop it), 1 = context present, 0 = decide
 * later (structured inputs, where a key may supply it). */
static int eg__text_context_early(const eg_chunk *ch, size_t at, uint32_t need)
{
    if (eg__chunk_structured(ch))
        return 0;
    return (eg__text_context(ch, at) & need) ? 1 : -1;
}

void eg__cand_key_may_veto(const eg_chunk *ch, eg_cand *c, uint32_t veto)
{
    if (!c || !eg__chunk_structured(ch))
        return;
    c->flags =
        (c->flags & (EG_CAND_FOREIGN | EG_CAND_AHEAD)) | EG_CAND_CTX_OPTIONAL;
    c->veto = veto;
}

void eg__detect_resolve(eg_cand *c, uint32_t kinds)
{
    if (c->flags & (EG_CAND_RESOLVED | EG_CAND_DROPPED))
        return;
    if (kinds & c->veto) {
        c->flags |= EG_CAND_DROPPED;
    } else if (kinds & c->need) {
        c->conf = c->conf_ctx;
        c->flags |= EG_CAND_RESOLVED;
    } else if (c->flags & EG_CAND_CTX_OPTIONAL) {
        c->flags |= EG_CAND_RESOLVED;
    } else {
        c->flags |= EG_CAND_DROPPED;
    }
}

/* ---------------------------------------------------------------- anchors */

/* The bytes that can start a table cell in this format (three, repeated
 * when fewer are needed): the field delimiter, the quote, the newline. */
static void cell_delimiters(eg_format f, unsigned char d[3])
{
    switch (f) {
    case EG_FORMAT_CSV:
        d[0] = ',', d[1] = '"', d[2] = '\n';
        break;
    case EG_FORMAT_TSV:
        d[0] = '\t', d[1] = '"', d[2] = '\n';
        break;
    case EG_FORMAT_JSON:
    case EG_FORMAT_JSONL:
        d[0] = d[1] = d[2] = '"';
        break;
    default: /* tab-separated tables inside text */
        d[0] = d[1] = d[2] = '\t';
        break;
    }
}

static inline int is_anchor_scalar(const unsigned char *b, size_t i, size_t end,
                                   const unsigned char d[3])
{
    unsigned char c = b[i];
    if ((unsigned)(c - '0') < 10 || c == '@')
        return 1;
    if (c == 0xEF)
        return i + 2 < end && b[i + 1] == 0xBC && b[i + 2] >= 0x90 &&
               b[i + 2] <= 0x99;
    if (c == d[0] || c == d[1] || c == d[2])
        return i + 1 < end && b[i + 1] >= 0xE4 && b[i + 1] <= 0xE9;
    return 0;
}

/* How far before its anchor a value can start: addresses read back up to
 * 120 bytes of divisions, e-mail local parts 64 bytes. */
#define ANCHOR_REACH 512

/* The 16-byte masks of one block at b: digits, and every anchor. */
#if defined(__SSE2__)
typedef struct block_masks {
    unsigned digits, anchors;
} block_masks;

static inline block_masks scan_block(const unsigned char *b,
                                     const unsigned char d[3])
{
    const __m128i c30 = _mm_set1_epi8(0x30), nine = _mm_set1_epi8(9);
    const __m128i at = _mm_set1_epi8('@'), ef = _mm_set1_epi8((char)0xEF);
    const __m128i bc = _mm_set1_epi8((char)0xBC);
    const __m128i x90 = _mm_set1_epi8((char)0x90);
    const __m128i e4 = _mm_set1_epi8((char)0xE4), five = _mm_set1_epi8(5);
    __m128i v = _mm_loadu_si128((const __m128i *)b);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(b + 1));
    __m128i v2 = _mm_loadu_si128((const __m128i *)(b + 2));
    __m128i dg = _mm_sub_epi8(v, c30);
    __m128i dig = _mm_cmpeq_epi8(_mm_min_epu8(dg, nine), dg);
    __m128i m = _mm_or_si128(dig, _mm_cmpeq_epi8(v, at));
    /* full-width digit: EF BC 9x */
    __m128i fd = _mm_sub_epi8(v2, x90);
    __m128i fw = _mm_and_si128(_mm_cmpeq_epi8(v, ef), _mm_cmpeq_epi8(v1, bc));
    fw = _mm_and_si128(fw, _mm_cmpeq_epi8(_mm_min_epu8(fd, nine), fd));
    m = _mm_or_si128(m, fw);
    /* a cell delimiter followed by a Han lead byte E4..E9 */
    __m128i h = _mm_sub_epi8(v1, e4);
    __m128i han = _mm_cmpeq_epi8(_mm_min_epu8(h, five), h);
    __m128i del = _mm_or_si128(
        _mm_cmpeq_epi8(v, _mm_set1_epi8((char)d[0])),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)d[1])),
                     _mm_cmpeq_epi8(v, _mm_set1_epi8((char)d[2]))));
    m = _mm_or_si128(m, _mm_and_si128(del, han));
    block_masks r = {(unsigned)_mm_movemask_epi8(dig),
                     (unsigned)_mm_movemask_epi8(m)};
    return r;
}
#endif

/* What may follow a digit run for it to matter: 0 nothing of interest,
 * 1 a separator or Han byte that short_run_may_matter() must judge, 2 a
 * letter or digit (part of a longer token). */
static const unsigned char after_run[256] = {
    ['.'] = 1, [':'] = 1,  ['-'] = 1,  [' '] = 1,  ['/'] = 1,  ['('] = 1,
    [')'] = 1, [0xE5] = 1, [0xE6] = 1, [0xE7] = 1, [0xE8] = 1, [0xEF] = 1,
    ['0'] = 2, ['1'] = 2,  ['2'] = 2,  ['3'] = 2,  ['4'] = 2,  ['5'] = 2,
    ['6'] = 2, ['7'] = 2,  ['8'] = 2,  ['9'] = 2,  ['A'] = 2,  ['B'] = 2,
    ['C'] = 2, ['D'] = 2,  ['E'] = 2,  ['F'] = 2,  ['G'] = 2,  ['H'] = 2,
    ['I'] = 2, ['J'] = 2,  ['K'] = 2,  ['L'] = 2,  ['M'] = 2,  ['N'] = 2,
    ['O'] = 2, ['P'] = 2,  ['Q'] = 2,  ['R'] = 2,  ['S'] = 2,  ['T'] = 2,
    ['U'] = 2, ['V'] = 2,  ['W'] = 2,  ['X'] = 2,  ['Y'] = 2,  ['Z'] = 2,
    ['a'] = 2, ['b'] = 2,  ['c'] = 2,  ['d'] = 2,  ['e'] = 2,  ['f'] = 2,
    ['g'] = 2, ['h'] = 2,  ['i'] = 2,  ['j'] = 2,  ['k'] = 2,  ['l'] = 2,
    ['m'] = 2, ['n'] = 2,  ['o'] = 2,  ['p'] = 2,  ['q'] = 2,  ['r'] = 2,
    ['s'] = 2, ['t'] = 2,  ['u'] = 2,  ['v'] = 2,  ['w'] = 2,  ['x'] = 2,
    ['y'] = 2, ['z'] = 2,
};

/* 1 if the digit run [p, e) is certainly no value: short, not glued to
 * letters, and followed by nothing that could continue a value.  This is
 * the common case (status codes, prices, counters) and must be cheap. */
static inline int boring_run(eg_chunk *ch, size_t p, size_t e)
{
    const unsigned char *b = ch->buf;
    if (e - p > 5)
        return 0;
    if (p > 0) {
        unsigned char c = b[p - 1];
        if (after_run[c] == 2 && !(p > 1 && b[p - 2] == '\\'))
            return 0;
        if ((c == ':' || c == '-') && p > 1 &&
            (b[p - 2] == ':' ||
             ((b[p - 2] | 0x20) >= 'a' && (b[p - 2] | 0x20) <= 'f')))
            return 0;
    }
    unsigned char k = e < ch->len ? after_run[b[e]] : 0;
    if (k == 0)
        return 1;
    if (k == 2)
        return 0;
    return !eg__short_run_may_matter(ch, p, e);
}

/* Handle the anchor at p; return where to go on. */
static size_t dispatch_anchor(eg_chunk *ch, size_t p)
{
    unsigned char c = ch->buf[p];
    if (c == '@')
        return eg__detect_email(ch, p);
    if (c == 0xEF)
        return eg__detect_fullwidth(ch, p);
    if (c >= '0' && c <= '9')
        return eg__detect_digits(ch, p);
    return eg__detect_cell(ch, p);
}

static int walk_anchors(eg_chunk *ch)
{
    const unsigned char *b = ch->buf;
    unsigned char delim[3];
    cell_delimiters(ch->format, delim);
    /* A value may start well before its anchor (an address before its house
     * number, an e-mail before its '@'): walk on past the owned region so
     * that such a value is found by the chunk that owns its first byte.
     * eg__cand_add() keeps only candidates that start in the owned region. */
    size_t end = ch->own_hi + ANCHOR_REACH < ch->len ? ch->own_hi + ANCHOR_REACH
                                                     : ch->len;
    /* and from the start of the buffer, the previous chunk's tail: a
     * detector may consume past the end of a region (a run of digit groups
     * "138 29674538 2969 34.609616" read as groups swallows the "34" that
     * would start a coordinate), and the previous chunk's walk did exactly
     * that.  Walking its tail again puts this walk on the same path by the
     * region's start, as in a scan in one chunk; what is found there and
     * ends before the region is discarded by eg__cand_add(). */
    size_t p = 0;
#if defined(__SSE2__)
    while (p + 18 <= ch->len && p < end) {
        block_masks bm = scan_block(b + p, delim);
        unsigned m = bm.anchors;
        size_t next = p + 16;
        while (m) {
            unsigned k = (unsigned)__builtin_ctz(m);
            size_t q = p + k;
            if (q >= end) {
                m = 0;
                break;
            }
            if (bm.digits >> k & 1) {
                unsigned run = (unsigned)__builtin_ctz(~(bm.digits >> k));
                size_t e = q + run;
                if (k + run >= 16) /* the run goes on past the block */
                    while (e < ch->len && eg__is_digit(b[e]))
                        e++;
                if (boring_run(ch, q, e)) {
                    if (e >= p + 16) {
                        next = e;
                        m = 0;
                        break;
                    }
                    m &= ~(((1u << run) - 1) << k);
                    continue;
                }
            }
            size_t r = dispatch_anchor(ch, q);
            if (ch->oom)
                return EG_ENOMEM;
            r = r > q ? r : q + 1;
            if (r >= p + 16) {
                next = r;
                m = 0;
                break;
            }
            m &= ~((1u << (r - p)) - 1);
        }
        p = next;
    }
#endif
    for (; p < end; p++) {
        if (!is_anchor_scalar(b, p, ch->len, delim))
            continue;
        size_t r = dispatch_anchor(ch, p);
        if (ch->oom)
            return EG_ENOMEM;
        p = (r > p ? r : p + 1) - 1;
    }
    return EG_OK;
}

/* ----------------------------------------------------- ordering, overlaps */

static int cmp_cand(const void *a, const void *b)
{
    const eg_cand *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* longer first */
    return (int)x->type - (int)y->type;
}

/* Each value once: of two overlapping candidates keep the longer (the
 * container: an e-mail holding a mobile number, an address holding a
 * house number), on a tie the more confident. */
static void drop_overlaps(eg_chunk *ch)
{
    if (ch->ncands > 1) /* cands is NULL when empty: qsort(NULL) is UB */
        qsort(ch->cands, ch->ncands, sizeof *ch->cands, cmp_cand);
    size_t out = 0;
    for (size_t i = 0; i < ch->ncands; i++) {
        eg_cand *c = &ch->cands[i];
        if (c->flags & EG_CAND_DROPPED)
            continue;
        if (out > 0) {
            eg_cand *prev = &ch->cands[out - 1];
            if (c->start < prev->end) {
                uint64_t lp = prev->end - prev->start, lc = c->end - c->start;
                if (lc > lp || (lc == lp && c->conf > prev->conf))
                    *prev = *c;
                continue;
            }
        }
        ch->cands[out++] = *c;
    }
    ch->ncands = out;
    /* foreign and ahead candidates have done their part */
    out = 0;
    for (size_t i = 0; i < ch->ncands; i++)
        if (!(ch->cands[i].flags & (EG_CAND_FOREIGN | EG_CAND_AHEAD)))
            ch->cands[out++] = ch->cands[i];
    ch->ncands = out;
}

static void resolve_text_context(eg_chunk *ch)
{
    int structured = eg__chunk_structured(ch);
    for (size_t i = 0; i < ch->ncands; i++) {
        eg_cand *c = &ch->cands[i];
        if (c->flags & EG_CAND_RESOLVED)
            continue;
        uint32_t kinds = eg__text_context(ch, (size_t)(c->start - ch->base));
        if (kinds & c->veto) {
            c->flags |= EG_CAND_DROPPED;
        } else if (kinds & c->need) {
            c->conf = c->conf_ctx;
            c->flags |= EG_CAND_RESOLVED;
        } else if (!structured) {
            eg__detect_resolve(c, 0);
        }
    }
}

int eg__detect_chunk(eg_chunk *ch)
{
    for (size_t i = 0; i < ch->nhits; i++)
        if (eg__detect_hit(ch, &ch->hits[i]) != EG_OK || ch->oom)
            return EG_ENOMEM;
    if (walk_anchors(ch) != EG_OK)
        return EG_ENOMEM;
    resolve_text_context(ch);
    if (!eg__chunk_structured(ch))
        drop_overlaps(ch);
    else if (ch->ncands > 1)
        qsort(ch->cands, ch->ncands, sizeof *ch->cands, cmp_cand);
    return EG_OK;
}

void eg__detect_finish(eg_chunk *ch)
{
    drop_overlaps(ch);
}

void eg__chunk_reset(eg_chunk *ch)
{
    ch->ncands = 0;
    ch->arena.len = 0;
}

void eg__chunk_free(eg_chunk *ch)
{
    eg__free(ch->cands);
    ch->cands = NULL;
    ch->ncands = ch->cap = 0;
    eg__buf_free(&ch->arena);
}
