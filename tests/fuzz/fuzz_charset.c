/*
 * fuzz_charset.c: libFuzzer target for GB18030 input (read/charset.c and
 * the charset layer of read/source.c).  The first byte picks the mode
 * (AUTO or forced GB18030) and the size of the reads; the rest is the
 * input.  Checks, beyond "no crash":
 * - the read contract: never more than asked, the same text whatever the
 *   read size (compared with one read of 64 KiB pieces);
 * - AUTO leaves input alone unless it decided GB18030, and then only from
 *   the first non-ASCII byte on;
 * - the way back: encoding the decoded text gives the input, byte for byte
 *   (what lets mask write GB18030 outputs that differ only in the spans);
 * - the offset map: the end of the text maps to the end of the input, and
 *   offsets map in order.
 * The sniff also runs on the input, as the source runs it.
 */
#include "read/charset.h"
#include "read/source.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TRAP() __builtin_trap()

/* Read all of in[0..n) through a source; returns the text's length. */
static size_t read_all(const uint8_t *in, size_t n, int charset, size_t cap,
                       unsigned char *out, size_t outcap, int *gb,
                       eg_offmap *map_copy)
{
    eg_source_limits lim = {0, 0, charset};
    eg_source *src = NULL;
    eg_error err;
    if (eg__source_open_memory(&src, "fuzz", in, n, &lim, &err) != EG_OK)
        TRAP();
    eg__source_keep_map(src);
    static unsigned char buf[65536];
    size_t total = 0, got;
    int rc;
    while ((rc = eg__source_read(src, buf, cap, &got, &err)) == EG_OK && got) {
        if (got > cap || total + got > outcap)
            TRAP();
        memcpy(out + total, buf, got);
        total += got;
    }
    if (rc != EG_OK) /* memory, no compression: nothing can fail */
        TRAP();
    *gb = !strcmp(eg__source_charset(src), "gb18030");
    if (map_copy &&
        eg__offmap_copy(map_copy, eg__source_map(src), 0, total) != EG_OK)
        TRAP();
    eg__source_close(src);
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    int charset = data[0] & 1 ? EG_CHARSET_GB18030 : EG_CHARSET_AUTO;
    static const size_t caps[] = {1, 2, 3, 5, 8, 13, 4096, 65536};
    size_t cap = caps[(data[0] >> 1) % 8];
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    /* compressed data is fuzz_gzip's and fuzz_zstd's (the source would
     * decompress it, and fail on most inputs) */
    if ((n >= 2 && in[0] == 0x1f && in[1] == 0x8b) ||
        (n >= 4 && in[1] == 0xb5 && in[2] == 0x2f && in[3] == 0xfd) ||
        (n >= 4 && (in[0] & 0xf0) == 0x50 && in[1] == 0x2a && in[2] == 0x4d &&
         in[3] == 0x18))
        return 0;
    eg__charset_is_gb18030(in, n, data[0] >> 4 & 1);

    /* decoded text is at most 3/2 of the input */
    size_t outcap = n * 2 + 16;
    unsigned char *a = malloc(outcap), *b = malloc(outcap);
    unsigned char *back = malloc(outcap * 2 + 16);
    eg_offmap map = {0};
    int gb_a = 0, gb_b = 0;
    size_t na = read_all(in, n, charset, cap, a, outcap, &gb_a, &map);
    size_t nb = read_all(in, n, charset, 65536, b, outcap, &gb_b, NULL);
    if (na != nb || memcmp(a, b, na) != 0 || gb_a != gb_b)
        TRAP(); /* the read size changed the text */
    if (!gb_a && (na != n || memcmp(a, in, n) != 0))
        TRAP(); /* read as UTF-8, the input must come through unchanged */
    if (gb_a) {
        size_t made = 0;
        size_t used = eg__gb_encode(a, na, 1, back, outcap * 2 + 16, &made);
        if (used != na || made != n || memcmp(back, in, n) != 0)
            TRAP(); /* encode(decode(x)) != x */
        if (eg__offmap_raw(&map, na) != n)
            TRAP();
        /* ASCII before the first other byte is read as it is */
        size_t k = 0;
        while (k < n && in[k] < 0x80)
            k++;
        if (charset == EG_CHARSET_AUTO && (na < k || memcmp(a, in, k) != 0))
            TRAP();
        uint64_t last = 0;
        for (size_t d = 0; d <= na; d++) {
            uint64_t r = eg__offmap_raw(&map, d);
            if (r < last || r > n)
                TRAP();
            last = r;
        }
    }
    eg__offmap_free(&map);
    free(a);
    free(b);
    free(back);
    return 0;
}
