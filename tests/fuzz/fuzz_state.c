/*
 * fuzz_state.c: libFuzzer harness for the state file reader
 * (eg_state_read_buffer, then counting and merging what it accepted).
 *
 * A random mutation almost never survives the body checksum, which would
 * keep the fuzzer at the header.  So an input starting with 'R' is
 * "resealed" first: the rest gets a fresh SHA-256 and header CRC, as a
 * crafted file would, and the structural checks behind the checksum are
 * fuzzed too.  Any input must give EG_OK or an error, never a crash, a
 * leak or a count from a rejected file.
 */
#include "egress.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reseal(unsigned char *b, size_t n)
{
    if (n < 96)
        return;
    unsigned int len;
    EVP_Digest(b + 96, n - 96, b + 56, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 8; i++)
        b[48 + i] = (unsigned char)((uint64_t)(n - 96) >> (8 * i));
    uint32_t crc = (uint32_t)crc32(0L, b, 92);
    for (int i = 0; i < 4; i++)
        b[92 + i] = (unsigned char)(crc >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = NULL;
    if (size > 0 && data[0] == 'R') {
        copy = malloc(size);
        if (!copy)
            return 0;
        memcpy(copy, data + 1, size - 1);
        reseal(copy, size - 1);
        data = copy;
        size--;
    }
    eg_state *st = NULL;
    eg_error err;
    if (eg_state_read_buffer(&st, data, size, &err) == EG_OK) {
        eg_counts c;
        eg_state_count(st, 20250601, &c, &err);
        eg_state_count(st, 20010101, &c, &err);
        eg_state_options o = EG_STATE_OPTIONS_INIT;
        o.key_id = eg_state_key_id(st);
        o.exact_key_limit = 4; /* exercise the switch to estimation */
        o.sketch_k = 16;
        eg_state *dst = NULL;
        if (eg_state_new(&dst, &o, &err) == EG_OK &&
            eg_state_merge(dst, st, &err) == EG_OK)
            eg_state_count(dst, 20250601, &c, &err);
        eg_state_free(dst);
        eg_state_free(st);
    }
    free(copy);
    return 0;
}
