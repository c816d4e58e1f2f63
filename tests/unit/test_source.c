/*
 * test_source.c: the input layer's sources: plain files read in small
 * pieces, gzip and zstd (single, multi-member/frame, truncated, corrupt),
 * the size and ratio limits against a 200 MB bomb, refusal of special
 * files (device, FIFO without blocking, directory), missing and unreadable
 * files, standard input, and allocation failure.  Compressed test inputs
 * are made here with zlib and libzstd, plus a few tiny files written by
 * the gzip and zstd tools (tests/data/source/).
 */
#include "read/source.h"
#include "eg_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char tmpdir[] = "/tmp/eg_test_source.XXXXXX";

static const char *tmp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    EG_CHECK(f != NULL);
    if (!f)
        return;
    EG_CHECK(fwrite(data, 1, len, f) == len);
    fclose(f);
}

/* Deterministic bytes: mostly text with some high bytes, compressible but
 * not trivially. */
static void fill_pattern(unsigned char *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned v = (seed >> 16) & 0xff;
        p[i] = v < 16    ? '\n'
               : v < 200 ? (unsigned char)('a' + v % 26)
                         : (unsigned char)v;
    }
}

static void gzip_member(eg_buf *out, const void *data, size_t len)
{
    z_stream z = {0};
    EG_CHECK(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                          Z_DEFAULT_STRATEGY) == Z_OK);
    uLong bound = deflateBound(&z, (uLong)len) + 32;
    EG_CHECK(eg__buf_reserve(out, bound) == EG_OK);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)bound;
    EG_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out->len += bound - z.avail_out;
    deflateEnd(&z);
}

static void zstd_frame(eg_buf *out, const void *data, size_t len)
{
    size_t bound = ZSTD_compressBound(len);
    EG_CHECK(eg__buf_reserve(out, bound) == EG_OK);
    size_t r = ZSTD_compress(out->data + out->len, bound, data, len, 3);
    EG_CHECK(!ZSTD_isError(r));
    if (!ZSTD_isError(r))
        out->len += r;
}

/* Read a source to its end (or error) in pieces of `cap` bytes. */
static int read_all(eg_source *src, size_t cap, eg_buf *out, eg_error *err)
{
    unsigned char *buf = malloc(cap);
    int rc;
    for (;;) {
        size_t got = 0;
        rc = eg__source_read(src, buf, cap, &got, err);
        if (rc != EG_OK || got == 0)
            break;
        EG_CHECK(got <= cap);
        EG_CHECK(eg__buf_append(out, buf, got) == EG_OK);
    }
    free(buf);
    return rc;
}

/* Open `path`, read it all with `cap`, compare with `want`. */
static void check_file_reads(const char *path, size_t cap, const void *want,
                             size_t want_len, const char *compression)
{
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(eg__source_open(&src, path, NULL, &err), EG_OK);
    if (!src)
        return;
    EG_CHECK_STR(eg__source_compression(src), compression);
    EG_CHECK_STR(eg__source_path(src), path);
    eg_buf got = {0};
    EG_CHECK_INT(read_all(src, cap, &got, &err), EG_OK);
    EG_CHECK_INT(got.len, want_len);
    EG_CHECK(got.len == want_len &&
             (want_len == 0 || memcmp(got.data, want, want_len) == 0));
    /* The end is sticky. */
    unsigned char b[4];
    size_t n = 99;
    EG_CHECK_INT(eg__source_read(src, b, sizeof b, &n, &err), EG_OK);
    EG_CHECK_INT(n, 0);
    eg__buf_free(&got);
    eg__source_close(src);
}

EG_TEST(plain_file_small_caps)
{
    enum { N = 300000 }; /* more than the 128 KiB input buffer */
    unsigned char *data = malloc(N);
    fill_pattern(data, N, 1);
    const char *path = tmp_path("plain.bin");
    write_file(path, data, N);
    static const size_t caps[] = {1, 7, 4096, 1 << 20};
    for (size_t i = 0; i < EG_ARRAY_LEN(caps); i++)
        check_file_reads(path, caps[i], data, N, "none");
    /* Short files: shorter than the 4 bytes of the magic sniff. */
    write_file(tmp_path("one"), "x", 1);
    check_file_reads(tmp_path("one"), 7, "x", 1, "none");
    write_file(tmp_path("empty"), "", 0);
    check_file_reads(tmp_path("empty"), 7, "", 0, "none");
    /* One byte of the gzip magic is not gzip. */
    write_file(tmp_path("half_magic"), "\x1f", 1);
    check_file_reads(tmp_path("half_magic"), 7, "\x1f", 1, "none");
    free(data);
}

EG_TEST(memory_plain)
{
    const char text[] = "name,phone\nzhang,x\n";
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(eg__source_open_memory(&src, "mem.csv", text, sizeof text - 1,
                                        NULL, &err),
                 EG_OK);
    EG_CHECK_STR(eg__source_compression(src), "none");
    EG_CHECK_STR(eg__source_path(src), "mem.csv");
    eg_buf got = {0};
    EG_CHECK_INT(read_all(src, 3, &got, &err), EG_OK);
    EG_CHECK_INT(got.len, sizeof text - 1);
    EG_CHECK_STR(got.data, text);
    eg__buf_free(&got);
    eg__source_close(src);
}

EG_TEST(bad_arguments)
{
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(eg__source_open(NULL, "x", NULL, &err), EG_EINVAL);
    EG_CHECK_INT(eg__source_open(&src, NULL, NULL, &err), EG_EINVAL);
    EG_CHECK_INT(eg__source_open_memory(&src, "m", "ab", 2, NULL, &err), EG_OK);
    unsigned char b[1];
    size_t got = 5;
    EG_CHECK_INT(eg__source_read(src, b, 0, &got, &err), EG_EINVAL);
    EG_CHECK_INT(got, 0);
    eg__source_close(src);
    eg__source_close(NULL);
    /* Empty memory, even with a NULL pointer, is an empty plain input. */
    EG_CHECK_INT(eg__source_open_memory(&src, NULL, NULL, 0, NULL, &err),
                 EG_OK);
    EG_CHECK_STR(eg__source_path(src), "<memory>");
    EG_CHECK_STR(eg__source_compression(src), "none");
    got = 5;
    EG_CHECK_INT(eg__source_read(src, b, sizeof b, &got, &err), EG_OK);
    EG_CHECK_INT(got, 0);
    eg__source_close(src);
    EG_CHECK_INT(eg__source_open_memory(&src, "m", NULL, 3, NULL, &err),
                 EG_EINVAL);
}

EG_TEST(gzip_single_and_multi_member)
{
    enum { N = 250000 };
    unsigned char *a = malloc(N), *b = malloc(N);
    fill_pattern(a, N, 2);
    fill_pattern(b, N, 3);
    eg_buf z = {0};
    gzip_member(&z, a, N);
    write_file(tmp_path("one.gz"), z.data, z.len);
    check_file_reads(tmp_path("one.gz"), 1, a, N, "gzip");
    check_file_reads(tmp_path("one.gz"), 4096, a, N, "gzip");
    gzip_member(&z, b, N);
    gzip_member(&z, "", 0); /* an empty member in the middle */
    gzip_member(&z, "end\n", 4);
    eg_buf want = {0};
    eg__buf_append(&want, a, N);
    eg__buf_append(&want, b, N);
    eg__buf_append(&want, "end\n", 4);
    write_file(tmp_path("multi.gz"), z.data, z.len);
    check_file_reads(tmp_path("multi.gz"), 7, want.data, want.len, "gzip");
    check_file_reads(tmp_path("multi.gz"), 65536, want.data, want.len, "gzip");
    /* Zero padding after the last member (tar blocks) is tolerated. */
    static const unsigned char zeros[1000];
    eg__buf_append(&z, zeros, sizeof zeros);
    write_file(tmp_path("padded.gz"), z.data, z.len);
    check_file_reads(tmp_path("padded.gz"), 4096, want.data, want.len, "gzip");
    eg__buf_free(&want);
    eg__buf_free(&z);
    free(a);
    free(b);
}

EG_TEST(gzip_files_from_the_gzip_tool)
{
    char path[512];
    const char *dir = getenv("EG_TESTDATA");
    snprintf(path, sizeof path, "%s/source/hello.txt.gz", dir ? dir : "data");
    check_file_reads(path, 5, "hello, world\n", 13, "gzip");
    snprintf(path, sizeof path, "%s/source/multi.gz", dir ? dir : "data");
    check_file_reads(path, 5, "part one\npart two\n", 18, "gzip");
    snprintf(path, sizeof path, "%s/source/multi.zst", dir ? dir : "data");
    check_file_reads(path, 5, "frame one\nframe two\n", 20, "zstd");
}

EG_TEST(zstd_single_and_multi_frame)
{
    enum { N = 400000 };
    unsigned char *a = malloc(N), *b = malloc(N);
    fill_pattern(a, N, 4);
    fill_pattern(b, N, 5);
    eg_buf z = {0};
    zstd_frame(&z, a, N);
    write_file(tmp_path("one.zst"), z.data, z.len);
    check_file_reads(tmp_path("one.zst"), 1, a, N, "zstd");
    check_file_reads(tmp_path("one.zst"), 4096, a, N, "zstd");
    /* A skippable frame between two frames, as pzstd writes. */
    static const unsigned char skippable[] = {0x50, 0x2a, 0x4d, 0x18, 3,  0,
                                              0,    0,    'x',  'y',  'z'};
    eg__buf_append(&z, skippable, sizeof skippable);
    zstd_frame(&z, b, N);
    eg_buf want = {0};
    eg__buf_append(&want, a, N);
    eg__buf_append(&want, b, N);
    write_file(tmp_path("multi.zst"), z.data, z.len);
    check_file_reads(tmp_path("multi.zst"), 7, want.data, want.len, "zstd");
    check_file_reads(tmp_path("multi.zst"), 100000, want.data, want.len,
                     "zstd");
    /* A file that starts with a skippable frame is zstd too. */
    eg_buf s = {0};
    eg__buf_append(&s, skippable, sizeof skippable);
    zstd_frame(&s, "tail\n", 5);
    write_file(tmp_path("skip_first.zst"), s.data, s.len);
    check_file_reads(tmp_path("skip_first.zst"), 3, "tail\n", 5, "zstd");
    eg__buf_free(&s);
    eg__buf_free(&want);
    eg__buf_free(&z);
    free(a);
    free(b);
}

/* Read `path` to the error; check the returned bytes are a prefix of
 * `orig`, the code, and the exact message (built from the count read). */
static void check_truncated(const char *path, const char *kind,
                            const unsigned char *orig, size_t orig_len,
                            size_t compressed_len, size_t cap)
{
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(eg__source_open(&src, path, NULL, &err), EG_OK);
    if (!src)
        return;
    eg_buf got = {0};
    EG_CHECK_INT(read_all(src, cap, &got, &err), EG_ECORRUPT);
    EG_CHECK_INT(err.code, EG_ECORRUPT);
    EG_CHECK(got.len < orig_len);
    EG_CHECK(got.len == 0 || memcmp(got.data, orig, got.len) == 0);
    char want[512];
    snprintf(want, sizeof want,
             "%s: truncated %s stream at compressed byte %zu "
             "(decompressed %zu)",
             path, kind, compressed_len, got.len);
    EG_CHECK_STR(err.message, want);
    /* The error is sticky. */
    unsigned char b[16];
    size_t n = 7;
    eg_error again;
    EG_CHECK_INT(eg__source_read(src, b, sizeof b, &n, &again), EG_ECORRUPT);
    EG_CHECK_INT(n, 0);
    EG_CHECK_STR(again.message, want);
    eg__buf_free(&got);
    eg__source_close(src);
}

EG_TEST(truncated_gzip_and_zstd)
{
    enum { N = 500000 };
    unsigned char *a = malloc(N);
    fill_pattern(a, N, 6);
    eg_buf z = {0};
    gzip_member(&z, a, N);
    size_t cut = z.len / 2;
    write_file(tmp_path("cut.gz"), z.data, cut);
    check_truncated(tmp_path("cut.gz"), "gzip", a, N, cut, 4096);
    check_truncated(tmp_path("cut.gz"), "gzip", a, N, cut, 1 << 20);
    /* Cut inside the header, and just before the 8-byte trailer. */
    write_file(tmp_path("cut_head.gz"), z.data, 6);
    check_truncated(tmp_path("cut_head.gz"), "gzip", a, N, 6, 4096);
    write_file(tmp_path("cut_trailer.gz"), z.data, z.len - 4);
    eg_source *src = NULL;
    eg_error err;
    eg_buf got = {0};
    EG_CHECK_INT(eg__source_open(&src, tmp_path("cut_trailer.gz"), NULL, &err),
                 EG_OK);
    EG_CHECK_INT(read_all(src, 65536, &got, &err), EG_ECORRUPT);
    EG_CHECK_INT(got.len, N); /* every byte came out before the error */
    eg__source_close(src);
    eg__buf_free(&got);

    z.len = 0;
    zstd_frame(&z, a, N);
    cut = z.len * 2 / 3;
    write_file(tmp_path("cut.zst"), z.data, cut);
    check_truncated(tmp_path("cut.zst"), "zstd", a, N, cut, 4096);
    check_truncated(tmp_path("cut.zst"), "zstd", a, N, cut, 7);
    write_file(tmp_path("cut_magic.zst"), z.data, 4);
    check_truncated(tmp_path("cut_magic.zst"), "zstd", a, N, 4, 4096);
    eg__buf_free(&z);
    free(a);
}

EG_TEST(corrupt_gzip_and_zstd)
{
    enum { N = 100000 };
    unsigned char *a = malloc(N);
    fill_pattern(a, N, 7);
    eg_buf z = {0};
    gzip_member(&z, a, N);
    /* A wrong CRC-32 in the trailer: all data out, then the error. */
    z.data[z.len - 8] ^= 0x55;
    eg_source *src = NULL;
    eg_error err;
    eg_buf got = {0};
    EG_CHECK_INT(
        eg__source_open_memory(&src, "crc.gz", z.data, z.len, NULL, &err),
        EG_OK);
    EG_CHECK_INT(read_all(src, 8192, &got, &err), EG_ECORRUPT);
    EG_CHECK_INT(got.len, N);
    char want[256];
    snprintf(want, sizeof want,
             "crc.gz: corrupt gzip data at compressed byte %zu "
             "(decompressed %d): incorrect data check",
             z.len - 4, N);
    EG_CHECK_STR(err.message, want);
    eg__source_close(src);
    z.data[z.len - 8] ^= 0x55;

    /* Garbage after the last member. */
    eg__buf_append(&z, "garbage!", 8);
    got.len = 0;
    EG_CHECK_INT(
        eg__source_open_memory(&src, "trail.gz", z.data, z.len, NULL, &err),
        EG_OK);
    EG_CHECK_INT(read_all(src, 8192, &got, &err), EG_ECORRUPT);
    EG_CHECK_INT(got.len, N);
    EG_CHECK(strncmp(err.message, "trail.gz: corrupt gzip data at ", 31) == 0);
    eg__source_close(src);

    /* Non-zero bytes after zero padding. */
    z.len -= 8;
    static const unsigned char pad[] = {0, 0, 0, 0, 'x'};
    eg__buf_append(&z, pad, sizeof pad);
    got.len = 0;
    EG_CHECK_INT(
        eg__source_open_memory(&src, "pad.gz", z.data, z.len, NULL, &err),
        EG_OK);
    EG_CHECK_INT(read_all(src, 8192, &got, &err), EG_ECORRUPT);
    EG_CHECK_INT(got.len, N);
    snprintf(want, sizeof want,
             "pad.gz: corrupt gzip data at compressed byte %zu "
             "(decompressed %d): data after the zero padding that follows "
             "the last member",
             z.len - 1, N);
    EG_CHECK_STR(err.message, want);
    eg__source_close(src);

    /* zstd: a flipped byte in the first block's data. */
    z.len = 0;
    zstd_frame(&z, a, N);
    for (size_t i = 20; i < 60; i++)
        z.data[i] ^= 0xa5;
    got.len = 0;
    EG_CHECK_INT(
        eg__source_open_memory(&src, "bad.zst", z.data, z.len, NULL, &err),
        EG_OK);
    EG_CHECK_INT(read_all(src, 8192, &got, &err), EG_ECORRUPT);
    EG_CHECK(strncmp(err.message, "bad.zst: corrupt zstd data at ", 30) == 0);
    EG_CHECK(got.len == 0 || memcmp(got.data, a, got.len) == 0);
    eg__source_close(src);
    eg__buf_free(&got);
    eg__buf_free(&z);
    free(a);
}

EG_TEST(zstd_window_too_large)
{
    /* A hand-made frame: no content size, window descriptor 2^28, one raw
     * block holding "A".  `zstd -d --memory=512MB` decodes it. */
    static const unsigned char frame[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00,
                                          0x90, 0x09, 0x00, 0x00, 'A'};
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(
        eg__source_open_memory(&src, "w.zst", frame, sizeof frame, NULL, &err),
        EG_OK);
    eg_buf got = {0};
    EG_CHECK_INT(read_all(src, 64, &got, &err), EG_ELIMIT);
    EG_CHECK_INT(got.len, 0);
    const char *want = "w.zst: zstd frame needs a window above the limit of "
                       "128 MiB at compressed byte ";
    EG_CHECK(strncmp(err.message, want, strlen(want)) == 0);
    eg__buf_free(&got);
    eg__source_close(src);
}

/* Compress `total` zero bytes, streaming from a 1 MiB buffer. */
static void make_gzip_zeros(const char *path, uint64_t total)
{
    static unsigned char zero[1 << 20], out[1 << 16];
    FILE *f = fopen(path, "wb");
    z_stream z = {0};
    EG_CHECK(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9,
                          Z_DEFAULT_STRATEGY) == Z_OK);
    for (uint64_t left = total;;) {
        size_t n = left < sizeof zero ? (size_t)left : sizeof zero;
        left -= n;
        z.next_in = zero;
        z.avail_in = (uInt)n;
        int flush = left ? Z_NO_FLUSH : Z_FINISH;
        do {
            z.next_out = out;
            z.avail_out = sizeof out;
            deflate(&z, flush);
            fwrite(out, 1, sizeof out - z.avail_out, f);
        } while (z.avail_out == 0);
        if (!left)
            break;
    }
    deflateEnd(&z);
    fclose(f);
}

static void make_zstd_zeros(const char *path, uint64_t total)
{
    static unsigned char zero[1 << 20], out[1 << 16];
    FILE *f = fopen(path, "wb");
    ZSTD_CCtx *c = ZSTD_createCCtx();
    for (uint64_t left = total;;) {
        size_t n = left < sizeof zero ? (size_t)left : sizeof zero;
        left -= n;
        ZSTD_inBuffer in = {zero, n, 0};
        ZSTD_EndDirective mode = left ? ZSTD_e_continue : ZSTD_e_end;
        size_t r;
        do {
            ZSTD_outBuffer o = {out, sizeof out, 0};
            r = ZSTD_compressStream2(c, &o, &in, mode);
            fwrite(out, 1, o.pos, f);
        } while (mode == ZSTD_e_end ? r != 0 : in.pos < in.size);
        if (!left)
            break;
    }
    ZSTD_freeCCtx(c);
    fclose(f);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Read a bomb with limits; expect EG_ELIMIT after exactly `want_bytes`
 * (or, when 0, any count) and the exact message `want`. */
static void check_bomb(const char *path, eg_source_limits lim,
                       uint64_t want_bytes, const char *want_prefix)
{
    eg_source *src = NULL;
    eg_error err;
    long rss_before = max_rss_kib();
    double t0 = now_seconds();
    EG_CHECK_INT(eg__source_open(&src, path, &lim, &err), EG_OK);
    if (!src)
        return;
    static unsigned char buf[65536];
    uint64_t total = 0;
    size_t got;
    int rc;
    while ((rc = eg__source_read(src, buf, sizeof buf, &got, &err)) == EG_OK &&
           got)
        total += got;
    EG_CHECK_INT(rc, EG_ELIMIT);
    if (want_bytes)
        EG_CHECK_INT(total, want_bytes);
    char want[512];
    snprintf(want, sizeof want, "%s%llu", want_prefix,
             (unsigned long long)total);
    EG_CHECK_STR(err.message, want);
    eg__source_close(src);
    EG_CHECK(now_seconds() - t0 < 5.0);
    /* Bounded memory: reading grew the peak RSS by well under 64 MiB
     * (the bomb holds 200 MB). */
    EG_CHECK(max_rss_kib() - rss_before < 64 * 1024);
}

EG_TEST(bombs_and_ratio)
{
    const uint64_t big = (uint64_t)200 * 1000 * 1000;
    const char *gz = tmp_path("bomb.gz"), *zst = tmp_path("bomb.zst");
    make_gzip_zeros(gz, big);
    make_zstd_zeros(zst, big);
    char prefix[512];

    /* Size limit: exactly the first 8 MiB come out, then EG_ELIMIT. */
    eg_source_limits lim = {8u << 20, 0, 0};
    snprintf(prefix, sizeof prefix,
             "%s: decompressed size exceeds the limit of 8388608 bytes at "
             "decompressed byte ",
             gz);
    check_bomb(gz, lim, 8u << 20, prefix);
    snprintf(prefix, sizeof prefix,
             "%s: decompressed size exceeds the limit of 8388608 bytes at "
             "decompressed byte ",
             zst);
    check_bomb(zst, lim, 8u << 20, prefix);

    /* Ratio: zstd squeezes zeros far beyond 1000:1; gzip (about 1030:1)
     * is caught with a 100:1 cap.  Both just past 1 MiB out. */
    lim = (eg_source_limits){0, 1000, 0};
    snprintf(prefix, sizeof prefix,
             "%s: decompression ratio above 1000:1 at decompressed byte ", zst);
    check_bomb(zst, lim, 0, prefix);
    lim = (eg_source_limits){0, 100, 0};
    snprintf(prefix, sizeof prefix,
             "%s: decompression ratio above 100:1 at decompressed byte ", gz);
    check_bomb(gz, lim, 0, prefix);

    /* The ratio error comes soon after 1 MiB, not at the end. */
    eg_source *src = NULL;
    eg_error err;
    lim = (eg_source_limits){0, 1000, 0};
    EG_CHECK_INT(eg__source_open(&src, zst, &lim, &err), EG_OK);
    eg_buf got = {0};
    EG_CHECK_INT(read_all(src, 65536, &got, &err), EG_ELIMIT);
    EG_CHECK(got.len > (1u << 20) && got.len < (3u << 20));
    eg__buf_free(&got);
    eg__source_close(src);
}

EG_TEST(limits_at_the_edge)
{
    /* Small but highly compressible (512 KiB of zeros, ~1000:1): fine,
     * since the ratio is only checked past 1 MiB. */
    const char *gz = tmp_path("small_zeros.gz");
    make_gzip_zeros(gz, 512 * 1024);
    eg_source_limits lim = {0, 10, 0};
    unsigned char *zeros = calloc(1, 512 * 1024);
    eg_source *src = NULL;
    eg_error err;
    eg_buf got = {0};
    EG_CHECK_INT(eg__source_open(&src, gz, &lim, &err), EG_OK);
    EG_CHECK_INT(read_all(src, 4096, &got, &err), EG_OK);
    EG_CHECK_INT(got.len, 512 * 1024);
    EG_CHECK(memcmp(got.data, zeros, got.len) == 0);
    eg__source_close(src);

    /* A stream of exactly the limit ends cleanly; one byte more fails
     * after the limit's bytes. */
    eg_buf z = {0};
    zstd_frame(&z, "0123456789", 10);
    lim = (eg_source_limits){10, 0, 0};
    got.len = 0;
    EG_CHECK_INT(
        eg__source_open_memory(&src, "ten.zst", z.data, z.len, &lim, &err),
        EG_OK);
    EG_CHECK_INT(read_all(src, 3, &got, &err), EG_OK);
    EG_CHECK_INT(got.len, 10);
    eg__source_close(src);
    lim.max_decompressed = 9;
    got.len = 0;
    EG_CHECK_INT(
        eg__source_open_memory(&src, "ten.zst", z.data, z.len, &lim, &err),
        EG_OK);
    EG_CHECK_INT(read_all(src, 100, &got, &err), EG_ELIMIT);
    EG_CHECK_INT(got.len, 9);
    EG_CHECK_STR(err.message, "ten.zst: decompressed size exceeds the limit "
                              "of 9 bytes at decompressed byte 9");
    eg__source_close(src);
    /* Plain input has no size limit. */
    got.len = 0;
    EG_CHECK_INT(
        eg__source_open_memory(&src, "plain", "0123456789", 10, &lim, &err),
        EG_OK);
    EG_CHECK_INT(read_all(src, 100, &got, &err), EG_OK);
    EG_CHECK_INT(got.len, 10);
    eg__source_close(src);
    eg__buf_free(&z);
    eg__buf_free(&got);
    free(zeros);
}

EG_TEST(special_files_refused)
{
    eg_source *src = (eg_source *)1;
    eg_error err;
    EG_CHECK_INT(eg__source_open(&src, "/dev/zero", NULL, &err),
                 EG_EUNSUPPORTED);
    EG_CHECK(src == NULL);
    EG_CHECK_STR(err.message, "/dev/zero: is a character device, not a "
                              "regular file (skipped)");
    EG_CHECK_INT(eg__source_open(&src, "/dev/urandom", NULL, &err),
                 EG_EUNSUPPORTED);
    EG_CHECK_INT(eg__source_open(&src, tmpdir, NULL, &err), EG_EUNSUPPORTED);
    char want[512];
    snprintf(want, sizeof want,
             "%s: is a directory, not a regular file (skipped)", tmpdir);
    EG_CHECK_STR(err.message, want);

    /* A FIFO with no writer: refused at once, never blocking.  The alarm
     * turns a hang into a failure. */
    const char *fifo = tmp_path("fifo");
    EG_CHECK_INT(mkfifo(fifo, 0600), 0);
    alarm(10);
    EG_CHECK_INT(eg__source_open(&src, fifo, NULL, &err), EG_EUNSUPPORTED);
    alarm(0);
    snprintf(want, sizeof want, "%s: is a FIFO, not a regular file (skipped)",
             fifo);
    EG_CHECK_STR(err.message, want);
    /* A symlink to a device is judged by its target. */
    const char *link = tmp_path("zero_link");
    EG_CHECK_INT(symlink("/dev/zero", link), 0);
    EG_CHECK_INT(eg__source_open(&src, link, NULL, &err), EG_EUNSUPPORTED);
}

EG_TEST(missing_and_unreadable)
{
    eg_source *src = NULL;
    eg_error err;
    const char *missing = tmp_path("no/such/file");
    EG_CHECK_INT(eg__source_open(&src, missing, NULL, &err), EG_ENOTFOUND);
    char want[512];
    snprintf(want, sizeof want, "%s: no such file or directory", missing);
    EG_CHECK_STR(err.message, want);

    /* chmod 000 does not stop root, so as root the check runs in a child
     * that has dropped to uid/gid 65534 (nobody). */
    const char *locked = tmp_path("locked.txt");
    write_file(locked, "secret\n", 7);
    EG_CHECK_INT(chmod(locked, 0), 0);
    EG_CHECK_INT(chmod(tmpdir, 0755), 0);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        int rc = eg__source_open(&src, locked, NULL, &err);
        snprintf(want, sizeof want, "%s: permission denied", locked);
        _exit(rc == EG_EPERM && strcmp(err.message, want) == 0 ? 0 : 1);
    }
    int status = 0;
    EG_CHECK(waitpid(pid, &status, 0) == pid);
    EG_CHECK(WIFEXITED(status));
    EG_CHECK_INT(WEXITSTATUS(status), 0);
    EG_CHECK_INT(chmod(tmpdir, 0700), 0);
}

/* Standard input as a pipe fed by a child, and as a redirected file. */
EG_TEST(standard_input)
{
    enum { N = 200000 };
    unsigned char *a = malloc(N);
    fill_pattern(a, N, 8);
    eg_buf z = {0};
    gzip_member(&z, a, N);
    int saved = dup(0);
    int p[2];
    EG_CHECK_INT(pipe(p), 0);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        /* Dribble it in small writes to exercise short reads. */
        for (size_t off = 0; off < z.len;) {
            size_t n = z.len - off < 1000 ? z.len - off : 1000;
            ssize_t w = write(p[1], z.data + off, n);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    dup2(p[0], 0);
    close(p[0]);
    check_file_reads("-", 4096, a, N, "gzip");
    waitpid(pid, NULL, 0);

    const char *path = tmp_path("stdin.txt");
    write_file(path, "from a file\n", 12);
    int fd = open(path, O_RDONLY);
    dup2(fd, 0);
    close(fd);
    check_file_reads("-", 5, "from a file\n", 12, "none");
    dup2(saved, 0);
    close(saved);
    eg__buf_free(&z);
    free(a);
}

/* A file that shrinks while read just ends; one that grows is read on. */
EG_TEST(file_changes_while_read)
{
    enum { N = 300000 };
    unsigned char *a = malloc(N);
    fill_pattern(a, N, 9);
    const char *path = tmp_path("changing.txt");
    write_file(path, a, N);
    eg_source *src = NULL;
    eg_error err;
    EG_CHECK_INT(eg__source_open(&src, path, NULL, &err), EG_OK);
    EG_CHECK_INT(truncate(path, 200000), 0);
    eg_buf got = {0};
    EG_CHECK_INT(read_all(src, 4096, &got, &err), EG_OK);
    EG_CHECK_INT(got.len, 200000);
    EG_CHECK(memcmp(got.data, a, got.len) == 0);
    eg__source_close(src);

    write_file(path, a, 1000);
    EG_CHECK_INT(eg__source_open(&src, path, NULL, &err), EG_OK);
    FILE *f = fopen(path, "ab");
    fwrite(a + 1000, 1, 500, f);
    fclose(f);
    got.len = 0;
    EG_CHECK_INT(read_all(src, 4096, &got, &err), EG_OK);
    EG_CHECK_INT(got.len, 1500);
    eg__source_close(src);
    eg__buf_free(&got);
    free(a);
}

/* Every allocation failing in turn: EG_ENOMEM (never a crash or, under
 * ASan, a leak), and once enough succeed, the right bytes. */
static void torture_memory(const char *name, const eg_buf *z,
                           const unsigned char *want, size_t want_len)
{
    int finished = 0;
    for (uint64_t n = 1; n < 200 && !finished; n++) {
        eg__alloc_fail_at(n, false);
        eg_source *src = NULL;
        eg_error err;
        int rc =
            eg__source_open_memory(&src, name, z->data, z->len, NULL, &err);
        /* The test's own buffer is plain malloc: only the library's
         * allocations are counted and failed. */
        unsigned char *got = malloc(want_len + 4096);
        size_t len = 0;
        if (rc == EG_OK) {
            size_t g;
            while ((rc = eg__source_read(src, got + len, 4096, &g, &err)) ==
                       EG_OK &&
                   g && len + g <= want_len)
                len += g;
            eg__source_close(src);
        }
        eg__alloc_fail_at(0, false);
        if (rc == EG_OK) {
            EG_CHECK_INT(len, want_len);
            EG_CHECK(memcmp(got, want, want_len) == 0);
            finished = 1;
        } else {
            EG_CHECK_INT(rc, EG_ENOMEM);
        }
        free(got);
    }
    EG_CHECK(finished);
}

static int count_open_fds(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

/* The same over a file: every failure path closes its descriptor. */
static void torture_file(const char *path, size_t want_len)
{
    int fds_before = count_open_fds();
    int finished = 0;
    for (uint64_t n = 1; n < 200 && !finished; n++) {
        eg__alloc_fail_at(n, false);
        eg_source *src = NULL;
        eg_error err;
        int rc = eg__source_open(&src, path, NULL, &err);
        size_t len = 0;
        if (rc == EG_OK) {
            static unsigned char buf[4096];
            size_t g;
            while ((rc = eg__source_read(src, buf, sizeof buf, &g, &err)) ==
                       EG_OK &&
                   g)
                len += g;
            eg__source_close(src);
        }
        eg__alloc_fail_at(0, false);
        if (rc == EG_OK) {
            EG_CHECK_INT(len, want_len);
            finished = 1;
        } else {
            EG_CHECK_INT(rc, EG_ENOMEM);
        }
        EG_CHECK_INT(count_open_fds(), fds_before);
    }
    EG_CHECK(finished);
}

EG_TEST(allocation_failures)
{
    enum { N = 50000 };
    unsigned char *a = malloc(N);
    fill_pattern(a, N, 10);
    eg_buf z = {0};
    gzip_member(&z, a, N);
    torture_memory("t.gz", &z, a, N);
    write_file(tmp_path("torture.gz"), z.data, z.len);
    torture_file(tmp_path("torture.gz"), N);
    write_file(tmp_path("torture.txt"), a, N);
    torture_file(tmp_path("torture.txt"), N);
    z.len = 0;
    zstd_frame(&z, a, N);
    torture_memory("t.zst", &z, a, N);
    eg__buf_free(&z);
    free(a);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    EG_RUN(plain_file_small_caps);
    EG_RUN(memory_plain);
    EG_RUN(bad_arguments);
    EG_RUN(gzip_single_and_multi_member);
    EG_RUN(gzip_files_from_the_gzip_tool);
    EG_RUN(zstd_single_and_multi_frame);
    EG_RUN(truncated_gzip_and_zstd);
    EG_RUN(corrupt_gzip_and_zstd);
    EG_RUN(zstd_window_too_large);
    EG_RUN(bombs_and_ratio);
    EG_RUN(limits_at_the_edge);
    EG_RUN(special_files_refused);
    EG_RUN(missing_and_unreadable);
    EG_RUN(standard_input);
    EG_RUN(file_changes_while_read);
    EG_RUN(allocation_failures);
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return EG_TEST_END();
}
