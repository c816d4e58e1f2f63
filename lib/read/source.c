/*
 * source.c: the input layer's core.  A source yields the bytes of one input
 * (a regular file, standard input, or memory) in order, decompressing gzip
 * and zstd on the fly when the first bytes carry their magic.
 *
 * Why it is built this way:
 * - Files are opened O_NONBLOCK after a stat() and checked again with
 *   fstat(): a FIFO, socket, device or directory named by the user is
 *   refused with a message naming its kind, and a FIFO can never block the
 *   scan (stat() does not open it; opening non-blocking cannot hang if it
 *   appears between the two calls).  Regular files then go back to blocking
 *   reads.  Standard input is read as the stream it is.
 * - Memory is bounded whatever the input: one 128 KiB input buffer plus the
 *   decoder's state.  Plain input is read straight into the caller's buffer.
 * - The limits (decompressed size, compression ratio) and every message
 *   live here, not in the decoders, so gzip and zstd report the same way:
 *   the path and byte offsets, never input bytes.
 * - An error found after some bytes were produced in a call is deferred:
 *   those bytes are returned first (EG_OK), and the error comes with the
 *   next call and every call after it.  So bytes returned are always valid
 *   and the scan keeps what it found before a truncation.
 */
#include "read/source_int.h"

#include "read/charset.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EG_SOURCE_INBUF (128u * 1024u)
#define EG_RATIO_AFTER ((uint64_t)1 << 20) /* ratio checked past 1 MiB out */
#define EG_DEFAULT_MAX_DECOMPRESSED ((uint64_t)16 << 30)
#define EG_DEFAULT_MAX_RATIO 1000u

struct eg_source {
    char *path;           /* as opened / the display name, used in messages */
    int fd;               /* -1 for a memory source */
    int own_fd;           /* 0 for standard input: never closed by us */
    int is_stream;        /* not a regular file: return what we have rather than
                             block for more */
    unsigned char *inbuf; /* the one input buffer (fd sources) */
    const unsigned char *in; /* pending raw bytes: inbuf or the memory */
    size_t in_len, in_pos;
    int raw_eof;                /* no raw bytes will come any more */
    uint64_t raw_total;         /* raw bytes read from the fd */
    const eg_decoder_type *dec; /* NULL: plain */
    void *dec_state;
    uint64_t in_total;  /* compressed bytes consumed by the decoder */
    uint64_t out_total; /* bytes yielded to the caller */
    eg_source_limits limits;
    int done;       /* the end was reached and reported */
    int err_code;   /* sticky error (EG_OK while none) */
    eg_error saved; /* its message */
    /* The charset layer above the bytes (charset.h): AUTO reads the bytes
     * as they are while they are ASCII, and at the first other byte looks
     * ahead (`stage`) to decide between UTF-8 (as they are, from then on)
     * and GB18030 (decoded, `gb`).  The map is kept only when asked. */
    int cs;               /* CS_* below */
    unsigned char *stage; /* bytes read ahead and not yet decoded/yielded */
    size_t st_pos, st_len, st_cap;
    int st_end; /* the bytes below the stage are exhausted */
    eg_gbdec *gb;
    int keep_map;
    eg_offmap map;
    uint64_t yielded;      /* bytes given to the caller */
    uint64_t consumed;     /* bytes of the layer below used for them */
    unsigned char pend[8]; /* decoded for a caller's tiny buffer, not yet
                              yielded */
    size_t pend_pos, pend_len;
};

enum { CS_PLAIN, CS_UNDECIDED, CS_GB };
#define EG_STAGE (64u * 1024u)
#define EG_SNIFF_AHEAD 8192u

const char *eg__source_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a FIFO";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFLNK:
        return "a symbolic link";
    default:
        return "a special file";
    }
}

int eg__source_fail_errno(eg_error *err, const char *path, int errnum,
                          const char *doing)
{
    switch (errnum) {
    case ENOENT:
    case ENOTDIR:
        return eg__fail(err, EG_ENOTFOUND, "%s: no such file or directory",
                        path);
    case EACCES:
    case EPERM:
        return eg__fail(err, EG_EPERM, "%s: permission denied", path);
    case ELOOP:
        return eg__fail(err, EG_EUNSUPPORTED,
                        "%s: symlink loop (too many levels of symbolic "
                        "links)",
                        path);
    case ENOMEM:
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", path);
    default:
        return eg__fail(err, EG_EIO, "%s: cannot %s: %s", path, doing,
                        strerror(errnum));
    }
}

static int refuse_kind(eg_error *err, const char *path, unsigned mode)
{
    return eg__fail(err, EG_EUNSUPPORTED,
                    "%s: is %s, not a regular file (skipped)", path,
                    eg__source_file_kind(mode));
}

/* Open a named regular file.  stat() first so that a FIFO or device is
 * refused without being opened at all; fstat() after open() is the check
 * that counts (the path may have changed in between). */
static int open_regular(const char *path, int *fd_out, eg_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return eg__source_fail_errno(err, path, errno, "stat");
    if (!S_ISREG(st.st_mode))
        return refuse_kind(err, path, (unsigned)st.st_mode);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return eg__source_fail_errno(err, path, errno, "open");
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return eg__source_fail_errno(err, path, e, "stat");
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return refuse_kind(err, path, (unsigned)st.st_mode);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        return eg__source_fail_errno(err, path, e, "set blocking mode on");
    }
    *fd_out = fd;
    return EG_OK;
}

/* read() that retries on EINTR and waits (poll) when a descriptor we do
 * not own, such as an inherited standard input, is non-blocking. */
static ssize_t read_retry(int fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, -1) >= 0 || errno == EINTR)
                continue;
        }
        return -1;
    }
}

static int read_failed(eg_source *src, int errnum, eg_error *err)
{
    return eg__fail(err, EG_EIO, "%s: read error at byte %llu: %s", src->path,
                    (unsigned long long)src->raw_total, strerror(errnum));
}

/* Append raw bytes to the input buffer (resetting it when all was used). */
static int refill(eg_source *src, eg_error *err)
{
    if (src->in_pos == src->in_len)
        src->in_pos = src->in_len = 0;
    ssize_t n = read_retry(src->fd, src->inbuf + src->in_len,
                           EG_SOURCE_INBUF - src->in_len);
    if (n < 0)
        return read_failed(src, errno, err);
    if (n == 0)
        src->raw_eof = 1;
    src->in_len += (size_t)n;
    src->raw_total += (uint64_t)n;
    return EG_OK;
}

static int is_zstd_magic(const unsigned char *p, size_t n)
{
    if (n < 4)
        return 0;
    if (p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return 1;
    /* A skippable frame (0x184D2A50..5F little-endian) starts pzstd
     * output and seekable zstd files. */
    return (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d &&
           p[3] == 0x18;
}

static int start_decoder(eg_source *src, eg_error *err)
{
    const unsigned char *p = src->in + src->in_pos;
    size_t n = src->in_len - src->in_pos;
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        src->dec = &eg__decoder_gzip;
    else if (is_zstd_magic(p, n))
        src->dec = &eg__decoder_zstd;
    if (src->dec && src->dec->init(&src->dec_state) != EG_OK) {
        src->dec = NULL;
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", src->path);
    }
    return EG_OK;
}

static int source_new(eg_source **out, const char *name,
                      const eg_source_limits *limits, eg_error *err)
{
    eg_source *src = eg__calloc(1, sizeof *src);
    if (!src)
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", name);
    src->fd = -1;
    src->path = eg__strdup(name);
    if (!src->path) {
        eg__free(src);
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", name);
    }
    if (limits) {
        src->limits = *limits;
        src->cs = limits->charset == EG_CHARSET_AUTO      ? CS_UNDECIDED
                  : limits->charset == EG_CHARSET_GB18030 ? CS_GB
                                                          : CS_PLAIN;
    } else {
        src->limits.max_decompressed = EG_DEFAULT_MAX_DECOMPRESSED;
        src->limits.max_ratio = EG_DEFAULT_MAX_RATIO;
    }
    *out = src;
    return EG_OK;
}

/* Take over `fd`, read the first bytes and pick the decoder. */
static int source_attach_fd(eg_source *src, int fd, int own, eg_error *err)
{
    src->fd = fd;
    src->own_fd = own;
    struct stat st;
    src->is_stream = fstat(fd, &st) != 0 || !S_ISREG(st.st_mode);
    src->inbuf = eg__malloc(EG_SOURCE_INBUF);
    if (!src->inbuf)
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", src->path);
    src->in = src->inbuf;
    while (src->in_len < 4 && !src->raw_eof) {
        int rc = refill(src, err);
        if (rc != EG_OK)
            return rc;
    }
    return start_decoder(src, err);
}

int eg__source_open(eg_source **out, const char *path,
                    const eg_source_limits *limits, eg_error *err)
{
    if (!out || !path)
        return eg__fail(err, EG_EINVAL, "eg__source_open: NULL argument");
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    int fd = 0;
    if (!is_stdin) {
        int rc = open_regular(path, &fd, err);
        if (rc != EG_OK)
            return rc;
    }
    eg_source *src = NULL;
    int rc = source_new(&src, path, limits, err);
    if (rc != EG_OK) {
        if (!is_stdin)
            close(fd);
        return rc;
    }
    rc = source_attach_fd(src, fd, !is_stdin, err);
    if (rc != EG_OK) {
        eg__source_close(src);
        return rc;
    }
    *out = src;
    return EG_OK;
}

int eg__source_open_memory(eg_source **out, const char *display,
                           const void *data, size_t len,
                           const eg_source_limits *limits, eg_error *err)
{
    if (!out || (!data && len))
        return eg__fail(err, EG_EINVAL,
                        "eg__source_open_memory: NULL argument");
    *out = NULL;
    eg_source *src = NULL;
    int rc = source_new(&src, display ? display : "<memory>", limits, err);
    if (rc != EG_OK)
        return rc;
    src->in = data ? data : (const void *)""; /* never NULL + 0 */
    src->in_len = len;
    src->raw_eof = 1;
    src->raw_total = len;
    rc = start_decoder(src, err);
    if (rc != EG_OK) {
        eg__source_close(src);
        return rc;
    }
    *out = src;
    return EG_OK;
}

static int read_plain(eg_source *src, unsigned char *buf, size_t cap,
                      size_t *made, eg_error *err)
{
    size_t pending = src->in_len - src->in_pos;
    if (pending) {
        size_t n = pending < cap ? pending : cap;
        memcpy(buf, src->in + src->in_pos, n);
        src->in_pos += n;
        *made = n;
        return EG_OK;
    }
    if (src->raw_eof)
        return EG_OK;
    ssize_t n = read_retry(src->fd, buf, cap);
    if (n < 0)
        return read_failed(src, errno, err);
    if (n == 0)
        src->raw_eof = 1;
    src->raw_total += (uint64_t)n;
    *made = (size_t)n;
    return EG_OK;
}

static int decode_failed(eg_source *src, int drc, const char *why,
                         eg_error *err)
{
    unsigned long long in = src->in_total, out = src->out_total;
    switch (drc) {
    case EG_DECODE_NOMEM:
        return eg__fail(err, EG_ENOMEM, "%s: out of memory while decompressing",
                        src->path);
    case EG_DECODE_WINDOW:
        return eg__fail(err, EG_ELIMIT,
                        "%s: zstd frame needs a window above the limit of "
                        "128 MiB at compressed byte %llu",
                        src->path, in);
    default:
        return eg__fail(err, EG_ECORRUPT,
                        "%s: corrupt %s data at compressed byte %llu "
                        "(decompressed %llu): %s",
                        src->path, src->dec->name, in, out,
                        why ? why : "invalid data");
    }
}

static int ratio_exceeded(const eg_source *src)
{
    uint64_t r = src->limits.max_ratio;
    if (r == 0 || src->out_total <= EG_RATIO_AFTER)
        return 0;
    if (src->in_total > UINT64_MAX / r)
        return 0;
    return src->out_total > src->in_total * r;
}

/* One decoder step over the pending input; updates counters and *made.
 * Sets *stalled when nothing moved. */
static int decode_step(eg_source *src, unsigned char *out, size_t room,
                       size_t *made, int counting, int *stalled, int *boundary,
                       eg_error *err)
{
    eg_decode_io io = {src->in + src->in_pos,
                       src->in_len - src->in_pos,
                       0,
                       out + *made,
                       room - *made,
                       0,
                       0};
    const char *why = NULL;
    int drc = src->dec->step(src->dec_state, &io, &why);
    src->in_pos += io.in_used;
    src->in_total += io.in_used;
    *made += io.out_made;
    if (counting)
        src->out_total += io.out_made;
    if (drc != EG_OK)
        return decode_failed(src, drc, why, err);
    *stalled = io.in_used == 0 && io.out_made == 0;
    *boundary = io.at_boundary;
    return EG_OK;
}

/* After a decoder step: EG_OK to go on, STEP_END at the clean end, or the
 * error (truncation, no progress, ratio). */
enum { STEP_END = 1 };

static int check_step(eg_source *src, int stalled, int boundary, eg_error *err)
{
    if (stalled && src->in_pos < src->in_len)
        return decode_failed(src, EG_DECODE_CORRUPT, "decoder made no progress",
                             err);
    if (stalled && src->raw_eof) {
        if (boundary)
            return STEP_END;
        return eg__fail(err, EG_ECORRUPT,
                        "%s: truncated %s stream at compressed byte %llu "
                        "(decompressed %llu)",
                        src->path, src->dec->name,
                        (unsigned long long)src->in_total,
                        (unsigned long long)src->out_total);
    }
    if (ratio_exceeded(src))
        return eg__fail(err, EG_ELIMIT,
                        "%s: decompression ratio above %u:1 at decompressed "
                        "byte %llu",
                        src->path, (unsigned)src->limits.max_ratio,
                        (unsigned long long)src->out_total);
    return EG_OK;
}

/* Decompress into buf.  Past the size limit, one probe byte (not counted,
 * not returned) tells a stream that ends exactly at the limit from one
 * that goes on. */
static int read_decoded(eg_source *src, unsigned char *buf, size_t cap,
                        size_t *made, eg_error *err)
{
    unsigned char probe;
    unsigned char *out = buf;
    size_t room = cap, n = 0;
    uint64_t limit = src->limits.max_decompressed;
    int probing = limit && src->out_total == limit;
    if (probing) {
        out = &probe;
        room = 1;
    } else if (limit && limit - src->out_total < room) {
        room = (size_t)(limit - src->out_total);
    }
    int rc = EG_OK;
    while (rc == EG_OK && n < room) {
        if (src->in_pos == src->in_len && !src->raw_eof) {
            if (n > 0 && src->is_stream)
                break; /* give the caller what we have, not block */
            rc = refill(src, err);
            continue;
        }
        int stalled = 0, boundary = 0;
        rc =
            decode_step(src, out, room, &n, !probing, &stalled, &boundary, err);
        if (rc == EG_OK && probing && n > 0)
            rc = eg__fail(err, EG_ELIMIT,
                          "%s: decompressed size exceeds the limit of %llu "
                          "bytes at decompressed byte %llu",
                          src->path, (unsigned long long)limit,
                          (unsigned long long)src->out_total);
        if (rc == EG_OK)
            rc = check_step(src, stalled, boundary, err);
    }
    *made = probing ? 0 : n;
    if (rc == STEP_END) {
        src->done = 1;
        rc = EG_OK;
    }
    return rc;
}

/* The bytes of the input, decompressed: the layer below the charset. */
static int read_bytes(eg_source *src, unsigned char *buf, size_t cap,
                      size_t *got, eg_error *err)
{
    *got = 0;
    if (src->err_code != EG_OK) {
        if (err)
            *err = src->saved;
        return src->err_code;
    }
    if (src->done)
        return EG_OK;
    eg_error local;
    eg__error_clear(&local);
    size_t made = 0;
    int rc = src->dec ? read_decoded(src, buf, cap, &made, &local)
                      : read_plain(src, buf, cap, &made, &local);
    if (!src->dec) {
        src->out_total += made;
        if (rc == EG_OK && made == 0)
            src->done = 1;
    }
    if (rc != EG_OK) {
        src->err_code = rc;
        src->saved = local;
        src->saved.code = rc;
        if (made > 0) { /* deliver the bytes; the error comes next call */
            *got = made;
            return EG_OK;
        }
        if (err)
            *err = src->saved;
        return rc;
    }
    *got = made;
    return EG_OK;
}

/* ------------------------------------------------------ charset layer */

/* The stage, with room for at least `need` bytes (nothing staged yet). */
static int stage_alloc(eg_source *src, size_t need, eg_error *err)
{
    if (need < EG_STAGE)
        need = EG_STAGE;
    if (src->st_cap >= need)
        return EG_OK;
    unsigned char *p = eg__realloc(src->stage, need);
    if (!p)
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", src->path);
    src->stage = p;
    src->st_cap = need;
    return EG_OK;
}

/* Read more of the layer below into the stage, up to `want` bytes staged
 * (`patient`: wait for them on a pipe; else take what a pipe has now).
 * An error ends the stage (st_end): the staged bytes are yielded first and
 * the error, kept by the layer below, comes with the call after them. */
static void stage_fill(eg_source *src, size_t want, int patient)
{
    if (src->st_pos == src->st_len) {
        src->st_pos = src->st_len = 0;
    } else if (src->st_pos > 0 && src->st_len - src->st_pos < 16) {
        memmove(src->stage, src->stage + src->st_pos,
                src->st_len - src->st_pos);
        src->st_len -= src->st_pos;
        src->st_pos = 0;
    }
    if (want > src->st_cap - src->st_pos)
        want = src->st_cap - src->st_pos;
    while (!src->st_end && src->st_len - src->st_pos < want) {
        size_t got = 0;
        eg_error e;
        int rc = read_bytes(src, src->stage + src->st_len,
                            src->st_cap - src->st_len, &got, &e);
        if (rc != EG_OK || got == 0) {
            src->st_end = 1;
            break;
        }
        src->st_len += got;
        if (src->is_stream && !patient)
            break;
    }
}

static size_t first_high_byte(const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

/* At the first non-ASCII byte: look ahead and choose for the rest. */
static int decide(eg_source *src, eg_error *err)
{
    stage_fill(src, EG_SNIFF_AHEAD, 1);
    /* exactly the next 8 KiB (or the rest): how much happened to be read
     * ahead must not change the decision, or the scan and the mask passes
     * (which read in different pieces) could decode one file two ways */
    size_t n = src->st_len - src->st_pos;
    int at_end = src->st_end && n <= EG_SNIFF_AHEAD;
    if (n > EG_SNIFF_AHEAD)
        n = EG_SNIFF_AHEAD;
    int gb = eg__charset_is_gb18030(src->stage + src->st_pos, n, at_end);
    src->cs = gb ? CS_GB : CS_PLAIN;
    return EG_OK;
}

static int start_gb(eg_source *src, eg_error *err)
{
    if (eg__gbdec_new(&src->gb, src->keep_map ? &src->map : NULL, src->yielded,
                      src->consumed) != EG_OK)
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", src->path);
    return EG_OK;
}

/* Decode staged GB18030 into buf (cap >= 8). */
static int read_gb(eg_source *src, unsigned char *buf, size_t cap, size_t *got,
                   eg_error *err)
{
    if (!src->gb && start_gb(src, err) != EG_OK)
        return EG_ENOMEM;
    for (;;) {
        if (src->st_len - src->st_pos < 4 && !src->st_end)
            stage_fill(src, src->st_cap, 0);
        if (src->st_end && src->st_pos == src->st_len)  /* the end, or the */
            return read_bytes(src, buf, cap, got, err); /* error kept below */
        size_t made = 0;
        int oom = 0;
        size_t used = eg__gbdec_run(src->gb, src->stage + src->st_pos,
                                    src->st_len - src->st_pos, src->st_end, buf,
                                    cap, &made, &oom);
        src->st_pos += used;
        src->consumed += used;
        if (oom)
            return eg__fail(err, EG_ENOMEM, "%s: out of memory", src->path);
        if (made > 0) {
            *got = made;
            return EG_OK;
        }
    }
}

/* Hand out staged bytes as they are. */
static size_t unstage(eg_source *src, unsigned char *buf, size_t cap)
{
    size_t n = src->st_len - src->st_pos;
    if (n > cap)
        n = cap;
    memcpy(buf, src->stage + src->st_pos, n);
    src->st_pos += n;
    src->consumed += n;
    return n;
}

static int read_charset(eg_source *src, unsigned char *buf, size_t cap,
                        size_t *got, eg_error *err)
{
    int rc = EG_OK;
    if (src->cs == CS_UNDECIDED && src->st_pos == src->st_len && !src->st_end) {
        rc = read_bytes(src, buf, cap, got, err);
        if (rc != EG_OK || *got == 0)
            return rc;
        size_t k = first_high_byte(buf, *got);
        if (k < *got) { /* the rest waits for the decision */
            if ((rc = stage_alloc(src, *got - k, err)) != EG_OK) {
                *got = 0;
                return rc;
            }
            memcpy(src->stage, buf + k, *got - k);
            src->st_pos = 0;
            src->st_len = *got - k;
        }
        src->consumed += k;
        *got = k;
        if (k > 0)
            return EG_OK;
    }
    if (src->cs == CS_UNDECIDED && (rc = decide(src, err)) != EG_OK)
        return rc;
    if (src->cs == CS_GB) {
        if ((rc = stage_alloc(src, 0, err)) != EG_OK)
            return rc;
        return read_gb(src, buf, cap, got, err);
    }
    if (src->st_pos < src->st_len) {
        *got = unstage(src, buf, cap);
        return EG_OK;
    }
    rc = read_bytes(src, buf, cap, got, err);
    src->consumed += *got;
    return rc;
}

int eg__source_read(eg_source *src, unsigned char *buf, size_t cap, size_t *got,
                    eg_error *err)
{
    if (got)
        *got = 0;
    if (!src || !buf || !got || cap == 0)
        return eg__fail(err, EG_EINVAL, "eg__source_read: bad argument");
    int rc;
    if (src->cs == CS_PLAIN && src->st_pos == src->st_len &&
        src->pend_pos == src->pend_len) {
        rc = read_bytes(src, buf, cap, got, err);
    } else if (src->pend_pos < src->pend_len) {
        size_t n = src->pend_len - src->pend_pos;
        *got = n < cap ? n : cap;
        memcpy(buf, src->pend + src->pend_pos, *got);
        src->pend_pos += *got;
        rc = EG_OK;
    } else if (cap < sizeof src->pend) { /* room for a whole character */
        src->pend_pos = src->pend_len = 0;
        rc =
            read_charset(src, src->pend, sizeof src->pend, &src->pend_len, err);
        *got = src->pend_len < cap ? src->pend_len : cap;
        memcpy(buf, src->pend, *got);
        src->pend_pos = *got;
    } else {
        rc = read_charset(src, buf, cap, got, err);
    }
    src->yielded += *got;
    return rc;
}

void eg__source_keep_map(eg_source *src)
{
    if (src)
        src->keep_map = 1;
}

eg_offmap *eg__source_map(eg_source *src)
{
    return src && src->keep_map && src->map.n ? &src->map : NULL;
}

uint64_t eg__source_stray_leads(const eg_source *src)
{
    return src ? eg__gbdec_stray_leads(src->gb) : 0;
}

const char *eg__source_charset(const eg_source *src)
{
    return src && src->cs == CS_GB ? "gb18030" : "utf-8";
}

const char *eg__source_compression(const eg_source *src)
{
    return src && src->dec ? src->dec->name : "none";
}

const char *eg__source_path(const eg_source *src)
{
    return src ? src->path : NULL;
}

void eg__source_close(eg_source *src)
{
    if (!src)
        return;
    if (src->dec)
        src->dec->free(src->dec_state);
    eg__gbdec_free(src->gb);
    eg__offmap_free(&src->map);
    eg__free(src->stage);
    if (src->own_fd && src->fd >= 0)
        close(src->fd);
    eg__free(src->inbuf);
    eg__free(src->path);
    eg__free(src);
}
