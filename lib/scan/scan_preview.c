/*
 * scan_preview.c: masked previews for findings.
 *
 * A preview lets a person recognise a finding (the province of an ID, the
 * carrier segment of a phone) without holding the value: every rule keeps
 * strictly less than the whole value, and short values are starred out
 * entirely.  Previews cut only at UTF-8 character boundaries.
 */
#include "scan/scan_int.h"

#include <string.h>

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Number of characters, and the byte offset of character i. */
static size_t char_count(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i += utf8_len((unsigned char)s[i]))
        k++;
    return k;
}

static size_t char_offset(const char *s, size_t n, size_t idx)
{
    size_t i = 0;
    while (idx-- > 0 && i < n)
        i += utf8_len((unsigned char)s[i]);
    return i < n ? i : n;
}

/* Keep `first` characters and `last` characters, a star for each other. */
static void keep_ends(const char *s, size_t n, size_t first, size_t last,
                      char *out, size_t cap)
{
    size_t chars = char_count(s, n), o = 0;
    if (first + last >= chars) {
        /* never the whole value */
        first = chars > 2 ? 1 : 0;
        last = 0;
    }
    size_t a = char_offset(s, n, first);
    size_t b = char_offset(s, n, chars - last);
    if (a + 1 >= cap)
        a = 0;
    memcpy(out, s, a);
    o = a;
    for (size_t i = first; i < chars - last && o + 1 < cap; i++)
        out[o++] = '*';
    if (o + (n - b) < cap) {
        memcpy(out + o, s + b, n - b);
        o += n - b;
    }
    out[o] = '\0';
}

static void mask_email(const char *s, size_t n, char *out, size_t cap)
{
    const char *at = memchr(s, '@', n);
    if (!at || cap < 8) {
        keep_ends(s, n, 1, 0, out, cap);
        return;
    }
    size_t dl = n - (size_t)(at - s);
    if (dl + 5 > cap)
        dl = cap - 5;
    out[0] = s[0];
    memcpy(out + 1, "***", 3);
    memcpy(out + 4, at, dl);
    out[4 + dl] = '\0';
}

void eg__mask_preview(int type, const char *s, size_t n, char *out, size_t cap)
{
    switch (type) {
    case EG_T_cn_resident_id:
    case EG_T_cn_uscc:
        keep_ends(s, n, 4, 4, out, cap);
        break;
    case EG_T_cn_mobile:
        keep_ends(s, n, 3, 4, out, cap);
        break;
    case EG_T_bank_card:
        keep_ends(s, n, 6, 4, out, cap);
        break;
    case EG_T_email:
        mask_email(s, n, out, cap);
        break;
    case EG_T_person_name:
        keep_ends(s, n, 1, 0, out, cap);
        break;
    case EG_T_cn_address:
        keep_ends(s, n, 6, 0, out, cap);
        break;
    case EG_T_ipv4:
    case EG_T_ipv6:
    case EG_T_mac_address:
    case EG_T_geo_coordinate:
    case EG_T_credential:
        keep_ends(s, n, 4, 0, out, cap);
        break;
    case EG_T_date_of_birth:
        keep_ends(s, n, 2, 0, out, cap);
        break;
    default:
        keep_ends(s, n, 2, 2, out, cap);
        break;
    }
}
