/*
 * charset.c: GB18030 decoding with an offset map, and the sniff that tells
 * GB18030 text from UTF-8 (see charset.h).
 *
 * The code points come from the C library's own GB18030 converter
 * (iconv, glibc's gconv module): two tables are filled from it once per
 * process, the first time a GB18030 input is met (2-byte codes: 23,940
 * entries; 4-byte codes of the Basic Multilingual Plane: 39,420), and the
 * 4-byte codes of the supplementary planes are linear.  Decoding is then a
 * table lookup per character, with no iconv state per input and no
 * allocation but the map.  Without the converter the tables stay empty:
 * every sequence then counts as invalid, the sniff never says GB18030, and
 * input is read as it always was.
 */
#include "read/charset.h"

#include <iconv.h>
#include <pthread.h>
#include <string.h>

#define TWO_LEADS 126          /* 0x81..0xFE */
#define TWO_TRAILS 191         /* 0x40..0xFE (0x7F is never a trail) */
#define FOUR_BMP 39420         /* 0x81308130..0x8431A439 */
#define FOUR_SUPP_BASE 189000u /* linear index of 0x90308130 = U+10000 */

/* Static (zero pages until the first GB18030 input fills them), so that
 * building them cannot fail for want of memory halfway through a run. */
static uint32_t two_byte[TWO_LEADS * TWO_TRAILS]; /* 0 = unassigned */
static uint16_t four_bmp[FOUR_BMP];               /* 0 = unassigned */
/* the way back, for the BMP: 0 none, 0x2000000 | b1 << 8 | b2 for two
 * bytes, 0x4000000 | linear index for four */
static uint32_t bmp_back[0x10000];
/* 2-byte codes outside the BMP (glibc maps FE51, FE52... to U+2xxxx
 * ideographs): their way back, searched before the linear 4-byte form */
static struct {
    uint32_t cp;
    uint16_t code;
} supp_back[32];
static size_t nsupp_back;
static int tables_ok;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The code point of one GB18030 sequence, by the C library; 0 if none. */
static uint32_t convert_one(iconv_t cd, const unsigned char *seq, size_t n)
{
    char in[4], out[8];
    memcpy(in, seq, n);
    char *ip = in, *op = out;
    size_t il = n, ol = sizeof out;
    iconv(cd, NULL, NULL, NULL, NULL);
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0 ||
        ol != sizeof out - 4)
        return 0;
    uint32_t cp = (uint32_t)(unsigned char)out[0] |
                  (uint32_t)(unsigned char)out[1] << 8 |
                  (uint32_t)(unsigned char)out[2] << 16 |
                  (uint32_t)(unsigned char)out[3] << 24;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    return cp <= 0x10FFFF ? cp : 0;
}

static void build_tables(void)
{
    iconv_t cd = iconv_open("UTF-32LE", "GB18030");
    if (cd == (iconv_t)-1)
        return;
    for (unsigned l = 0; l < TWO_LEADS; l++)
        for (unsigned t = 0; t < TWO_TRAILS; t++) {
            if (t + 0x40 == 0x7F)
                continue;
            unsigned char s[2] = {(unsigned char)(l + 0x81),
                                  (unsigned char)(t + 0x40)};
            two_byte[l * TWO_TRAILS + t] = convert_one(cd, s, 2);
        }
    for (unsigned i = 0; i < FOUR_BMP; i++) {
        unsigned char s[4] = {(unsigned char)(0x81 + i / 12600),
                              (unsigned char)(0x30 + i / 1260 % 10),
                              (unsigned char)(0x81 + i / 10 % 126),
                              (unsigned char)(0x30 + i % 10)};
        uint32_t cp = convert_one(cd, s, 4);
        four_bmp[i] = cp <= 0xFFFF ? (uint16_t)cp : 0;
        if (four_bmp[i])
            bmp_back[four_bmp[i]] = 0x4000000u | i;
    }
    /* two bytes win where a character has both (they are its code) */
    for (unsigned k = 0; k < TWO_LEADS * TWO_TRAILS; k++) {
        uint32_t cp = two_byte[k];
        uint16_t code =
            (uint16_t)((k / TWO_TRAILS + 0x81) << 8 | (k % TWO_TRAILS + 0x40));
        if (cp && cp <= 0xFFFF) {
            bmp_back[cp] = 0x2000000u | code;
        } else if (cp && nsupp_back < sizeof supp_back / sizeof supp_back[0]) {
            supp_back[nsupp_back].cp = cp;
            supp_back[nsupp_back++].code = code;
        } else if (cp) {
            two_byte[k] = 0; /* no way back: its bytes go through */
        }
    }
    iconv_close(cd);
    tables_ok = 1;
}

static int tables_ready(void)
{
    pthread_once(&tables_once, build_tables);
    return tables_ok;
}

int eg__charset_of_encoding(int encoding)
{
    return encoding == EG_ENCODING_UTF8      ? EG_CHARSET_RAW
           : encoding == EG_ENCODING_GB18030 ? EG_CHARSET_GB18030
                                             : EG_CHARSET_AUTO;
}

/* ------------------------------------------------------- one character */

/* The packed code of a supplementary character (0x8000000: linear). */
static uint32_t supp_code(uint32_t cp)
{
    for (size_t i = 0; i < nsupp_back; i++)
        if (supp_back[i].cp == cp)
            return 0x2000000u | supp_back[i].code;
    return 0x8000000u;
}

/* Length of the GB18030 sequence at p (n bytes available) and its code
 * point: returns 1..4 with *cp set (0: not a valid sequence, pass one byte
 * through), or 0 when more bytes could complete it and !final. */
static size_t gb_char(const unsigned char *p, size_t n, int final, uint32_t *cp)
{
    unsigned b = p[0];
    *cp = 0;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b == 0x80 || b == 0xFF)
        return 1;
    if (n < 2)
        return final ? 1 : 0;
    unsigned b2 = p[1];
    if (b2 >= 0x40 && b2 <= 0xFE && b2 != 0x7F) {
        *cp = two_byte[(b - 0x81) * TWO_TRAILS + (b2 - 0x40)];
        return *cp ? 2 : 1;
    }
    if (b2 < 0x30 || b2 > 0x39)
        return 1;
    if (n >= 3 && (p[2] < 0x81 || p[2] > 0xFE))
        return 1;
    if (n < 4)
        return final ? 1 : 0;
    if (p[3] < 0x30 || p[3] > 0x39)
        return 1;
    uint32_t lin =
        (((b - 0x81) * 10u + (b2 - 0x30)) * 126u + (p[2] - 0x81u)) * 10u +
        (p[3] - 0x30u);
    /* a character with a 2-byte code is not decoded from a 4-byte one:
     * written back it would come out as its 2 bytes */
    if (lin < FOUR_BMP)
        *cp = bmp_back[four_bmp[lin]] & 0x2000000u ? 0 : four_bmp[lin];
    else if (lin >= FOUR_SUPP_BASE && lin - FOUR_SUPP_BASE <= 0xFFFFF)
        *cp = 0x10000 + (lin - FOUR_SUPP_BASE);
    if (*cp > 0xFFFF && supp_code(*cp) != 0x8000000u)
        *cp = 0;
    return *cp ? 4 : 1;
}

/* ------------------------------------------------------------------ sniff */

static int is_cjk(uint32_t cp)
{
    return (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x3400 && cp <= 0x9FFF) ||
           (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x2010 && cp <= 0x203B) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF) ||
           cp == 0xB7 || cp == 0xD7 || cp == 0x2605 || cp == 0x2606;
}

int eg__charset_is_gb18030(const unsigned char *head, size_t n, int at_end)
{
    if (!tables_ready())
        return 0;
    size_t good8 = 0, bad8 = 0;
    for (size_t i = 0; i < n;) {
        if (head[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = eg__utf8_get(head + i, n - i, &cp);
        if (l == EG_UTF8_CUT) {
            bad8 += at_end;
            break;
        }
        if (l)
            good8++;
        else
            bad8++;
        i += l ? l : 1;
    }
    /* valid UTF-8, or UTF-8 with a little damage */
    if (bad8 == 0 || bad8 * 4 < good8)
        return 0;
    size_t mb = 0, bad = 0, cjk = 0, two = 0, two_high = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = gb_char(head + i, n - i, at_end, &cp);
        if (l == 0)
            break;
        if (head[i] >= 0x80) {
            if (cp == 0) {
                bad++;
            } else {
                mb++;
                cjk += is_cjk(cp);
                if (l == 2) {
                    two++;
                    two_high += head[i + 1] >= 0xA1;
                }
            }
        }
        i += l;
    }
    /* Latin-1 ("é" before a letter is a valid GBK pair) has its pairs'
     * second bytes in ASCII; GB2312 text has them at 0xA1 and above. */
    return mb > 0 && bad * 10 <= mb && cjk * 10 >= mb * 6 &&
           two_high * 2 >= two;
}

/* ------------------------------------------------------------- the map */

uint64_t eg__offmap_raw(const eg_offmap *m, uint64_t dec)
{
    if (!m || m->n == 0 || dec < m->v[0].dec)
        return dec;
    size_t lo = 0, hi = m->n; /* last segment with .dec <= dec */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid].dec <= dec)
            lo = mid;
        else
            hi = mid;
    }
    const eg_offseg *s = &m->v[lo];
    uint64_t d = dec - s->dec;
    uint64_t k = d / s->dw, r = d % s->dw;
    if (k > s->n) /* past the map's end: the input went on as it is */
        return s->raw + (uint64_t)s->n * s->rw + (d - (uint64_t)s->n * s->dw);
    return s->raw + k * s->rw + (r < s->rw ? r : s->rw);
}

static int map_push(eg_offmap *m, eg_offseg s)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        eg_offseg *v = eg__realloc(m->v, cap * sizeof *v);
        if (!v)
            return EG_ENOMEM;
        m->v = v;
        m->cap = cap;
    }
    m->v[m->n++] = s;
    return EG_OK;
}

static uint64_t seg_end(const eg_offseg *s)
{
    return s->dec + (uint64_t)s->n * s->dw;
}

int eg__offmap_copy(eg_offmap *dst, const eg_offmap *src, uint64_t from,
                    uint64_t to)
{
    dst->n = 0;
    for (size_t i = 0; src && i < src->n; i++) {
        const eg_offseg *s = &src->v[i];
        if (s->dec > to)
            break;
        if (seg_end(s) < from)
            continue;
        if (map_push(dst, *s) != EG_OK)
            return EG_ENOMEM;
    }
    return EG_OK;
}

void eg__offmap_trim(eg_offmap *m, uint64_t dec)
{
    size_t k = 0;
    /* keep the last segment always: it is where decoding goes on */
    while (k + 1 < m->n && seg_end(&m->v[k]) <= dec)
        k++;
    if (k) {
        memmove(m->v, m->v + k, (m->n - k) * sizeof *m->v);
        m->n -= k;
    }
}

void eg__offmap_free(eg_offmap *m)
{
    eg__free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}

/* ------------------------------------------------------------- decoder */

struct eg_gbdec {
    eg_offmap *map;
    uint64_t dec, raw; /* offsets of the next character */
    uint64_t stray_leads;
};

int eg__gbdec_new(eg_gbdec **out, eg_offmap *map, uint64_t dec_at,
                  uint64_t raw_at)
{
    *out = NULL;
    tables_ready();
    eg_gbdec *d = eg__calloc(1, sizeof *d);
    if (!d)
        return EG_ENOMEM;
    d->map = map;
    d->dec = dec_at;
    d->raw = raw_at;
    *out = d;
    return EG_OK;
}

/* Account for `count` characters of widths dw/rw. */
static int advance(eg_gbdec *d, size_t count, unsigned dw, unsigned rw)
{
    eg_offmap *m = d->map;
    if (m) {
        eg_offseg *last = m->n ? &m->v[m->n - 1] : NULL;
        if (last && last->dw == dw && last->rw == rw &&
            seg_end(last) == d->dec && last->n <= UINT32_MAX - count) {
            last->n += (uint32_t)count;
        } else {
            eg_offseg s = {d->dec, d->raw, (uint32_t)count, (uint8_t)dw,
                           (uint8_t)rw};
            if (map_push(m, s) != EG_OK)
                return EG_ENOMEM;
        }
    }
    d->dec += (uint64_t)count * dw;
    d->raw += (uint64_t)count * rw;
    return EG_OK;
}

size_t eg__gbdec_run(eg_gbdec *d, const unsigned char *in, size_t n, int final,
                     unsigned char *out, size_t cap, size_t *made, int *oom)
{
    size_t i = 0, o = 0;
    *oom = 0;
    while (i < n && cap - o >= 4) {
        if (in[i] < 0x80) { /* a run of ASCII, copied as it is */
            size_t room = cap - o, k = i;
            size_t stop = n - i < room ? n : i + room;
            while (k < stop && in[k] < 0x80)
                k++;
            memcpy(out + o, in + i, k - i);
            o += k - i;
            if (advance(d, k - i, 1, 1) != EG_OK) {
                *oom = 1;
                break;
            }
            i = k;
            continue;
        }
        uint32_t cp;
        size_t l = tables_ok ? gb_char(in + i, n - i, final, &cp) : 1;
        if (l == 0)
            break; /* a sequence the next bytes may complete */
        if (!tables_ok)
            cp = 0;
        size_t w;
        if (cp) {
            w = eg__utf8_put(out + o, cp);
        } else { /* not GB18030: the byte goes through unchanged */
            out[o] = in[i];
            d->stray_leads += in[i] >= 0x81 && in[i] <= 0xFE;
            w = l = 1;
        }
        if (advance(d, 1, (unsigned)w, (unsigned)l) != EG_OK) {
            *oom = 1;
            break;
        }
        o += w;
        i += l;
    }
    *made = o;
    return i;
}

uint64_t eg__gbdec_stray_leads(const eg_gbdec *d)
{
    return d ? d->stray_leads : 0;
}

void eg__gbdec_free(eg_gbdec *d)
{
    eg__free(d);
}

/* ------------------------------------------------------------- encoder */

static size_t put_linear(unsigned char *o, uint32_t lin)
{
    o[3] = (unsigned char)(0x30 + lin % 10);
    lin /= 10;
    o[2] = (unsigned char)(0x81 + lin % 126);
    lin /= 126;
    o[1] = (unsigned char)(0x30 + lin % 10);
    o[0] = (unsigned char)(0x81 + lin / 10);
    return 4;
}

size_t eg__gb_encode(const unsigned char *in, size_t n, int final,
                     unsigned char *out, size_t cap, size_t *made)
{
    size_t i = 0, o = 0;
    int ready = tables_ready();
    while (i < n && cap - o >= 4) {
        if (in[i] < 0x80) {
            size_t k = i, stop = n - i < cap - o ? n : i + (cap - o);
            while (k < stop && in[k] < 0x80)
                k++;
            memcpy(out + o, in + i, k - i);
            o += k - i;
            i = k;
            continue;
        }
        uint32_t g = 0, cp = 0;
        size_t l = eg__utf8_get(in + i, n - i, &cp);
        if (l == EG_UTF8_CUT && !final)
            break; /* the next bytes may complete it */
        if (l != EG_UTF8_CUT && l && ready)
            g = cp <= 0xFFFF ? bmp_back[cp] : supp_code(cp);
        if (g & 0x2000000u) {
            out[o++] = (unsigned char)(g >> 8 & 0xFF);
            out[o++] = (unsigned char)(g & 0xFF);
        } else if (g & 0x4000000u) {
            o += put_linear(out + o, g & 0xFFFFFF);
        } else if (g) {
            o += put_linear(out + o, FOUR_SUPP_BASE + (cp - 0x10000));
        } else { /* not UTF-8 (a byte the decoder let through): as it is */
            out[o++] = in[i];
            l = 1;
        }
        i += l;
    }
    *made = o;
    return i;
}
