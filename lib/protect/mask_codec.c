/*
 * mask_codec.c: reading a value out of its written form and writing a
 * replacement back in the same form, for the span encodings of
 * mask_int.h: raw bytes, the inside of a JSON string, the inside of a
 * quoted CSV field, and a bare JSON value turned into a string.
 *
 * Why it matters: operators work on the value's characters, so a value in
 * a JSON string must be unescaped first (`\u5f20` is one Han character, and
 * FF1 must not turn the `n` of `\n` into another letter), and the
 * replacement escaped again, or the output would not parse.  For `encrypt`
 * the round trip must also be exact: FF1 keeps every character's class,
 * width and byte length, so the encoder writes each character of the
 * result with the escape style its input character had (`\u` with the
 * same hex case, `\n`, a doubled CSV quote...), and unmask, which decodes
 * the masked span the same way, gets back the original bytes.
 *
 * Workload: one call per replaced span; spans without a backslash or quote
 * take a copy-only path.
 */
#include "protect/mask_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const enc_names[EG_ENC_COUNT] = {"raw", "json", "csvq",
                                                    "wrap"};

const char *eg__span_enc_name(int enc)
{
    return enc >= 0 && enc < EG_ENC_COUNT ? enc_names[enc] : "raw";
}

int eg__span_enc_from_name(const char *name)
{
    for (int i = 0; i < EG_ENC_COUNT; i++)
        if (!strcmp(name, enc_names[i]))
            return i;
    return -1;
}

int eg__mspans_push(eg_mspans *a, const eg_mspan *s)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        eg_mspan *v = eg__realloc(a->v, cap * sizeof *v);
        if (!v)
            return EG_ENOMEM;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = *s;
    return EG_OK;
}

void eg__mspans_free(eg_mspans *a)
{
    eg__free(a->v);
    memset(a, 0, sizeof *a);
}

void eg__codec_free(eg_codec *c)
{
    eg__buf_free(&c->raw);
    eg__free(c->esc);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------- decoding */

static int add_esc(eg_codec *c, size_t off, size_t len, int style)
{
    if (c->nesc == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        eg_esc *e = eg__realloc(c->esc, cap * sizeof *e);
        if (!e)
            return EG_ENOMEM;
        c->esc = e;
        c->cap = cap;
    }
    c->esc[c->nesc++] = (eg_esc){(uint32_t)off, (uint8_t)len, (uint8_t)style};
    return EG_OK;
}

/* Decode one UTF-8 character (surrogates allowed); 0 if invalid. */
static size_t get_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

static int hex4(const char *s, uint32_t *v, int *upper)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        x <<= 4;
        if (c >= '0' && c <= '9')
            x |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            x |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') {
            x |= (uint32_t)(c - 'A' + 10);
            *upper = 1;
        } else
            return -1;
    }
    *v = x;
    return 0;
}

static int short_escape_value(char e)
{
    switch (e) {
    case '"':
    case '\\':
    case '/':
        return e;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return -1;
    }
}

/* One JSON escape at in[i] == '\\': decoded into c->raw, style noted.
 * Returns the escape's length, or 0 if malformed. */
static size_t json_escape_at(eg_codec *c, const char *in, size_t n, size_t i,
                             int *rc)
{
    if (i + 1 >= n)
        return 0;
    int v = short_escape_value(in[i + 1]);
    unsigned char u8[4];
    size_t off = c->raw.len;
    if (v >= 0) {
        u8[0] = (unsigned char)v;
        if ((*rc = eg__buf_append(&c->raw, u8, 1)) != EG_OK ||
            (*rc = add_esc(c, off, 1, in[i + 1])) != EG_OK)
            return 0;
        return 2;
    }
    if (in[i + 1] != 'u' || i + 6 > n)
        return 0;
    uint32_t cp;
    int upper = 0;
    if (hex4(in + i + 2, &cp, &upper) != 0)
        return 0;
    size_t len = 6;
    int style = upper ? 'U' : 'u';
    uint32_t lo;
    int upper2 = 0;
    if (cp >= 0xD800 && cp < 0xDC00 && i + 12 <= n && in[i + 6] == '\\' &&
        in[i + 7] == 'u' && hex4(in + i + 8, &lo, &upper2) == 0 &&
        lo >= 0xDC00 && lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        len = 12;
        style = upper || upper2 ? 'P' : 'p';
    }
    size_t k = eg__utf8_put(u8, cp);
    if ((*rc = eg__buf_append(&c->raw, u8, k)) != EG_OK ||
        (*rc = add_esc(c, off, k, style)) != EG_OK)
        return 0;
    return len;
}

static int decode_json(eg_codec *c, const char *in, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *bs = memchr(in + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (in + i)) : n - i;
        if (run && eg__buf_append(&c->raw, in + i, run) != EG_OK)
            return EG_ENOMEM;
        i += run;
        if (i == n)
            break;
        int rc = EG_OK;
        size_t k = json_escape_at(c, in, n, i, &rc);
        if (rc != EG_OK)
            return rc;
        if (k == 0)
            return EG_EFORMAT;
        i += k;
    }
    return EG_OK;
}

static int decode_csvq(eg_codec *c, const char *in, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *q = memchr(in + i, '"', n - i);
        size_t run = q ? (size_t)(q - (in + i)) : n - i;
        if (run && eg__buf_append(&c->raw, in + i, run) != EG_OK)
            return EG_ENOMEM;
        i += run;
        if (i == n)
            break;
        if (i + 1 >= n || in[i + 1] != '"')
            return EG_EFORMAT; /* a lone quote ends a quoted field */
        size_t off = c->raw.len;
        if (eg__buf_append(&c->raw, "\"", 1) != EG_OK ||
            add_esc(c, off, 1, 'q') != EG_OK)
            return EG_ENOMEM;
        i += 2;
    }
    return EG_OK;
}

int eg__codec_decode(eg_codec *c, int enc, const char *in, size_t n)
{
    c->raw.len = 0;
    c->nesc = 0;
    if (eg__buf_reserve(&c->raw, n + 1) != EG_OK)
        return EG_ENOMEM;
    c->raw.data[0] = '\0';
    int rc;
    switch (enc) {
    case EG_ENC_JSON:
        rc = decode_json(c, in, n);
        break;
    case EG_ENC_WRAP:
        if (n < 2 || in[0] != '"' || in[n - 1] != '"')
            return EG_EFORMAT;
        rc = decode_json(c, in + 1, n - 2);
        break;
    case EG_ENC_CSVQ:
        rc = decode_csvq(c, in, n);
        break;
    default:
        rc = eg__buf_append(&c->raw, in, n);
        break;
    }
    if (rc == EG_OK && eg__buf_reserve(&c->raw, 1) == EG_OK)
        c->raw.data[c->raw.len] = '\0';
    return rc;
}

/* ------------------------------------------------------------- encoding */

static int put_u_escape(eg_buf *out, uint32_t cp, int upper)
{
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char e[12];
    size_t k = 0;
    uint32_t units[2];
    int nu = 0;
    if (cp >= 0x10000) {
        cp -= 0x10000;
        units[nu++] = 0xD800 + (cp >> 10);
        units[nu++] = 0xDC00 + (cp & 0x3FF);
    } else {
        units[nu++] = cp;
    }
    for (int i = 0; i < nu; i++) {
        e[k++] = '\\';
        e[k++] = 'u';
        for (int s = 12; s >= 0; s -= 4)
            e[k++] = hex[(units[i] >> s) & 15];
    }
    return eg__buf_append(out, e, k);
}

/* The minimal JSON escape of one byte, or the byte. */
static int put_json_byte(eg_buf *out, unsigned char ch, int keep_controls)
{
    char e[2] = {'\\', 0};
    switch (ch) {
    case '"':
    case '\\':
        e[1] = (char)ch;
        return eg__buf_append(out, e, 2);
    case '\n':
        e[1] = 'n';
        break;
    case '\r':
        e[1] = 'r';
        break;
    case '\t':
        e[1] = 't';
        break;
    case '\b':
        e[1] = 'b';
        break;
    case '\f':
        e[1] = 'f';
        break;
    default:
        if (ch < 0x20 && !keep_controls)
            return put_u_escape(out, ch, 0);
        return eg__buf_append(out, &ch, 1);
    }
    if (keep_controls)
        return eg__buf_append(out, &ch, 1);
    return eg__buf_append(out, e, 2);
}

/* Write the character raw[i..i+len) as escape `style` said, if it still
 * can be written that way; 1 if written, 0 to fall back, <0 on error. */
static int put_styled(eg_buf *out, const unsigned char *p, size_t len,
                      int style)
{
    uint32_t cp = 0;
    if (get_utf8(p, len, &cp) != len)
        return 0;
    switch (style) {
    case 'u':
    case 'U':
    case 'p':
    case 'P':
        return put_u_escape(out, cp, style == 'U' || style == 'P') == EG_OK
                   ? 1
                   : -1;
    case 'q':
        return 0; /* CSV: the plain rule already doubles the quote */
    default: {
        char e[2] = {'\\', (char)style};
        if (len != 1 || short_escape_value((char)style) != p[0])
            return 0;
        return eg__buf_append(out, e, 2) == EG_OK ? 1 : -1;
    }
    }
}

static int encode_json(const eg_codec *styles, const char *raw, size_t n,
                       eg_buf *out)
{
    const unsigned char *p = (const unsigned char *)raw;
    int aligned = styles && styles->raw.len == n;
    size_t k = 0; /* next escape of `styles` */
    if (eg__buf_reserve(out, n + 16) != EG_OK)
        return EG_ENOMEM;
    for (size_t i = 0; i < n;) {
        while (aligned && k < styles->nesc && styles->esc[k].off < i)
            k++;
        if (aligned && k < styles->nesc && styles->esc[k].off == i &&
            i + styles->esc[k].len <= n) {
            int r = put_styled(out, p + i, styles->esc[k].len,
                               styles->esc[k].style);
            if (r < 0)
                return EG_ENOMEM;
            if (r > 0) {
                i += styles->esc[k++].len;
                continue;
            }
        }
        /* a run of bytes that need no escape, up to the next styled one */
        size_t stop = n;
        if (aligned && k < styles->nesc && styles->esc[k].off < n)
            stop = styles->esc[k].off;
        size_t j = i;
        while (j < stop && p[j] >= 0x20 && p[j] != '"' && p[j] != '\\')
            j++;
        if (j > i) {
            if (eg__buf_append(out, p + i, j - i) != EG_OK)
                return EG_ENOMEM;
            i = j;
            continue;
        }
        /* aligned output keeps a raw control byte the input had raw */
        if (put_json_byte(out, p[i], aligned) != EG_OK)
            return EG_ENOMEM;
        i++;
    }
    return EG_OK;
}

static int encode_csvq(const char *raw, size_t n, eg_buf *out)
{
    size_t i = 0;
    while (i < n) {
        const char *q = memchr(raw + i, '"', n - i);
        size_t run = q ? (size_t)(q - (raw + i)) + 1 : n - i;
        if (eg__buf_append(out, raw + i, run) != EG_OK)
            return EG_ENOMEM;
        i += run;
        if (q && eg__buf_append(out, "\"", 1) != EG_OK)
            return EG_ENOMEM;
    }
    return EG_OK;
}

int eg__codec_encode(const eg_codec *styles, int enc, const char *raw, size_t n,
                     eg_buf *out)
{
    int rc;
    switch (enc) {
    case EG_ENC_JSON:
        return encode_json(styles, raw, n, out);
    case EG_ENC_WRAP:
        if ((rc = eg__buf_append(out, "\"", 1)) == EG_OK &&
            (rc = encode_json(styles, raw, n, out)) == EG_OK)
            rc = eg__buf_append(out, "\"", 1);
        return rc;
    case EG_ENC_CSVQ:
        return encode_csvq(raw, n, out);
    default:
        return eg__buf_append(out, raw, n);
    }
}

/* ---------------------------------------------------------- JSON numbers */

static size_t digits(const char *s, size_t i, size_t n)
{
    size_t j = i;
    while (j < n && s[j] >= '0' && s[j] <= '9')
        j++;
    return j - i;
}

int eg__json_is_number(const char *s, size_t n)
{
    size_t i = 0, d;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if ((d = digits(s, i, n)) > 0)
        i += d;
    else
        return 0;
    if (i < n && s[i] == '.') {
        if ((d = digits(s, i + 1, n)) == 0)
            return 0;
        i += 1 + d;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if ((d = digits(s, i, n)) == 0)
            return 0;
        i += d;
    }
    return i == n;
}

/* --------------------------------------------------------- eg_sbuf */

void eg__sb_append(eg_sbuf *s, const void *p, size_t n)
{
    if (!s->oom && eg__buf_append(&s->b, p, n) != EG_OK)
        s->oom = 1;
}

void eg__sb_puts(eg_sbuf *s, const char *str)
{
    eg__sb_append(s, str, strlen(str));
}

void eg__sb_printf(eg_sbuf *s, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        s->oom = 1; /* callers format short, fixed-size fields only */
        return;
    }
    eg__sb_append(s, tmp, (size_t)n);
}

void eg__sb_json(eg_sbuf *s, const char *str, size_t n)
{
    if (!s->oom && eg__buf_json_escape(&s->b, str, n) != EG_OK)
        s->oom = 1;
}
