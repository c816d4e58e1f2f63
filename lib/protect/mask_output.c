/*
 * mask_output.c: the output files of `egress mask` / `unmask` (and the
 * report): written atomically, compressed like the input, hashed.
 *
 * - Atomic: content goes to a temporary file created O_EXCL with mode 0600
 *   in the destination's directory (so rename() cannot cross a file
 *   system); on commit it is fsync()ed, renamed over the final name and
 *   the directory fsync()ed.  A failure or a crash never leaves a partial
 *   file under the final name, and an abort removes the temporary file.
 *   Masked data is often still personal information (de-identified, PIPL
 *   Art 73), hence 0600.  A device or FIFO given as output (/dev/null, a
 *   pipe) is written in place, and "-" is standard output.
 * - Never over the input: the caller names its input, and a destination
 *   that is the same file (device and inode, so also through a symlink or
 *   a hard link) is refused before anything is written.
 * - Compressed like the input: gzip through zlib (deflate with the gzip
 *   wrapper) or zstd through libzstd's streaming API, allocations through
 *   eg__malloc.  The SHA-256 is of the content before compression: offsets
 *   in the report count those bytes, and unmask checks the content it
 *   decompresses, whatever compressor made the file.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem, createCCtx_advanced */
#include "protect/mask_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#define OUTBUF (256u * 1024u)

enum { COMP_NONE, COMP_GZIP, COMP_ZSTD };

struct eg_mask_out {
    int fd;
    int own_fd; /* 0 for standard output */
    int direct; /* written in place: stdout, a device, a FIFO */
    char *path; /* final path (NULL for stdout) */
    char *tmp;  /* temporary path while writing (NULL when direct) */
    int comp;
    z_stream z;
    int z_ready;
    ZSTD_CCtx *zc;
    unsigned char *buf; /* compressed bytes waiting to be written */
    size_t blen;
    EVP_MD_CTX *sha;
    uint64_t bytes;
    eg_buf *mem; /* memory target (tests, fuzzing): no file at all */
    int gb;      /* content arrives as UTF-8, is written as GB18030 */
    unsigned char carry[4]; /* a character cut by the end of a write */
    size_t ncarry;
};

void eg__hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int eg__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-"))
        return 0;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* ------------------------------------------------------------ raw write */

static int write_all(eg_mask_out *o, const void *p, size_t n, eg_error *err)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(o->fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return eg__fail(err, EG_EIO, "%s: cannot write output: %s",
                            o->path ? o->path : "standard output",
                            strerror(w < 0 ? errno : EIO));
        c += w;
        n -= (size_t)w;
    }
    return EG_OK;
}

static int flush_buf(eg_mask_out *o, eg_error *err)
{
    int rc = o->blen ? write_all(o, o->buf, o->blen, err) : EG_OK;
    o->blen = 0;
    return rc;
}

/* ------------------------------------------------------------ compressors */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return eg__malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    eg__free(p);
}

static void *zs_alloc(void *opaque, size_t n)
{
    (void)opaque;
    return eg__malloc(n);
}

static void zs_free(void *opaque, void *p)
{
    (void)opaque;
    eg__free(p);
}

static int start_compressor(eg_mask_out *o, int level, eg_error *err)
{
    if (o->comp == COMP_GZIP) {
        o->z.zalloc = z_alloc;
        o->z.zfree = z_free;
        int lv = level > 0 && level <= 9 ? level : 6;
        if (deflateInit2(&o->z, lv, Z_DEFLATED, 16 + MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK)
            return eg__fail(err, EG_ENOMEM, "out of memory for gzip");
        o->z_ready = 1;
    } else if (o->comp == COMP_ZSTD) {
        ZSTD_customMem mem = {zs_alloc, zs_free, NULL};
        o->zc = ZSTD_createCCtx_advanced(mem);
        int lv = level > 0 && level <= 19 ? level : 3;
        if (!o->zc ||
            ZSTD_isError(
                ZSTD_CCtx_setParameter(o->zc, ZSTD_c_compressionLevel, lv)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(o->zc, ZSTD_c_checksumFlag, 1)))
            return eg__fail(err, EG_ENOMEM, "out of memory for zstd");
    }
    return EG_OK;
}

static int gzip_feed(eg_mask_out *o, const void *p, size_t n, int finish,
                     eg_error *err)
{
    o->z.next_in = (Bytef *)(uintptr_t)p;
    o->z.avail_in = (uInt)n;
    for (;;) {
        o->z.next_out = o->buf + o->blen;
        o->z.avail_out = (uInt)(OUTBUF - o->blen);
        int zr = deflate(&o->z, finish ? Z_FINISH : Z_NO_FLUSH);
        o->blen = OUTBUF - o->z.avail_out;
        if (zr == Z_STREAM_ERROR || zr == Z_MEM_ERROR)
            return eg__fail(err, EG_ENOMEM, "gzip compression failed");
        if (o->blen == OUTBUF && flush_buf(o, err) != EG_OK)
            return err->code;
        if (finish ? zr == Z_STREAM_END
                   : (o->z.avail_in == 0 && o->z.avail_out != 0))
            return EG_OK;
    }
}

static int zstd_feed(eg_mask_out *o, const void *p, size_t n, int finish,
                     eg_error *err)
{
    ZSTD_inBuffer in = {p, n, 0};
    for (;;) {
        ZSTD_outBuffer out = {o->buf, OUTBUF, o->blen};
        size_t r = ZSTD_compressStream2(o->zc, &out, &in,
                                        finish ? ZSTD_e_end : ZSTD_e_continue);
        o->blen = out.pos;
        if (ZSTD_isError(r))
            return eg__fail(err, EG_ENOMEM, "zstd compression failed: %s",
                            ZSTD_getErrorName(r));
        if (o->blen == OUTBUF && flush_buf(o, err) != EG_OK)
            return err->code;
        if (finish ? r == 0 : in.pos == in.size)
            return EG_OK;
    }
}

/* ----------------------------------------------------------------- open */

static int open_temp(eg_mask_out *o, eg_error *err)
{
    size_t n = strlen(o->path);
    o->tmp = eg__malloc(n + 48);
    if (!o->tmp)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(o->tmp, n + 48, "%s.egress-tmp.%ld.%d", o->path,
                 (long)getpid(), attempt);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (o->fd >= 0) {
            o->own_fd = 1;
            return EG_OK;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    eg__free(o->tmp);
    o->tmp = NULL;
    return eg__fail(err, e == EACCES || e == EPERM ? EG_EPERM : EG_EIO,
                    "%s: cannot create output: %s", o->path, strerror(e));
}

static int open_target(eg_mask_out *o, const char *path, eg_error *err)
{
    struct stat st;
    if (!strcmp(path, "-")) {
        o->fd = STDOUT_FILENO;
        o->direct = 1;
        return EG_OK;
    }
    if (!(o->path = eg__strdup(path)))
        return eg__fail(err, EG_ENOMEM, "out of memory");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return eg__fail(err, EG_EINVAL, "%s: is a directory", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
        if (o->fd < 0)
            return eg__fail(err, EG_EIO, "%s: cannot open output: %s", path,
                            strerror(errno));
        o->own_fd = 1;
        o->direct = 1;
        return EG_OK;
    }
    return open_temp(o, err);
}

int eg__mask_out_open(eg_mask_out **out, const char *path,
                      const char *compression, int level, const char *input,
                      eg_error *err)
{
    *out = NULL;
    if (!path || !*path)
        return eg__fail(err, EG_EINVAL, "no output path");
    if (input && eg__same_file(path, input))
        return eg__fail(err, EG_EPERM,
                        "%s: refusing to write over the input %s", path, input);
    eg_mask_out *o = eg__calloc(1, sizeof *o);
    if (!o)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    o->fd = -1;
    o->comp = !compression || !strcmp(compression, "none") ? COMP_NONE
              : !strcmp(compression, "gzip")               ? COMP_GZIP
                                                           : COMP_ZSTD;
    int rc = EG_OK;
    o->buf = eg__malloc(OUTBUF);
    o->sha = EVP_MD_CTX_new();
    if (!o->buf || !o->sha)
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    else if (EVP_DigestInit_ex(o->sha, EVP_sha256(), NULL) != 1)
        rc = eg__fail(err, EG_ERROR, "SHA-256 is not available");
    if (rc == EG_OK)
        rc = start_compressor(o, level, err);
    if (rc == EG_OK)
        rc = open_target(o, path, err);
    if (rc != EG_OK) {
        eg__mask_out_abort(o);
        return rc;
    }
    *out = o;
    return EG_OK;
}

/* ---------------------------------------------------------------- write */

int eg__mask_out_open_memory(eg_mask_out **out, eg_buf *dst, eg_error *err)
{
    *out = NULL;
    eg_mask_out *o = eg__calloc(1, sizeof *o);
    if (!o || !(o->sha = EVP_MD_CTX_new())) {
        eg__free(o);
        return eg__fail(err, EG_ENOMEM, "out of memory");
    }
    o->fd = -1;
    o->mem = dst;
    if (EVP_DigestInit_ex(o->sha, EVP_sha256(), NULL) != 1) {
        eg__mask_out_abort(o);
        return eg__fail(err, EG_ERROR, "SHA-256 is not available");
    }
    *out = o;
    return EG_OK;
}

static int write_content(eg_mask_out *o, const void *p, size_t n,
                         eg_error *err);

void eg__mask_out_gb18030(eg_mask_out *o)
{
    o->gb = 1;
}

/* UTF-8 in, GB18030 out, in pieces; a character cut by the end of `p`
 * waits in o->carry for the next write (or the commit: `final`). */
static int write_encoded(eg_mask_out *o, const unsigned char *p, size_t n,
                         int final, eg_error *err)
{
    enum { PIECE = 16384 };
    unsigned char in[PIECE + 4], out[2 * (PIECE + 4) + 8];
    int rc = EG_OK;
    do {
        size_t take = n < PIECE ? n : PIECE;
        memcpy(in, o->carry, o->ncarry);
        memcpy(in + o->ncarry, p, take);
        size_t len = o->ncarry + take, made = 0;
        int last = final && take == n;
        size_t used = eg__gb_encode(in, len, last, out, sizeof out, &made);
        o->ncarry = len - used; /* < 4: out always has room for the rest */
        memcpy(o->carry, in + used, o->ncarry);
        rc = write_content(o, out, made, err);
        p += take;
        n -= take;
    } while (rc == EG_OK && n > 0);
    return rc;
}

int eg__mask_out_write(eg_mask_out *o, const void *p, size_t n, eg_error *err)
{
    if (n == 0)
        return EG_OK;
    if (o->gb)
        return write_encoded(o, p, n, 0, err);
    return write_content(o, p, n, err);
}

static int write_content(eg_mask_out *o, const void *p, size_t n, eg_error *err)
{
    if (n == 0)
        return EG_OK;
    EVP_DigestUpdate(o->sha, p, n);
    o->bytes += n;
    if (o->mem)
        return eg__buf_append(o->mem, p, n) == EG_OK
                   ? EG_OK
                   : eg__fail(err, EG_ENOMEM, "out of memory");
    if (o->comp == COMP_GZIP) {
        /* zlib counts input in uInt: feed large writes in pieces */
        const char *c = p;
        while (n) {
            size_t k = n > (1u << 30) ? (1u << 30) : n;
            int rc = gzip_feed(o, c, k, 0, err);
            if (rc != EG_OK)
                return rc;
            c += k;
            n -= k;
        }
        return EG_OK;
    }
    if (o->comp == COMP_ZSTD)
        return zstd_feed(o, p, n, 0, err);
    if (o->blen + n > OUTBUF) {
        int rc = flush_buf(o, err);
        if (rc != EG_OK)
            return rc;
        if (n >= OUTBUF)
            return write_all(o, p, n, err);
    }
    memcpy(o->buf + o->blen, p, n);
    o->blen += n;
    return EG_OK;
}

static void sync_dir(const char *path)
{
    char *copy = eg__strdup(path);
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    if (slash == copy)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = copy;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    eg__free(copy);
}

static void release(eg_mask_out *o)
{
    if (o->z_ready)
        deflateEnd(&o->z);
    ZSTD_freeCCtx(o->zc);
    EVP_MD_CTX_free(o->sha);
    eg__free(o->buf);
    eg__free(o->path);
    eg__free(o->tmp);
    eg__free(o);
}

int eg__mask_out_commit(eg_mask_out *o, unsigned char sha[32], uint64_t *bytes,
                        eg_error *err)
{
    int rc = EG_OK;
    if (o->gb && o->ncarry)
        rc = write_encoded(o, (const unsigned char *)"", 0, 1, err);
    if (rc == EG_OK && o->comp == COMP_GZIP)
        rc = gzip_feed(o, NULL, 0, 1, err);
    else if (o->comp == COMP_ZSTD)
        rc = zstd_feed(o, NULL, 0, 1, err);
    if (rc == EG_OK)
        rc = flush_buf(o, err);
    unsigned char md[32];
    unsigned mdlen = 0;
    EVP_DigestFinal_ex(o->sha, md, &mdlen);
    if (sha)
        memcpy(sha, md, 32);
    if (bytes)
        *bytes = o->bytes;
    const char *name = o->path ? o->path : "standard output";
    if (rc == EG_OK && o->tmp && fsync(o->fd) != 0)
        rc = eg__fail(err, EG_EIO, "%s: cannot write output: %s", name,
                      strerror(errno));
    if (o->own_fd && close(o->fd) != 0 && rc == EG_OK)
        rc = eg__fail(err, EG_EIO, "%s: cannot write output: %s", name,
                      strerror(errno));
    o->own_fd = 0;
    if (rc == EG_OK && o->tmp && rename(o->tmp, o->path) != 0)
        rc =
            eg__fail(err, EG_EIO, "%s: cannot rename the output into place: %s",
                     name, strerror(errno));
    if (o->tmp) {
        if (rc != EG_OK)
            unlink(o->tmp);
        else
            sync_dir(o->path);
    }
    release(o);
    return rc;
}

void eg__mask_out_abort(eg_mask_out *o)
{
    if (!o)
        return;
    if (o->own_fd && o->fd >= 0)
        close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    release(o);
}

/* ----------------------------------------------------- hashing a source */

int eg__source_sha256(eg_source *src, unsigned char sha[32], uint64_t *bytes,
                      eg_error *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *buf = eg__malloc(OUTBUF);
    int rc = EG_OK;
    if (!ctx || !buf)
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    else if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        rc = eg__fail(err, EG_ERROR, "SHA-256 is not available");
    *bytes = 0;
    while (rc == EG_OK) {
        size_t got = 0;
        rc = eg__source_read(src, buf, OUTBUF, &got, err);
        if (rc != EG_OK || got == 0)
            break;
        EVP_DigestUpdate(ctx, buf, got);
        *bytes += got;
    }
    unsigned mdlen = 0;
    if (rc == EG_OK)
        EVP_DigestFinal_ex(ctx, sha, &mdlen);
    EVP_MD_CTX_free(ctx);
    eg__free(buf);
    return rc;
}
