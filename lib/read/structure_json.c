/*
 * structure_json.c: the JSON / JSON Lines cursor.  A streaming RFC 8259
 * tokenizer that keeps, instead of a tree, a stack of the containers it is
 * in (object key or array index per level), from which the JSON Pointer
 * (RFC 6901) of any offset is spelled when asked ("/req/body/phone").
 *
 * Workload: every byte of every JSON input passes through here, and most
 * bytes are inside strings, so string contents are skipped with SSE2 /
 * memchr-style searches for the quote and the backslash, and indentation
 * 16 bytes at a time.  Only object keys are decoded (JSON escapes, \uXXXX
 * with surrogate pairs, invalid ones as U+FFFD), and only up to
 * `max_name_bytes`, straight into a fixed slot per level; the pointer is
 * only built by describe (once per candidate, not once per key).  Nothing
 * is allocated per value: the level stack, key slots and pointer buffer
 * grow with the nesting and stop growing at `max_depth` levels.
 *
 * Deeper than `max_depth`, the cursor keeps only a counter and skips
 * (strings still honoured) until the nesting comes back, so a million `[`
 * cost neither memory nor recursion.  JSON Lines: a newline ends the
 * document whatever state it is in; after an error the rest of the line is
 * skipped.  Plain JSON: whitespace-separated (or comma-separated) values
 * follow each other; after a syntax error the structure is unknown and
 * offsets are reported at the top level of the record where it happened.
 *
 * Records: JSON Lines count lines (blank ones included).  JSON counts
 * top-level values, except that a top-level array counts its elements,
 * since `[{...},{...}]` is how lists of people are exported.
 */
#include "read/structure_int.h"

#include <stdio.h>

enum {
    J_VALUE,        /* a value may start (depth 0: between documents) */
    J_VALUE_OR_END, /* after '[' */
    J_KEY_OR_END,   /* after '{' */
    J_KEY,          /* after ',' in an object */
    J_COLON,        /* after a key */
    J_AFTER,        /* after a value inside a container */
    J_STRING,       /* inside a key or a string value */
    J_NUMBER,       /* inside a number */
    J_LITERAL,      /* inside true / false / null */
    J_DEEP,         /* nested beyond max_depth: counting only */
    J_SKIPLINE,     /* JSON Lines: skipping a broken line */
    J_DEAD          /* JSON: structure lost after an error */
};

/* number sub-states; the ones marked final may end the number */
enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };
#define N_FINAL(n)                                                             \
    ((n) == N_ZERO || (n) == N_INT || (n) == N_FRAC || (n) == N_EXP)

typedef struct jlevel {
    uint64_t index;  /* array: current element */
    size_t name_len; /* object: bytes of its key (slot `level`) */
    uint8_t is_array;
    uint8_t has_key; /* object: a key is in force */
} jlevel;

struct eg_json_state {
    int lines; /* JSON Lines */
    uint8_t state;
    uint8_t bom_got, bom_done;
    uint8_t str_key;    /* the open string is an object key */
    uint8_t esc;        /* 0, 1 after '\', 2..5: \u with esc-2 hex digits */
    uint8_t high_stage; /* key: 1 high surrogate pending, 2 after its '\' */
    uint8_t num;
    uint8_t lit, lit_pos;
    uint8_t key_full; /* key longer than max_name_bytes: truncated */
    uint8_t deep_str, deep_esc;
    uint32_t hex, high;
    uint64_t deep; /* levels beyond max_depth */
    uint32_t depth, max_depth;
    jlevel *lv;
    uint32_t lv_cap;
    char *path; /* built by describe; sized as levels are pushed */
    size_t path_cap;
    char *names; /* one key slot of key_max + 1 bytes per level */
    size_t names_cap;
    char *key; /* the slot of the key being read */
    size_t key_len, key_max;
    uint64_t done;           /* JSON: records completed; JSONL: lines ended */
    int unit_open;           /* JSON: a record has started and not ended */
    uint64_t top_start;      /* where the open top-level value began (as
                                messages give it: eg__cursor_msg_off) */
    uint64_t line_start;     /* JSONL: offset of the current line */
    const unsigned char *ws; /* whitespace class table for the format */
};

static const char *const literals[3] = {"true", "false", "null"};
static const uint8_t literal_len[3] = {4, 5, 4};

/* whitespace tables: '\n' is whitespace in JSON, a terminator in JSONL */
static const unsigned char ws_json[256] = {
    [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1};
static const unsigned char ws_lines[256] = {[' '] = 1, ['\t'] = 1, ['\r'] = 1};
/* bytes that matter while counting nesting beyond max_depth */
static const unsigned char deep_json[256] = {
    ['"'] = 1, ['['] = 1, ['{'] = 1, [']'] = 1, ['}'] = 1};
static const unsigned char deep_lines[256] = {
    ['"'] = 1, ['['] = 1, ['{'] = 1, [']'] = 1, ['}'] = 1, ['\n'] = 1};

/** First byte in [p, end) that is not whitespace (`ws` table; '\n' is
 *  whitespace unless `lines`).  Indentation runs go 16 bytes at a time. */
static inline const unsigned char *skip_ws(const unsigned char *p,
                                           const unsigned char *end,
                                           const unsigned char *ws, int lines)
{
#if defined(__SSE2__)
    if (end - p >= 16 && ws[*p]) {
        const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'),
                      cr = _mm_set1_epi8('\r'),
                      lf = _mm_set1_epi8(lines ? ' ' : '\n');
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i w = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab)),
                _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
            unsigned m = (unsigned)_mm_movemask_epi8(w) ^ 0xFFFFu;
            if (m)
                return p + __builtin_ctz(m);
            p += 16;
        }
    }
#else
    (void)lines;
#endif
    while (p < end && ws[*p])
        p++;
    return p;
}

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return EG_OK;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    char *p = eg__realloc(*buf, n);
    if (!p)
        return EG_ENOMEM;
    *buf = p;
    *cap = n;
    return EG_OK;
}

int eg__cursor_json_init(eg_cursor *c)
{
    eg_json_state *s = eg__calloc(1, sizeof *s);
    if (!s)
        return EG_ENOMEM;
    c->json = s;
    s->lines = c->fmt == EG_FORMAT_JSONL;
    s->ws = s->lines ? ws_lines : ws_json;
    s->max_depth = c->lim.max_depth;
    s->key_max = c->lim.max_name_bytes;
    if (grow(&s->path, &s->path_cap, 64) != EG_OK)
        return EG_ENOMEM;
    s->state = J_VALUE;
    return EG_OK;
}

void eg__cursor_json_free(eg_cursor *c)
{
    eg_json_state *s = c->json;
    eg__free(s->lv);
    eg__free(s->path);
    eg__free(s->names);
    eg__free(s);
    c->json = NULL;
}

/* ---- small helpers ---- */

static size_t put_u64(char *dst, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

/** Forget the whole stack: a new document begins. */
static void reset(eg_json_state *s)
{
    s->depth = 0;
    s->deep = 0;
    s->esc = s->high_stage = 0;
    s->deep_str = s->deep_esc = 0;
    s->state = J_VALUE;
}

static void syntax_error(eg_cursor *c, eg_json_state *s, uint64_t off)
{
    eg__cursor_note_problem(c, off, "invalid JSON");
    reset(s);
    s->state = s->lines ? J_SKIPLINE : J_DEAD;
}

/** A value starts at depth s->depth (before any push it causes). */
static void value_start(const eg_cursor *c, eg_json_state *s, uint64_t off,
                        int opens_array)
{
    if (s->depth == 0) {
        s->top_start = eg__cursor_msg_off(c, off);
        if (!opens_array)
            s->unit_open = 1;
    } else if (s->depth == 1 && s->lv[0].is_array) {
        s->unit_open = 1;
    }
}

/** JSON: the open record ends (a top-level value, or an element of a
 *  top-level array once its ',' or ']' is seen, so that the bytes between
 *  an element and its comma still read as that element). */
static void record_done(eg_json_state *s)
{
    if (s->unit_open && !s->lines) {
        s->done++;
        s->unit_open = 0;
    }
}

/** A value just ended; `was_top_array` when it was a top-level array. */
static void value_done(eg_json_state *s, int was_top_array)
{
    if (s->depth == 0 && !was_top_array)
        record_done(s);
    s->state = s->depth == 0 ? J_VALUE : J_AFTER;
}

/** Open an object or array; beyond max_depth switch to counting. */
static int push(eg_cursor *c, eg_json_state *s, int is_array, uint64_t off)
{
    if (s->depth >= s->max_depth) {
        char msg[64];
        snprintf(msg, sizeof msg, "JSON nesting deeper than %u",
                 (unsigned)s->max_depth);
        eg__cursor_note_problem(c, off, msg);
        s->state = J_DEEP;
        s->deep = 1;
        s->deep_str = s->deep_esc = 0;
        return EG_OK;
    }
    if (s->depth == s->lv_cap) {
        uint32_t n = s->lv_cap ? s->lv_cap * 2 : 16;
        if (n > s->max_depth)
            n = s->max_depth;
        jlevel *lv = eg__realloc(s->lv, (size_t)n * sizeof *lv);
        if (!lv)
            return EG_ENOMEM;
        s->lv = lv;
        s->lv_cap = n;
    }
    /* room for this level's key slot and for its pointer segment, so that
     * neither reading a key nor describing ever allocates */
    size_t levels = (size_t)s->depth + 1;
    size_t seg = 2 * s->key_max + 1 > 21 ? 2 * s->key_max + 1 : 21;
    if (grow(&s->names, &s->names_cap, levels * (s->key_max + 1)) ||
        grow(&s->path, &s->path_cap, levels * seg + 1))
        return EG_ENOMEM;
    jlevel *l = &s->lv[s->depth++];
    l->index = 0;
    l->name_len = 0;
    l->is_array = (uint8_t)is_array;
    l->has_key = 0;
    s->state = is_array ? J_VALUE_OR_END : J_KEY_OR_END;
    return EG_OK;
}

/** ']' or '}' at `off`: close the innermost container if it matches. */
static void close_container(eg_cursor *c, eg_json_state *s, int is_array,
                            uint64_t off)
{
    jlevel *l = &s->lv[s->depth - 1];
    if (l->is_array != is_array) {
        syntax_error(c, s, off);
        return;
    }
    s->depth--;
    if (s->depth == 0 && is_array)
        record_done(s); /* the top-level array's last element */
    value_done(s, s->depth == 0 && is_array);
}

/** ',' after an array element: the next index. */
static void next_element(eg_json_state *s)
{
    if (s->depth == 1)
        record_done(s);
    s->lv[s->depth - 1].index++;
    s->state = J_VALUE;
}

/* ---- object keys ---- */

static void key_put(eg_json_state *s, const void *p, size_t n)
{
    if (s->key_full)
        return;
    size_t room = s->key_max - s->key_len;
    if (n > room) {
        n = room;
        s->key_full = 1;
    }
    memcpy(s->key + s->key_len, p, n);
    s->key_len += n;
}

/** A decoded code point; a sequence that does not fit is dropped whole. */
static void key_put_cp(eg_json_state *s, uint32_t cp)
{
    unsigned char u[4];
    size_t n;
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | cp >> 18);
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (!s->key_full && s->key_len + n > s->key_max)
        s->key_full = 1;
    key_put(s, u, n);
}

/** After truncation, drop a UTF-8 sequence cut in the middle. */
static void key_trim_partial(eg_json_state *s)
{
    size_t i = s->key_len, back = 0;
    while (i > 0 && back < 4 && ((unsigned char)s->key[i - 1] & 0xC0) == 0x80) {
        i--;
        back++;
    }
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s->key[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > 1 && back + 1 < need)
        s->key_len = i - 1;
}

/** The key is complete: it names the innermost level. */
static void key_commit(eg_json_state *s)
{
    jlevel *l = &s->lv[s->depth - 1];
    if (s->key_full)
        key_trim_partial(s);
    s->key[s->key_len] = '\0';
    l->name_len = s->key_len;
    l->has_key = 1;
    s->state = J_COLON;
}

static int hex_value(unsigned char b)
{
    if (b >= '0' && b <= '9')
        return b - '0';
    if (b >= 'a' && b <= 'f')
        return b - 'a' + 10;
    if (b >= 'A' && b <= 'F')
        return b - 'A' + 10;
    return -1;
}

/** A complete \uXXXX code unit inside a key. */
static void key_unit(eg_json_state *s, uint32_t u)
{
    if (s->high_stage == 2) { /* this was meant to be the low half */
        uint32_t high = s->high;
        s->high_stage = 0;
        if (u >= 0xDC00 && u <= 0xDFFF) {
            key_put_cp(s, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
            return;
        }
        key_put_cp(s, 0xFFFD); /* lone high surrogate */
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        s->high = u;
        s->high_stage = 1;
    } else {
        key_put_cp(s, u);
    }
}

/** One byte of an escape inside a key.  Returns 1 if the byte was used, 0
 *  if it must be looked at again as an ordinary string byte. */
static int key_escape_byte(eg_json_state *s, unsigned char b)
{
    if (s->high_stage == 1) { /* high surrogate pending: want "\u" */
        if (b == '\\') {
            s->high_stage = 2;
            return 1;
        }
        s->high_stage = 0;
        key_put_cp(s, 0xFFFD);
        return 0;
    }
    if (s->high_stage == 2 && s->esc == 0) { /* after '\': want 'u' */
        if (b == 'u') {
            s->esc = 2;
            s->hex = 0;
            return 1;
        }
        s->high_stage = 0;
        key_put_cp(s, 0xFFFD);
        s->esc = 1; /* b is the character of an ordinary escape */
    }
    if (s->esc == 1) {
        static const char from[] = "\"\\/bfnrt";
        static const char to[] = "\"\\/\b\f\n\r\t";
        const char *hit = b ? strchr(from, b) : NULL;
        s->esc = 0;
        if (b == 'u') {
            s->esc = 2;
            s->hex = 0;
        } else if (hit) {
            key_put(s, &to[hit - from], 1);
        } else {
            key_put_cp(s, 0xFFFD);
        }
        return 1;
    }
    int v = hex_value(b); /* esc 2..5 */
    if (v < 0) {
        s->esc = 0;
        if (s->high_stage == 2) {
            s->high_stage = 0;
            key_put_cp(s, 0xFFFD);
        }
        key_put_cp(s, 0xFFFD);
        return 0;
    }
    s->hex = s->hex * 16 + (uint32_t)v;
    if (++s->esc == 6) {
        s->esc = 0;
        key_unit(s, s->hex);
    }
    return 1;
}

/* ---- the tokenizer ---- */

static void start_key(eg_json_state *s)
{
    s->state = J_STRING;
    s->str_key = 1;
    s->esc = 0;
    s->high_stage = 0;
    s->key = s->names + (size_t)(s->depth - 1) * (s->key_max + 1);
    s->key_len = 0;
    s->key_full = 0;
}

static void string_bytes(eg_json_state *s, const unsigned char **pp,
                         const unsigned char *end)
{
    const unsigned char *p = *pp;
    const unsigned char nl = s->lines ? '\n' : '"';
    while (p < end) {
        if (s->esc || s->high_stage) {
            if (*p == '\n' && s->lines)
                break; /* the line ends; the caller reports it */
            if (!s->str_key) {
                s->esc = 0;
                p++;
            } else if (key_escape_byte(s, *p)) {
                p++;
            }
            continue;
        }
        if (s->str_key && !s->key_full) {
            /* keys are short: copy while looking, no search + memcpy */
            char *k = s->key + s->key_len;
            char *kend = s->key + s->key_max;
            while (p < end && k < kend && *p != '"' && *p != '\\' && *p != nl)
                *k++ = (char)*p++;
            s->key_len = (size_t)(k - s->key);
        }
        const unsigned char *q = eg__find3(p, end, '"', '\\', nl);
        if (s->str_key)
            key_put(s, p, (size_t)(q - p));
        p = q;
        if (p == end || *p == '\n')
            break;
        if (*p == '\\') {
            s->esc = 1;
            p++;
            continue;
        }
        if (s->str_key) /* closing quote */
            key_commit(s);
        else
            value_done(s, 0);
        p++;
        break;
    }
    *pp = p;
}

/** Bytes beyond max_depth: count brackets, honour strings. */
static const unsigned char *deep_bytes(eg_json_state *s, const unsigned char *p,
                                       const unsigned char *end)
{
    const unsigned char *cls = s->lines ? deep_lines : deep_json;
    const unsigned char nl = s->lines ? '\n' : '"';
    while (p < end) {
        if (s->deep_esc) {
            if (*p == '\n' && s->lines)
                return p;
            s->deep_esc = 0;
            p++;
            continue;
        }
        if (s->deep_str) {
            p = eg__find3(p, end, '"', '\\', nl);
            if (p == end || *p == '\n')
                return p;
            if (*p == '\\')
                s->deep_esc = 1;
            else
                s->deep_str = 0;
            p++;
            continue;
        }
        while (p < end && !cls[*p])
            p++;
        if (p == end || *p == '\n')
            return p;
        unsigned char b = *p++;
        if (b == '"') {
            s->deep_str = 1;
        } else if (b == '[' || b == '{') {
            s->deep++;
        } else if (--s->deep == 0) { /* back at max_depth */
            value_done(s, 0);
            return p;
        }
    }
    return p;
}

/** JSON Lines: the newline at `off` ends the current line. */
static void line_end(eg_cursor *c, eg_json_state *s, uint64_t off)
{
    if (s->state == J_NUMBER && s->depth == 0 && N_FINAL(s->num))
        value_done(s, 0);
    if (s->state != J_SKIPLINE && !(s->state == J_VALUE && s->depth == 0))
        eg__cursor_note_problem(c, off, "invalid JSON");
    reset(s);
    s->done++;
    s->line_start = off + 1;
}

/** Number sub-state after byte b, or -1 if b does not continue it. */
static int number_next(uint8_t n, unsigned char b)
{
    int digit = b >= '0' && b <= '9';
    switch (n) {
    case N_MINUS:
        return b == '0' ? N_ZERO : digit ? N_INT : -1;
    case N_ZERO:
        return b == '.' ? N_DOT : (b == 'e' || b == 'E') ? N_E : -1;
    case N_INT:
        return digit                    ? N_INT
               : b == '.'               ? N_DOT
               : (b == 'e' || b == 'E') ? N_E
                                        : -1;
    case N_DOT:
        return digit ? N_FRAC : -1;
    case N_FRAC:
        return digit ? N_FRAC : (b == 'e' || b == 'E') ? N_E : -1;
    case N_E:
        return (b == '+' || b == '-') ? N_ESIGN : digit ? N_EXP : -1;
    case N_ESIGN:
    case N_EXP:
        return digit ? N_EXP : -1;
    }
    return -1;
}

/** Byte b starts a value at `off`.  Returns EG_OK or EG_ENOMEM. */
static int start_value(eg_cursor *c, eg_json_state *s, unsigned char b,
                       uint64_t off)
{
    switch (b) {
    case '"':
        value_start(c, s, off, 0);
        s->state = J_STRING;
        s->str_key = 0;
        s->esc = 0;
        return EG_OK;
    case '{':
    case '[':
        value_start(c, s, off, b == '[');
        return push(c, s, b == '[', off);
    case 't':
    case 'f':
    case 'n':
        value_start(c, s, off, 0);
        s->state = J_LITERAL;
        s->lit = b == 't' ? 0 : b == 'f' ? 1 : 2;
        s->lit_pos = 1;
        return EG_OK;
    default:
        if (b == '-' || (b >= '0' && b <= '9')) {
            value_start(c, s, off, 0);
            s->state = J_NUMBER;
            s->num = b == '-' ? N_MINUS : b == '0' ? N_ZERO : N_INT;
            return EG_OK;
        }
        syntax_error(c, s, off);
        return EG_OK;
    }
}

/** One step of the token machine at byte *p; returns the bytes used (0 when
 *  the byte must be seen again in the new state) or -1 on EG_ENOMEM. */
static long token_step(eg_cursor *c, eg_json_state *s, unsigned char b,
                       uint64_t off)
{
    switch (s->state) {
    case J_VALUE:
        if (b == ',' && s->depth == 0)
            return 1; /* lenient: "{...},\n{...}" exports */
        /* fall through */
    case J_VALUE_OR_END:
        if (b == ']' && s->state == J_VALUE_OR_END) {
            close_container(c, s, 1, off);
            return 1;
        }
        return start_value(c, s, b, off) == EG_OK ? 1 : -1;
    case J_KEY_OR_END:
        if (b == '}') {
            close_container(c, s, 0, off);
            return 1;
        }
        /* fall through */
    case J_KEY:
        if (b == '"')
            start_key(s);
        else
            syntax_error(c, s, off);
        return 1;
    case J_COLON:
        if (b == ':')
            s->state = J_VALUE;
        else
            syntax_error(c, s, off);
        return 1;
    case J_AFTER: {
        int in_array = s->lv[s->depth - 1].is_array;
        if (b == ',') {
            if (in_array) {
                next_element(s);
            } else {
                s->lv[s->depth - 1].has_key = 0;
                s->state = J_KEY;
            }
        } else if (b == ']' || b == '}') {
            close_container(c, s, b == ']', off);
        } else {
            syntax_error(c, s, off);
        }
        return 1;
    }
    case J_NUMBER: {
        int n = number_next(s->num, b);
        if (n >= 0) {
            s->num = (uint8_t)n;
            return 1;
        }
        /* "0424" is not 0 then 424: a leading zero is malformed (a value
         * masked whole there would merge what the cursor counted as two) */
        if (N_FINAL(s->num) && !(s->num == N_ZERO && b >= '0' && b <= '9')) {
            value_done(s, 0);
            return 0;
        }
        syntax_error(c, s, off);
        return 1;
    }
    case J_LITERAL:
        if (b != (unsigned char)literals[s->lit][s->lit_pos]) {
            syntax_error(c, s, off);
            return 1;
        }
        if (++s->lit_pos == literal_len[s->lit])
            value_done(s, 0);
        return 1;
    }
    return 1;
}

static const unsigned char *skip_bom(eg_cursor *c, eg_json_state *s,
                                     const unsigned char *p,
                                     const unsigned char *end)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    while (p < end && !s->bom_done) {
        if (*p == bom[s->bom_got]) {
            p++;
            if (++s->bom_got == 3)
                s->bom_done = 1;
        } else {
            s->bom_done = 1;
            if (s->bom_got) /* EF / EF BB: not JSON */
                syntax_error(c, s, 0);
        }
    }
    return p;
}

int eg__cursor_json_advance(eg_cursor *c, const unsigned char *p,
                            const unsigned char *end)
{
    eg_json_state *s = c->json;
    const unsigned char *start = p;
    const uint64_t base = c->pos;
    const unsigned char *ws = s->ws;
    int rc = EG_OK;
#define OFF(q) (base + (uint64_t)((q)-start))

    if (EG_UNLIKELY(!s->bom_done))
        p = skip_bom(c, s, p, end);
    while (p < end) {
        if (s->lines && *p == '\n') {
            line_end(c, s, OFF(p));
            p++;
            continue;
        }
        switch (s->state) {
        case J_STRING:
            string_bytes(s, &p, end);
            continue;
        case J_DEEP:
            p = deep_bytes(s, p, end);
            continue;
        case J_SKIPLINE:
            p = eg__find1(p, end, '\n');
            continue;
        case J_DEAD:
            p = end;
            continue;
        case J_NUMBER:
            while (p < end && *p >= '0' && *p <= '9' &&
                   (s->num == N_INT || s->num == N_FRAC || s->num == N_EXP))
                p++;
            if (p == end)
                continue;
            break;
        case J_LITERAL:
            break;
        default:
            if (ws[*p]) {
                p = skip_ws(p + 1, end, ws, s->lines);
                continue;
            }
            break;
        }
        long used = token_step(c, s, *p, OFF(p));
        if (used < 0) {
            rc = EG_ENOMEM;
            goto out;
        }
        p += used;
    }
out:
    c->pos = OFF(p);
#undef OFF
    return rc;
}

/* ---- answers ---- */

static const char *innermost_name(const eg_json_state *s)
{
    for (uint32_t i = s->depth; i > 0; i--) {
        const jlevel *l = &s->lv[i - 1];
        if (!l->is_array && l->has_key)
            return s->names + (size_t)(i - 1) * (s->key_max + 1);
    }
    return NULL;
}

/** The JSON Pointer of the current levels (RFC 6901: ~ as ~0, / as ~1);
 *  push() sized the buffer for it. */
static const char *build_pointer(eg_json_state *s)
{
    char *w = s->path;
    for (uint32_t i = 0; i < s->depth; i++) {
        const jlevel *l = &s->lv[i];
        if (l->is_array) {
            *w++ = '/';
            w += put_u64(w, l->index);
        } else if (l->has_key) {
            const char *k = s->names + (size_t)i * (s->key_max + 1);
            *w++ = '/';
            for (size_t j = 0; j < l->name_len; j++) {
                if (k[j] == '~' || k[j] == '/') {
                    *w++ = '~';
                    *w++ = k[j] == '~' ? '0' : '1';
                } else {
                    *w++ = k[j];
                }
            }
        }
    }
    *w = '\0';
    return s->path;
}

void eg__cursor_json_describe(eg_cursor *c, eg_cursor_pos *pos)
{
    eg_json_state *s = c->json;
    pos->record = s->done;
    if (s->state == J_SKIPLINE || s->state == J_DEAD) {
        pos->field = "";
        pos->name = NULL;
        return;
    }
    pos->field = build_pointer(s);
    pos->name = innermost_name(s);
    pos->in_string =
        s->state == J_STRING || (s->state == J_DEEP && s->deep_str);
    pos->in_key = s->state == J_STRING && s->str_key;
}

const char *eg__cursor_json_end_problem(const eg_cursor *c, uint64_t *off)
{
    const eg_json_state *s = c->json;
    int open = s->depth > 0 || s->state == J_STRING || s->state == J_LITERAL ||
               s->state == J_DEEP || (s->state == J_NUMBER && !N_FINAL(s->num));
    if (!open || s->state == J_SKIPLINE || s->state == J_DEAD)
        return NULL;
    snprintf(c->late_msg, sizeof c->problem_msg,
             "invalid JSON: value opened at byte %llu is not closed",
             (unsigned long long)s->top_start);
    *off = s->top_start;
    return c->late_msg;
}

uint64_t eg__cursor_json_records(const eg_cursor *c)
{
    const eg_json_state *s = c->json;
    if (s->lines)
        return s->done + (c->pos > s->line_start ? 1 : 0);
    return s->done + (s->unit_open ? 1 : 0);
}
