/*
 * test_state_file.c: the state file refuses damage (lib/state/state_file.c,
 * docs/internals/STATE_FORMAT.md).
 *
 * A damaged, truncated or foreign file must give EG_ECORRUPT with a message
 * naming the check, never a count: every header byte flipped, every body
 * byte flipped, every truncation point, trailing bytes, another magic, a
 * newer version; and, with the checksums recomputed so that only the
 * structure is wrong, each structural check.  A merge from a bad file
 * leaves the target unchanged.  A golden v1 file in tests/data/state/ is
 * read with known counts, so that a format change cannot slip through.
 */
#include "egress.h"
#include "eg_test.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static const char *KEY = "00112233aabbccdd";

static eg_state *sample_state(void)
{
    eg_state_options o = EG_STATE_OPTIONS_INIT;
    o.key_id = KEY;
    eg_state *st = NULL;
    eg_error err;
    if (eg_state_new(&st, &o, &err) != EG_OK)
        exit(1);
    int rid = eg_type_from_id("cn_resident_id");
    int mob = eg_type_from_id("cn_mobile");
    int mail = eg_type_from_id("email");
    int geo = eg_type_from_id("geo_coordinate");
    int name = eg_type_from_id("person_name");
    struct {
        uint32_t in;
        uint64_t rec;
        int type;
        uint64_t fp;
        uint32_t birth;
    } rows[] = {
        {0, 0, rid, 0x1111, 20150607}, {0, 0, mob, 0x2222, 0},
        {0, 1, mob, 0x3333, 0},        {0, 1, geo, 0x4444, 0},
        {1, 0, mail, 0x5555, 0},       {1, 0, mob, 0x2222, 0},
        {1, 1, name, 0x6666, 0},       {1, 2, rid, 0x7777, 19491231},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        eg_finding f;
        memset(&f, 0, sizeof f);
        f.input_index = rows[i].in;
        f.record = rows[i].rec;
        f.type = rows[i].type;
        f.fp64 = rows[i].fp;
        f.birth_ymd = rows[i].birth;
        if (eg_state_add_finding(st, &f, &err) != EG_OK)
            exit(1);
    }
    return st;
}

static void check_sample_counts(const eg_state *st)
{
    eg_counts c;
    eg_error err;
    EG_CHECK_INT(eg_state_count(st, 20250601, &c, &err), EG_OK);
    EG_CHECK_INT(c.individuals, 3);
    EG_CHECK_INT(c.sensitive_individuals, 3);
    EG_CHECK_INT(c.minors_under_14, 1);
    EG_CHECK_INT(c.records_with_pi, 5);
    EG_CHECK_INT(c.unlinked_records, 1);
    EG_CHECK_INT(c.distinct_keys, 5);
    EG_CHECK_INT(c.findings, 8);
}

static unsigned char *file_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n)
        exit(1);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static unsigned char *sample_bytes(size_t *len)
{
    eg_state *st = sample_state();
    char path[64];
    snprintf(path, sizeof path, "/tmp/eg_test_file_%d.st", (int)getpid());
    eg_error err;
    if (eg_state_write(st, path, &err) != EG_OK)
        exit(1);
    eg_state_free(st);
    unsigned char *b = file_bytes(path, len);
    unlink(path);
    return b;
}

static int read_buf(const unsigned char *b, size_t n, eg_error *err)
{
    eg_state *st = NULL;
    int rc = eg_state_read_buffer(&st, b, n, err);
    if (rc == EG_OK)
        check_sample_counts(st);
    EG_CHECK((rc == EG_OK) == (st != NULL));
    eg_state_free(st);
    return rc;
}

/* Recompute the body SHA-256 and the header CRC after an edit. */
static void reseal(unsigned char *b, size_t n)
{
    unsigned int len;
    EVP_Digest(b + 96, n - 96, b + 56, &len, EVP_sha256(), NULL);
    b[48] = (unsigned char)(n - 96);
    for (int i = 1; i < 8; i++)
        b[48 + i] = (unsigned char)((uint64_t)(n - 96) >> (8 * i));
    uint32_t crc = (uint32_t)crc32(0L, b, 92);
    for (int i = 0; i < 4; i++)
        b[92 + i] = (unsigned char)(crc >> (8 * i));
}

EG_TEST(round_trip)
{
    size_t n;
    unsigned char *b = sample_bytes(&n);
    eg_error err;
    EG_CHECK_INT(read_buf(b, n, &err), EG_OK);
    EG_CHECK(memcmp(b,
                    "\x89"
                    "EGST\r\n\x1a",
                    8) == 0);
    EG_CHECK(memcmp(b + 24, KEY, 16) == 0);
    /* resealing an untouched file changes nothing */
    unsigned char *c = malloc(n);
    memcpy(c, b, n);
    reseal(c, n);
    EG_CHECK(memcmp(b, c, n) == 0);
    free(c);
    free(b);
}

EG_TEST(every_flipped_byte_is_caught)
{
    size_t n;
    unsigned char *b = sample_bytes(&n);
    eg_error err;
    int caught = 0;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            b[i] ^= (unsigned char)(1u << bit);
            int rc = read_buf(b, n, &err);
            b[i] ^= (unsigned char)(1u << bit);
            if (rc == EG_ECORRUPT)
                caught++;
            else
                fprintf(stderr, "byte %zu bit %d: rc %d\n", i, bit, rc);
        }
    }
    EG_CHECK_INT(caught, 2 * n);
    b[100] ^= 1; /* in the body: named as a checksum mismatch */
    EG_CHECK_INT(read_buf(b, n, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, "body checksum mismatch") != NULL);
    b[100] ^= 1;
    b[30] ^= 1; /* in the key id: the header CRC */
    EG_CHECK_INT(read_buf(b, n, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, "header checksum") != NULL);
    free(b);
}

EG_TEST(every_truncation_is_caught)
{
    size_t n;
    unsigned char *b = sample_bytes(&n);
    eg_error err;
    for (size_t len = 0; len < n; len++) {
        int rc = read_buf(b, len, &err);
        EG_CHECK_INT(rc, EG_ECORRUPT);
        if (len >= 96)
            EG_CHECK(strstr(err.message, "truncated") != NULL);
    }
    unsigned char *longer = malloc(n + 1);
    memcpy(longer, b, n);
    longer[n] = 0;
    EG_CHECK_INT(read_buf(longer, n + 1, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, "trailing") != NULL);
    free(longer);
    free(b);
}

EG_TEST(foreign_files_and_newer_versions)
{
    eg_error err;
    unsigned char png[128] = "\x89PNG\r\n\x1a\n";
    EG_CHECK_INT(read_buf(png, sizeof png, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, "bad magic") != NULL);
    const char *text = "{\"this is\": \"a JSON file, not a state, but long "
                       "enough to hold a header of ninety-six bytes\"}\n";
    EG_CHECK_INT(read_buf((const unsigned char *)text, strlen(text), &err),
                 EG_ECORRUPT);
    EG_CHECK_INT(read_buf((const unsigned char *)"", 0, &err), EG_ECORRUPT);

    size_t n;
    unsigned char *b = sample_bytes(&n);
    b[8] = 2; /* version 2, header checksum made valid */
    reseal(b, n);
    EG_CHECK_INT(read_buf(b, n, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, "newer") != NULL);
    b[8] = 0;
    reseal(b, n);
    EG_CHECK_INT(read_buf(b, n, &err), EG_ECORRUPT);
    free(b);
}

/* Offsets in the sample body: the type table (one row per catalog type:
 * length, name, 8-byte count), 64 bytes of record counters, then keys. */
static size_t keys_offset(const unsigned char *b)
{
    size_t off = 96;
    uint32_t types = (uint32_t)b[20] | (uint32_t)b[21] << 8;
    for (uint32_t i = 0; i < types; i++)
        off += 1 + b[off] + 8;
    return off + 64;
}

EG_TEST(structure_is_checked_even_with_valid_checksums)
{
    size_t n;
    unsigned char *b = sample_bytes(&n);
    unsigned char *c = malloc(n + 32);
    eg_error err;
    size_t k = keys_offset(b);
    struct {
        size_t off;
        unsigned char val;
        const char *msg;
    } edits[] = {
        {k + 8, 7, "parent"},               /* key 0's parent = 7 */
        {k + 12, 200, "type"},              /* type index out of range */
        {k + 14, 2, "flags"},               /* unknown key flag */
        {k + 20 + 16, 1, "birth"},          /* a birth date on a phone */
        {97, 'Z', "type name"},             /* a malformed type name */
        {k - 64 + 8 * 5, 1, "counters"},    /* a reserved counter set */
        {k - 64 + 8 * 1, 0x7f, "counters"}, /* linked > records */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(c, b, n);
        c[edits[i].off] = edits[i].val;
        reseal(c, n);
        EG_CHECK_INT(read_buf(c, n, &err), EG_ECORRUPT);
        if (!strstr(err.message, edits[i].msg))
            fprintf(stderr, "edit %zu: %s\n", i, err.message);
        EG_CHECK(strstr(err.message, edits[i].msg) != NULL);
    }
    /* a key listed twice */
    memcpy(c, b, n);
    memcpy(c + k + 20, c + k, 8);
    memcpy(c + k + 32, c + k + 12, 2);
    c[k + 28] = 1;
    reseal(c, n);
    EG_CHECK_INT(read_buf(c, n, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, "duplicate") != NULL);
    /* a type this version does not know, well formed: unsupported */
    memcpy(c, b, n);
    memcpy(c + 97, "zz_future_type", 14);
    reseal(c, n);
    EG_CHECK_INT(read_buf(c, n, &err), EG_EUNSUPPORTED);
    /* extra bytes after the last section, sizes made consistent */
    memcpy(c, b, n);
    c[n] = 0;
    reseal(c, n + 1);
    EG_CHECK_INT(read_buf(c, n + 1, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, "after the last section") != NULL);
    free(c);
    free(b);
}

EG_TEST(bad_file_leaves_merge_target_unchanged)
{
    size_t n;
    unsigned char *b = sample_bytes(&n);
    b[n - 20] ^= 0x40;
    char path[64];
    snprintf(path, sizeof path, "/tmp/eg_test_bad_%d.st", (int)getpid());
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
    eg_state_options o = EG_STATE_OPTIONS_INIT;
    o.key_id = KEY;
    eg_state *dst = NULL;
    eg_error err;
    EG_CHECK_INT(eg_state_new(&dst, &o, &err), EG_OK);
    eg_finding fi;
    memset(&fi, 0, sizeof fi);
    fi.type = eg_type_from_id("email");
    fi.fp64 = 99;
    EG_CHECK_INT(eg_state_add_finding(dst, &fi, &err), EG_OK);
    EG_CHECK_INT(eg_state_merge_file(dst, path, &err), EG_ECORRUPT);
    EG_CHECK(strstr(err.message, path) != NULL);
    eg_counts c;
    EG_CHECK_INT(eg_state_count(dst, 20250601, &c, &err), EG_OK);
    EG_CHECK_INT(c.individuals, 1);
    EG_CHECK_INT(c.findings, 1);
    eg_state *none = NULL;
    EG_CHECK_INT(eg_state_read(&none, "/nonexistent/x.st", &err), EG_ENOTFOUND);
    EG_CHECK(none == NULL);
    unlink(path);
    EG_CHECK_INT(eg_state_merge_file(dst, path, &err), EG_ENOTFOUND);
    eg_state_free(dst);
    free(b);
}

EG_TEST(golden_v1_file_still_reads)
{
    const char *dir = getenv("EG_TESTDATA");
    char path[512];
    snprintf(path, sizeof path, "%s/state/golden-v1.egstate",
             dir ? dir : "data");
    eg_error err;
    if (getenv("EG_UPDATE_GOLDEN")) {
        eg_state *st = sample_state();
        EG_CHECK_INT(eg_state_write(st, path, &err), EG_OK);
        eg_state_free(st);
    }
    eg_state *st = NULL;
    EG_CHECK_INT(eg_state_read(&st, path, &err), EG_OK);
    if (st) {
        check_sample_counts(st);
        EG_CHECK_STR(eg_state_key_id(st), KEY);
    } else {
        fprintf(stderr, "%s\n", err.message);
    }
    eg_state_free(st);
}

int main(void)
{
    EG_RUN(round_trip);
    EG_RUN(every_flipped_byte_is_caught);
    EG_RUN(every_truncation_is_caught);
    EG_RUN(foreign_files_and_newer_versions);
    EG_RUN(structure_is_checked_even_with_valid_checksums);
    EG_RUN(bad_file_leaves_merge_target_unchanged);
    EG_RUN(golden_v1_file_still_reads);
    return EG_TEST_END();
}
