/*
 * test_charset.c: GB18030/GBK input.  The decoder against the C library's
 * converter for every 2-byte code and every BMP character; the offset map
 * at every character boundary; bytes that are not GB18030 passing through
 * and coming back unchanged; the sniff on GBK, UTF-8, damaged UTF-8 and
 * Latin-1; and the source layer deciding late (a long ASCII head), reading
 * in pieces of any size, compressed, and leaving UTF-8 alone.
 */
#include "read/charset.h"
#include "read/source.h"
#include "eg_test.h"

#include <iconv.h>
#include <stdlib.h>
#include <zlib.h>

/* iconv of a whole buffer; returns the output length, or -1. */
static long conv(const char *to, const char *from, const void *in, size_t n,
                 unsigned char *out, size_t cap)
{
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        return -1;
    char *ip = (char *)in, *op = (char *)out;
    size_t il = n, ol = cap;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    return r == (size_t)-1 || il ? -1 : (long)(cap - ol);
}

static const char HAN_UTF8[] = "张伟，北京市朝阳区建国路88号，手机13812345678。"
                               "欧阳娜娜 广东省深圳市南山区 身份证号码";

/* The text in GB18030. */
static size_t to_gb(const char *utf8, unsigned char *out, size_t cap)
{
    long n = conv("GB18030", "UTF-8", utf8, strlen(utf8), out, cap);
    EG_CHECK(n > 0);
    return n > 0 ? (size_t)n : 0;
}

/* Decode all of `in` with a fresh decoder; the map goes to *map. */
static size_t decode_all(const unsigned char *in, size_t n, unsigned char *out,
                         size_t cap, eg_offmap *map)
{
    eg_gbdec *d = NULL;
    EG_CHECK_INT(eg__gbdec_new(&d, map, 0, 0), EG_OK);
    size_t used = 0, made = 0, total = 0;
    while (used < n) {
        int oom = 0;
        size_t k = eg__gbdec_run(d, in + used, n - used, 1, out + total,
                                 cap - total, &made, &oom);
        EG_CHECK(!oom);
        if (k == 0 && made == 0)
            break;
        used += k;
        total += made;
    }
    eg__gbdec_free(d);
    return total;
}

EG_TEST(every_two_byte_code_as_the_c_library_decodes_it)
{
    static unsigned char in[2 * 126 * 191], want[4 * 126 * 191],
        got[4 * 126 * 191];
    size_t n = 0, codes = 0;
    for (unsigned l = 0x81; l <= 0xFE; l++)
        for (unsigned t = 0x40; t <= 0xFE; t++) {
            unsigned char s[2] = {(unsigned char)l, (unsigned char)t}, u[8];
            if (t == 0x7F || conv("UTF-8", "GB18030", s, 2, u, 8) < 0)
                continue;
            in[n++] = s[0];
            in[n++] = s[1];
            codes++;
        }
    EG_CHECK(codes > 23000); /* GBK: 21,886 + the GB18030 2-byte areas */
    long w = conv("UTF-8", "GB18030", in, n, want, sizeof want);
    size_t g = decode_all(in, n, got, sizeof got, NULL);
    EG_CHECK_INT(g, w);
    EG_CHECK(w > 0 && memcmp(got, want, (size_t)w) == 0);
}

EG_TEST(every_bmp_character_encodes_as_the_c_library_does)
{
    size_t bad = 0, checked = 0;
    for (uint32_t cp = 0x80; cp <= 0xFFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        unsigned char u[4], want[8], got[8];
        size_t ul = cp < 0x800 ? 2 : 3;
        if (ul == 2) {
            u[0] = (unsigned char)(0xC0 | cp >> 6);
            u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        } else {
            u[0] = (unsigned char)(0xE0 | cp >> 12);
            u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
            u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        }
        long w = conv("GB18030", "UTF-8", u, ul, want, sizeof want);
        if (w < 0)
            continue;
        size_t made = 0;
        size_t used = eg__gb_encode(u, ul, 1, got, sizeof got, &made);
        checked++;
        if (used != ul || made != (size_t)w || memcmp(got, want, made) != 0)
            bad++;
        /* and back */
        unsigned char back[8];
        size_t bl = decode_all(got, made, back, sizeof back, NULL);
        if (bl != ul || memcmp(back, u, ul) != 0)
            bad++;
    }
    EG_CHECK(checked > 63000);
    EG_CHECK_INT(bad, 0);
}

EG_TEST(supplementary_planes_are_linear)
{
    const char *s = "\xF0\xA0\x80\x80"; /* U+20000 */
    unsigned char gb[8], back[8];
    size_t made = 0;
    eg__gb_encode((const unsigned char *)s, 4, 1, gb, sizeof gb, &made);
    EG_CHECK_INT(made, 4);
    EG_CHECK(memcmp(gb, "\x95\x32\x82\x36", 4) == 0);
    EG_CHECK_INT(decode_all(gb, 4, back, sizeof back, NULL), 4);
    EG_CHECK(memcmp(back, s, 4) == 0);
}

/* Raw offsets of character boundaries, walked independently of the map. */
EG_TEST(the_map_points_at_every_character_of_the_input)
{
    /* ASCII, Han (2 bytes -> 3), a 4-byte BMP code (U+0080: 4 -> 2), a
     * supplementary one (4 -> 4), bytes that are not GB18030, more Han */
    static const unsigned char in[] =
        "id=7 \xd5\xc5\xce\xb0,\x81\x30\x81\x30|\x95\x32\x82\x36"
        "\x80\xff\xd5\x20\xc5\xb7\xd1\xf4\xc4\xc8\xc4\xc8 end";
    size_t n = sizeof in - 1;
    unsigned char out[256];
    eg_offmap map = {0};
    size_t dn = decode_all(in, n, out, sizeof out, &map);
    /* widths per character, raw and decoded, in order */
    static const struct {
        unsigned rw, dw;
    } w[] = {{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {2, 3}, {2, 3}, {1, 1},
             {4, 2}, {1, 1}, {4, 4}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {2, 3},
             {2, 3}, {2, 3}, {2, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
    uint64_t raw = 0, dec = 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        EG_CHECK_INT(eg__offmap_raw(&map, dec), raw);
        raw += w[i].rw;
        dec += w[i].dw;
    }
    EG_CHECK_INT(raw, n);
    EG_CHECK_INT(dec, dn);
    EG_CHECK_INT(eg__offmap_raw(&map, dn), n); /* the end maps to the end */
    /* a copy of part of it answers the same; trimming keeps what follows */
    eg_offmap part = {0};
    EG_CHECK_INT(eg__offmap_copy(&part, &map, 12, 30), EG_OK);
    for (uint64_t d = 12; d <= 30; d++)
        EG_CHECK_INT(eg__offmap_raw(&part, d), eg__offmap_raw(&map, d));
    eg__offmap_trim(&map, 20);
    EG_CHECK_INT(eg__offmap_raw(&map, dn), n);
    eg__offmap_free(&part);
    eg__offmap_free(&map);
}

EG_TEST(bytes_that_are_not_gb18030_pass_through_and_come_back)
{
    /* random mixes of valid codes, ASCII and garbage: encode(decode(x)) */
    uint32_t seed = 12345;
    static unsigned char in[4096], dec[8192], back[16384];
    for (int round = 0; round < 300; round++) {
        size_t n = 0;
        while (n < sizeof in - 4) {
            seed = seed * 1103515245u + 12345u;
            unsigned v = seed >> 16;
            switch (v % 5) {
            case 0:
                in[n++] = (unsigned char)(0x20 + v % 90);
                break;
            case 1: /* a GB2312 Han character */
                in[n++] = (unsigned char)(0xB0 + v % 40);
                in[n++] = (unsigned char)(0xA1 + (v >> 8) % 94);
                break;
            case 2: /* a 4-byte code */
                in[n++] = (unsigned char)(0x81 + v % 4);
                in[n++] = (unsigned char)(0x30 + (v >> 4) % 10);
                in[n++] = (unsigned char)(0x81 + (v >> 8) % 126);
                in[n++] = (unsigned char)(0x30 + (v >> 3) % 10);
                break;
            default: /* any byte */
                in[n++] = (unsigned char)(v >> 3);
                break;
            }
        }
        size_t dn = decode_all(in, n, dec, sizeof dec, NULL);
        size_t made = 0;
        size_t used = eg__gb_encode(dec, dn, 1, back, sizeof back, &made);
        EG_CHECK_INT(used, dn);
        EG_CHECK_INT(made, n);
        if (made != n || memcmp(back, in, n) != 0) {
            size_t i = 0;
            while (i < n && back[i] == in[i])
                i++;
            fprintf(stderr, "round %d: differs at %zu:", round, i);
            for (size_t k = i > 8 ? i - 8 : 0; k < i + 8 && k < n; k++)
                fprintf(stderr, " %02x/%02x", in[k], back[k]);
            fprintf(stderr, "\n");
            EG_CHECK(!"round trip");
            break;
        }
    }
}

EG_TEST(sniff_tells_gbk_from_utf8_and_latin1)
{
    unsigned char gb[512];
    size_t gn = to_gb(HAN_UTF8, gb, sizeof gb);
    const unsigned char *u = (const unsigned char *)HAN_UTF8;
    EG_CHECK_INT(eg__charset_is_gb18030(gb, gn, 1), 1);
    EG_CHECK_INT(eg__charset_is_gb18030(gb, gn - 1, 0), 1); /* cut: fine */
    EG_CHECK_INT(eg__charset_is_gb18030(gb, 4, 1), 1);      /* 张伟 alone */
    EG_CHECK_INT(eg__charset_is_gb18030(u, strlen(HAN_UTF8), 1), 0);
    /* UTF-8 with a little damage stays UTF-8 */
    char damaged[600];
    snprintf(damaged, sizeof damaged, "%s\xff%s", HAN_UTF8, HAN_UTF8);
    EG_CHECK_INT(eg__charset_is_gb18030((const unsigned char *)damaged,
                                        strlen(damaged), 1),
                 0);
    /* Latin-1: "é" before a letter would be a GBK pair */
    const char *latin1 = "Le r\xe9sum\xe9 du caf\xe9, na\xefve fa\xe7"
                         "ade "
                         "\xe0 la cr\xe8me br\xfbl\xe9"
                         "e";
    EG_CHECK_INT(eg__charset_is_gb18030((const unsigned char *)latin1,
                                        strlen(latin1), 1),
                 0);
    /* bytes of every value (but NUL, which makes a file binary) */
    unsigned char noise[1024];
    uint32_t seed = 7;
    for (size_t i = 0; i < sizeof noise; i++) {
        seed = seed * 1103515245u + 12345u;
        noise[i] = (unsigned char)(1 + (seed >> 16) % 255);
    }
    EG_CHECK_INT(eg__charset_is_gb18030(noise, sizeof noise, 1), 0);
}

/* Everything a source yields, read `cap` bytes at a time. */
static size_t read_source(eg_source *src, size_t cap, unsigned char *out,
                          size_t outcap)
{
    unsigned char *buf = malloc(cap);
    size_t total = 0, got = 0;
    eg_error err;
    while (buf && eg__source_read(src, buf, cap, &got, &err) == EG_OK && got) {
        EG_CHECK(total + got <= outcap);
        if (total + got > outcap)
            break;
        memcpy(out + total, buf, got);
        total += got;
    }
    free(buf);
    return total;
}

EG_TEST(source_decides_at_the_first_non_ascii_byte)
{
    enum { HEAD = 100000 };
    static unsigned char in[HEAD + 4096], want[HEAD + 8192], got[HEAD + 8192];
    memset(in, 'a', HEAD);
    for (size_t i = 99; i < HEAD; i += 100)
        in[i] = '\n';
    size_t n = HEAD + to_gb(HAN_UTF8, in + HEAD, sizeof in - HEAD);
    memcpy(want, in, HEAD);
    size_t wn = HEAD + strlen(HAN_UTF8);
    memcpy(want + HEAD, HAN_UTF8, strlen(HAN_UTF8));
    static const size_t caps[] = {1, 3, 7, 4096, 65536, 1 << 20};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        eg_source_limits lim = {0, 0, EG_CHARSET_AUTO};
        eg_source *src = NULL;
        eg_error err;
        EG_CHECK_INT(eg__source_open_memory(&src, "m", in, n, &lim, &err),
                     EG_OK);
        eg__source_keep_map(src);
        size_t k = read_source(src, caps[c], got, sizeof got);
        EG_CHECK_INT(k, wn);
        EG_CHECK(memcmp(got, want, wn) == 0);
        EG_CHECK_STR(eg__source_charset(src), "gb18030");
        eg_offmap *m = eg__source_map(src);
        EG_CHECK(m != NULL);
        EG_CHECK_INT(eg__offmap_raw(m, HEAD), HEAD);
        EG_CHECK_INT(eg__offmap_raw(m, HEAD + 3), HEAD + 2); /* after 张 */
        EG_CHECK_INT(eg__offmap_raw(m, wn), n);
        eg__source_close(src);
    }
}

EG_TEST(source_leaves_utf8_and_raw_alone)
{
    const char *u = HAN_UTF8;
    size_t n = strlen(u);
    unsigned char got[512];
    int modes[] = {EG_CHARSET_AUTO, EG_CHARSET_RAW};
    for (int i = 0; i < 2; i++) {
        eg_source_limits lim = {0, 0, modes[i]};
        eg_source *src = NULL;
        eg_error err;
        EG_CHECK_INT(eg__source_open_memory(&src, "m", u, n, &lim, &err),
                     EG_OK);
        eg__source_keep_map(src);
        EG_CHECK_INT(read_source(src, 5, got, sizeof got), n);
        EG_CHECK(memcmp(got, u, n) == 0);
        EG_CHECK_STR(eg__source_charset(src), "utf-8");
        EG_CHECK(eg__source_map(src) == NULL);
        eg__source_close(src);
    }
    /* GBK read raw stays GBK */
    unsigned char gb[512];
    size_t gn = to_gb(HAN_UTF8, gb, sizeof gb);
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(eg__source_open_memory(&src, "m", gb, gn, NULL, &err), EG_OK);
    EG_CHECK_INT(read_source(src, 64, got, sizeof got), gn);
    EG_CHECK(memcmp(got, gb, gn) == 0);
    eg__source_close(src);
}

EG_TEST(compressed_gbk_is_decoded_after_decompression)
{
    unsigned char gb[512], z[1024], got[512];
    size_t gn = to_gb(HAN_UTF8, gb, sizeof gb);
    uLongf zn = sizeof z;
    z_stream s;
    memset(&s, 0, sizeof s);
    EG_CHECK(deflateInit2(&s, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) ==
             Z_OK);
    s.next_in = gb;
    s.avail_in = (uInt)gn;
    s.next_out = z;
    s.avail_out = (uInt)zn;
    EG_CHECK(deflate(&s, Z_FINISH) == Z_STREAM_END);
    zn = s.total_out;
    deflateEnd(&s);
    eg_source_limits lim = {0, 0, EG_CHARSET_AUTO};
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(eg__source_open_memory(&src, "m.gz", z, zn, &lim, &err),
                 EG_OK);
    EG_CHECK_INT(read_source(src, 4096, got, sizeof got), strlen(HAN_UTF8));
    EG_CHECK(memcmp(got, HAN_UTF8, strlen(HAN_UTF8)) == 0);
    EG_CHECK_STR(eg__source_compression(src), "gzip");
    EG_CHECK_STR(eg__source_charset(src), "gb18030");
    eg__source_close(src);
}

int main(void)
{
    EG_RUN(every_two_byte_code_as_the_c_library_decodes_it);
    EG_RUN(every_bmp_character_encodes_as_the_c_library_does);
    EG_RUN(supplementary_planes_are_linear);
    EG_RUN(the_map_points_at_every_character_of_the_input);
    EG_RUN(bytes_that_are_not_gb18030_pass_through_and_come_back);
    EG_RUN(sniff_tells_gbk_from_utf8_and_latin1);
    EG_RUN(source_decides_at_the_first_non_ascii_byte);
    EG_RUN(source_leaves_utf8_and_raw_alone);
    EG_RUN(compressed_gbk_is_decoded_after_decompression);
    return EG_TEST_END();
}
