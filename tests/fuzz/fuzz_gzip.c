/*
 * fuzz_gzip.c: libFuzzer target for the gzip path of the input layer.
 * The bytes go through eg__source_open_memory + eg__source_read with small
 * limits (1 MiB out, 1000:1), read in pieces whose size comes from the
 * input, so that member boundaries, padding, truncation and corrupt data
 * meet every buffer split.  Checks the read contract, not just crashes:
 * never more than `cap` or the limit, and errors are sticky.  The first
 * piece also goes through the sniffers.
 */
#include "read/source.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_source(const uint8_t *data, size_t size, const char *name,
                         const char *want_compression)
{
    eg_source_limits lim = {1u << 20, 1000, 0};
    eg_source *src = NULL;
    eg_error err;
    if (eg__source_open_memory(&src, name, data, size, &lim, &err) != EG_OK)
        return;
    if (strcmp(eg__source_compression(src), want_compression) != 0)
        __builtin_trap();
    static unsigned char buf[65536];
    /* Piece sizes from tiny to large; small pieces are capped in number
     * so that 1 MiB out in 1-byte reads does not eat the fuzzing time. */
    static const size_t caps[] = {1, 7, 61, 4096, sizeof buf};
    size_t cap = caps[data[size - 1] % 5], calls = 0;
    uint64_t total = 0;
    size_t got;
    int rc;
    while ((rc = eg__source_read(src, buf, cap, &got, &err)) == EG_OK && got &&
           ++calls < 20000) {
        if (got > cap)
            __builtin_trap();
        if (total == 0) { /* the sniffers see what the scan would */
            eg__sniff_binary(buf, got);
            eg__sniff_format("fuzz", buf, got);
        }
        total += got;
        if (total > lim.max_decompressed)
            __builtin_trap();
    }
    if (rc != EG_OK) {
        int again = eg__source_read(src, buf, cap, &got, &err);
        if (again != rc || got != 0)
            __builtin_trap();
        if (rc != EG_ECORRUPT && rc != EG_ELIMIT)
            __builtin_trap();
    }
    eg__source_close(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || data[0] != 0x1f || data[1] != 0x8b)
        return 0;
    check_source(data, size, "fuzz.gz", "gzip");
    return 0;
}
