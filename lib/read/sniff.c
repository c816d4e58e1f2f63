/*
 * sniff.c: guesses about an input from its name and its first bytes (the
 * head, ~8 KiB, decompressed): is it binary, and which format is it.
 *
 * Why it is built this way:
 * - Binary: a NUL byte is the one strong signal (it is what git and
 *   ripgrep use).  Invalid UTF-8 is deliberately not a signal: GBK/GB18030
 *   exports and damaged UTF-8 logs are exactly what we must scan.  Only a
 *   high share of C0 control bytes, which no text encoding in use here
 *   produces, also marks binary.  UTF-16 (BOM) is binary until a reader
 *   transcodes it.
 * - Format: a wrong guess costs more in one direction.  Calling prose CSV
 *   invents fields and records; calling a CSV text only loses context.  So
 *   the extension decides when it speaks, and by content JSON must
 *   validate as far as the head goes and CSV/TSV must show a consistent
 *   delimiter count under a header-like first row.  Everything else is
 *   text.
 * - Pure functions over the bytes given: no allocation, no I/O, bounded
 *   recursion (JSON nesting beyond 64 is taken on trust).
 */
#include "read/source.h"

#include <string.h>

#define EG_SNIFF_JSON_DEPTH 64
#define EG_SNIFF_MAX_RECORDS 20
#define EG_SNIFF_HEADER_MAX 64

int eg__sniff_binary(const unsigned char *head, size_t n)
{
    if (!head || n == 0)
        return 0;
    if (n >= 2 && ((head[0] == 0xff && head[1] == 0xfe) ||
                   (head[0] == 0xfe && head[1] == 0xff)))
        return 1;
    if (memchr(head, 0, n))
        return 1;
    size_t ctrl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = head[i];
        if ((c < 0x20 && !(c >= '\t' && c <= '\r') && c != 0x1b) || c == 0x7f)
            ctrl++;
    }
    return ctrl * 10 > n * 3; /* more than 30% */
}

/* ---- by name ---- */

static int ext_is(const char *ext, size_t len, const char *want)
{
    if (strlen(want) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = ext[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != want[i])
            return 0;
    }
    return 1;
}

/* The extension of base[0..len): a dot that is not the first character. */
static const char *find_ext(const char *base, size_t len, size_t *ext_len)
{
    for (size_t i = len; i > 1; i--) {
        if (base[i - 1] == '.') {
            *ext_len = len - i;
            return base + i;
        }
    }
    return NULL;
}

static eg_format format_of_ext(const char *e, size_t el)
{
    static const struct {
        const char *ext;
        eg_format fmt;
    } table[] = {
        {"csv", EG_FORMAT_CSV},     {"tsv", EG_FORMAT_TSV},
        {"tab", EG_FORMAT_TSV},     {"json", EG_FORMAT_JSON},
        {"jsonl", EG_FORMAT_JSONL}, {"ndjson", EG_FORMAT_JSONL},
        {"log", EG_FORMAT_TEXT},    {"txt", EG_FORMAT_TEXT},
        {"text", EG_FORMAT_TEXT},   {"md", EG_FORMAT_TEXT},
        {"ini", EG_FORMAT_TEXT},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(table); i++)
        if (ext_is(e, el, table[i].ext))
            return table[i].fmt;
    return EG_FORMAT_AUTO;
}

static eg_format sniff_name(const char *path)
{
    if (!path)
        return EG_FORMAT_AUTO;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base), el;
    const char *e = find_ext(base, len, &el);
    if (e && (ext_is(e, el, "gz") || ext_is(e, el, "zst") ||
              ext_is(e, el, "zstd"))) {
        len = (size_t)(e - 1 - base);
        e = find_ext(base, len, &el);
    }
    return e ? format_of_ext(e, el) : EG_FORMAT_AUTO;
}

/* ---- JSON, validated as far as the head goes ---- */

enum { J_INVALID, J_PREFIX, J_COMPLETE };

typedef struct jscan {
    const unsigned char *p, *end;
} jscan;

static void j_ws(jscan *s)
{
    while (s->p < s->end &&
           (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
        s->p++;
}

static int j_literal(jscan *s, const char *lit)
{
    for (; *lit; lit++, s->p++) {
        if (s->p == s->end)
            return J_PREFIX;
        if (*s->p != (unsigned char)*lit)
            return J_INVALID;
    }
    return J_COMPLETE;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

static int j_string(jscan *s)
{
    s->p++; /* the opening quote */
    while (s->p < s->end) {
        unsigned char c = *s->p++;
        if (c == '"')
            return J_COMPLETE;
        if (c < 0x20)
            return J_INVALID;
        if (c != '\\')
            continue;
        if (s->p == s->end)
            return J_PREFIX;
        c = *s->p++;
        if (c == 'u') {
            for (int i = 0; i < 4; i++, s->p++) {
                if (s->p == s->end)
                    return J_PREFIX;
                if (!is_hex(*s->p))
                    return J_INVALID;
            }
        } else if (c == 0 || !strchr("\"\\/bfnrt", c)) {
            return J_INVALID;
        }
    }
    return J_PREFIX;
}

static int j_digits(jscan *s)
{
    const unsigned char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    if (s->p == s->end)
        return J_PREFIX;
    return s->p > start ? J_COMPLETE : J_INVALID;
}

static int j_number(jscan *s)
{
    if (*s->p == '-' && ++s->p == s->end)
        return J_PREFIX;
    if (*s->p == '0') {
        if (++s->p == s->end)
            return J_PREFIX;
    } else {
        int r = j_digits(s);
        if (r != J_COMPLETE)
            return r;
    }
    if (*s->p == '.') {
        s->p++;
        int r = j_digits(s);
        if (r != J_COMPLETE)
            return r;
    }
    if (*s->p == 'e' || *s->p == 'E') {
        if (++s->p == s->end)
            return J_PREFIX;
        if (*s->p == '+' || *s->p == '-')
            s->p++;
        return j_digits(s);
    }
    return J_COMPLETE;
}

static int j_value(jscan *s, int depth);

/* Members of an object or elements of an array, after the opening. */
static int j_container(jscan *s, int depth, unsigned char close)
{
    s->p++;
    j_ws(s);
    if (s->p == s->end)
        return J_PREFIX;
    if (*s->p == close) {
        s->p++;
        return J_COMPLETE;
    }
    for (;;) {
        int r;
        if (close == '}') {
            if (*s->p != '"')
                return J_INVALID;
            if ((r = j_string(s)) != J_COMPLETE)
                return r;
            j_ws(s);
            if (s->p == s->end)
                return J_PREFIX;
            if (*s->p++ != ':')
                return J_INVALID;
        }
        if ((r = j_value(s, depth + 1)) != J_COMPLETE)
            return r;
        j_ws(s);
        if (s->p == s->end)
            return J_PREFIX;
        unsigned char c = *s->p++;
        if (c == close)
            return J_COMPLETE;
        if (c != ',')
            return J_INVALID;
        j_ws(s);
        if (s->p == s->end)
            return J_PREFIX;
    }
}

static int j_value(jscan *s, int depth)
{
    j_ws(s);
    if (s->p == s->end)
        return J_PREFIX;
    if (depth > EG_SNIFF_JSON_DEPTH) {
        s->p = s->end; /* deep enough to be JSON; trust the rest */
        return J_PREFIX;
    }
    unsigned char c = *s->p;
    switch (c) {
    case '{':
        return j_container(s, depth, '}');
    case '[':
        return j_container(s, depth, ']');
    case '"':
        return j_string(s);
    case 't':
        return j_literal(s, "true");
    case 'f':
        return j_literal(s, "false");
    case 'n':
        return j_literal(s, "null");
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return j_number(s);
        return J_INVALID;
    }
}

/* p points at '{' or '['.  AUTO when the bytes are not JSON after all. */
static eg_format sniff_json(const unsigned char *p, const unsigned char *end)
{
    jscan s = {p, end};
    int r = j_value(&s, 0);
    if (r == J_INVALID)
        return EG_FORMAT_AUTO;
    if (r == J_PREFIX)
        return EG_FORMAT_JSON; /* one value larger than the head */
    int one_line = memchr(p, '\n', (size_t)(s.p - p)) == NULL;
    while (s.p < s.end && (*s.p == ' ' || *s.p == '\t' || *s.p == '\r'))
        s.p++;
    int more_on_line = s.p < s.end && *s.p != '\n';
    j_ws(&s);
    if (s.p == s.end)
        return one_line ? EG_FORMAT_JSONL : EG_FORMAT_JSON;
    if (*s.p != '{' && *s.p != '[')
        return EG_FORMAT_AUTO; /* a value, then something else */
    if (j_value(&s, 0) == J_INVALID)
        return EG_FORMAT_AUTO;
    /* Several values: one per line is JSON Lines; otherwise a stream of
     * concatenated (or pretty-printed) values, which the JSON reader
     * takes as successive top-level values. */
    return one_line && !more_on_line ? EG_FORMAT_JSONL : EG_FORMAT_JSON;
}

/* ---- CSV / TSV ---- */

/* A header field: non-empty, short, no 5-digit run, no '@', no leading
 * space (prose has a space after its commas; headers rarely do). */
static int header_field_ok(const unsigned char *f, size_t len)
{
    if (len >= 2 && f[0] == '"' && f[len - 1] == '"') {
        f++;
        len -= 2;
    }
    if (len == 0 || len > EG_SNIFF_HEADER_MAX || f[0] == ' ')
        return 0;
    int digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (f[i] == '@')
            return 0;
        digits = f[i] >= '0' && f[i] <= '9' ? digits + 1 : 0;
        if (digits >= 5)
            return 0;
    }
    return 1;
}

typedef struct record_scan {
    size_t delims; /* delimiters outside quotes */
    int complete;  /* ended by a newline outside quotes */
    int header_ok; /* every field header-like */
    int blank;     /* nothing but an optional CR */
} record_scan;

/* Scan one record from *pos; quotes count only at the start of a field
 * (RFC 4180), and "" inside quotes is an escaped quote. */
static record_scan scan_record(const unsigned char *h, size_t n, size_t *pos,
                               unsigned char d)
{
    record_scan r = {0, 0, 1, 0};
    size_t i = *pos, field = i;
    int quoted = 0, field_start = 1;
    for (; i < n; i++) {
        unsigned char c = h[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < n && h[i + 1] == '"')
                    i++;
                else
                    quoted = 0;
            }
            continue;
        }
        if (field_start && c == '"') {
            quoted = 1;
            field_start = 0;
        } else if (c == d || c == '\n') {
            size_t end = i;
            if (c == '\n' && end > field && h[end - 1] == '\r')
                end--;
            if (c == '\n' && r.delims == 0 && end == *pos)
                r.blank = 1;
            r.header_ok &= header_field_ok(h + field, end - field);
            if (c == '\n') {
                r.complete = 1;
                i++;
                break;
            }
            r.delims++;
            field = i + 1;
            field_start = 1;
        } else {
            field_start = 0;
        }
    }
    *pos = i;
    return r;
}

/* 1 if the head reads as records delimited by `d`: at least two records,
 * all with the same count (>= min_delims) of `d`, a header-like first. */
static int sniff_delimited(const unsigned char *h, size_t n, unsigned char d,
                           size_t min_delims)
{
    size_t pos = 0, records = 0, want = 0;
    while (pos < n && records < EG_SNIFF_MAX_RECORDS) {
        record_scan r = scan_record(h, n, &pos, d);
        if (r.blank && records > 0)
            continue; /* blank lines between records or at the end */
        if (!r.complete) {
            /* The head may cut the last record; count it only if it
             * already agrees. */
            if (records > 0 && r.delims == want)
                records++;
            break;
        }
        if (records == 0) {
            if (!r.header_ok || r.delims < min_delims)
                return 0;
            want = r.delims;
        } else if (r.delims != want) {
            return 0;
        }
        records++;
    }
    return records >= 2;
}

eg_format eg__sniff_format(const char *path, const unsigned char *head,
                           size_t n)
{
    eg_format by_name = sniff_name(path);
    if (by_name != EG_FORMAT_AUTO)
        return by_name;
    if (!head)
        return EG_FORMAT_TEXT;
    if (n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf) {
        head += 3;
        n -= 3;
    }
    const unsigned char *p = head, *end = head + n;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (p < end && (*p == '{' || *p == '[')) {
        eg_format f = sniff_json(p, end);
        if (f != EG_FORMAT_AUTO)
            return f;
    }
    if (sniff_delimited(head, n, '\t', 1))
        return EG_FORMAT_TSV;
    if (sniff_delimited(head, n, ',', 2))
        return EG_FORMAT_CSV;
    return EG_FORMAT_TEXT;
}
