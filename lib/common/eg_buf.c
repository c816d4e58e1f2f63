/*
 * eg_buf.c: a growable byte buffer for building output lines.  Sinks build a
 * whole JSON line in one eg_buf and write it with one call, so that a line
 * is never interleaved or half-written by the library.
 */
#include "common/eg_common.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int eg__buf_reserve(eg_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return EG_OK;
    size_t want = b->len + extra + 1;
    if (want < b->len)
        return EG_ENOMEM;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < want) {
        if (cap > SIZE_MAX / 2)
            return EG_ENOMEM;
        cap *= 2;
    }
    char *p = eg__realloc(b->data, cap);
    if (!p)
        return EG_ENOMEM;
    b->data = p;
    b->cap = cap;
    return EG_OK;
}

int eg__buf_append(eg_buf *b, const void *data, size_t n)
{
    if (eg__buf_reserve(b, n) != EG_OK)
        return EG_ENOMEM;
    if (n) /* data may be NULL when empty (a dropped value's output) */
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return EG_OK;
}

int eg__buf_puts(eg_buf *b, const char *s)
{
    return eg__buf_append(b, s, strlen(s));
}

int eg__buf_printf(eg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return EG_EINVAL;
    if (eg__buf_reserve(b, (size_t)n) != EG_OK)
        return EG_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return EG_OK;
}

int eg__buf_json_escape(eg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (eg__buf_reserve(b, n + 8) != EG_OK)
        return EG_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        size_t k = 0;
        if (c == '"' || c == '\\') {
            esc[k++] = '\\';
            esc[k++] = (char)c;
        } else if (c < 0x20) {
            esc[k++] = '\\';
            esc[k++] = 'u';
            esc[k++] = '0';
            esc[k++] = '0';
            esc[k++] = hex[c >> 4];
            esc[k++] = hex[c & 15];
        } else {
            esc[k++] = (char)c;
        }
        if (eg__buf_append(b, esc, k) != EG_OK)
            return EG_ENOMEM;
    }
    return EG_OK;
}

void eg__buf_free(eg_buf *b)
{
    eg__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int eg__today_ymd(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

bool eg__date_real(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    return d <= max;
}

size_t eg__utf8_put(unsigned char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t eg__utf8_get(const unsigned char *in, size_t n, uint32_t *cp)
{
    unsigned char c = in[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n)
            return EG_UTF8_CUT;
        if ((in[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (in[i] & 0x3F);
        /* the second byte already tells overlong and surrogate forms */
        if (i == 1 &&
            ((c == 0xE0 && in[1] < 0xA0) || (c == 0xED && in[1] > 0x9F) ||
             (c == 0xF0 && in[1] < 0x90) || (c == 0xF4 && in[1] > 0x8F)))
            return 0;
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}
