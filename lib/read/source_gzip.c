/*
 * source_gzip.c: the gzip decoder of the input layer (RFC 1952), on zlib's
 * inflate.  Multi-member files (`cat a.gz b.gz`, pigz, bgzip, log rotation
 * that appends) are decoded as one stream: after a member ends, inflate is
 * reset and the next member follows.  Zero bytes after the last member
 * (tar-style padding, as gzip(1) tolerates) end the stream quietly; other
 * trailing bytes are corrupt data, reported at their offset.
 *
 * Memory is zlib's fixed state (32 KiB window plus ~7 KiB), allocated
 * through eg__malloc so the allocation-failure tests reach it.  Offsets,
 * limits and messages are source.c's job; this file only decodes.
 */
#include "read/source_int.h"

#include <limits.h>
#include <zlib.h>

typedef struct gzip_state {
    z_stream z;
    int member_done; /* a member ended; the next byte decides what follows */
    int in_padding;  /* zero bytes seen after the last member */
} gzip_state;

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size && items > SIZE_MAX / size)
        return Z_NULL;
    return eg__malloc((size_t)items * size);
}

static void zlib_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    eg__free(p);
}

static int gzip_init(void **out)
{
    gzip_state *g = eg__calloc(1, sizeof *g);
    if (!g)
        return EG_ENOMEM;
    g->z.zalloc = zlib_alloc;
    g->z.zfree = zlib_free;
    /* 16 + MAX_WBITS: gzip wrapper only, full 32 KiB window. */
    if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
        eg__free(g);
        return EG_ENOMEM;
    }
    *out = g;
    return EG_OK;
}

/* Between members: swallow zero padding, or start the next member.
 * Returns 1 when the offered input is used up (still at a boundary). */
static int between_members(gzip_state *g, eg_decode_io *io, const char **why,
                           int *rc)
{
    while (io->in_used < io->in_len && io->in[io->in_used] == 0) {
        io->in_used++;
        g->in_padding = 1;
    }
    *rc = EG_OK;
    if (io->in_used == io->in_len)
        return 1;
    if (g->in_padding) {
        *why = "data after the zero padding that follows the last member";
        *rc = EG_DECODE_CORRUPT;
        return 1;
    }
    inflateReset(&g->z);
    g->member_done = 0;
    return 0;
}

static int gzip_step(void *state, eg_decode_io *io, const char **why)
{
    gzip_state *g = state;
    io->in_used = 0;
    io->out_made = 0;
    if (g->member_done) {
        int rc;
        if (between_members(g, io, why, &rc)) {
            io->at_boundary = rc == EG_OK;
            return rc;
        }
    }
    size_t in_len = io->in_len - io->in_used;
    uInt avail_in = in_len > UINT_MAX ? UINT_MAX : (uInt)in_len;
    uInt avail_out = io->out_cap > UINT_MAX ? UINT_MAX : (uInt)io->out_cap;
    g->z.next_in = (Bytef *)(uintptr_t)(io->in + io->in_used);
    g->z.avail_in = avail_in;
    g->z.next_out = io->out;
    g->z.avail_out = avail_out;
    int zrc = inflate(&g->z, Z_NO_FLUSH);
    io->in_used += avail_in - g->z.avail_in;
    io->out_made = avail_out - g->z.avail_out;
    io->at_boundary = 0;
    switch (zrc) {
    case Z_STREAM_END:
        g->member_done = 1;
        io->at_boundary = 1;
        return EG_OK;
    case Z_OK:
    case Z_BUF_ERROR: /* no progress possible: source.c decides why */
        return EG_OK;
    case Z_MEM_ERROR:
        return EG_DECODE_NOMEM;
    default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
        /* zlib's messages are fixed strings ("invalid block type"), never
         * input bytes, so they are safe to pass on. */
        *why = g->z.msg ? g->z.msg : "invalid data";
        return EG_DECODE_CORRUPT;
    }
}

static void gzip_free(void *state)
{
    gzip_state *g = state;
    if (!g)
        return;
    inflateEnd(&g->z);
    eg__free(g);
}

const eg_decoder_type eg__decoder_gzip = {"gzip", gzip_init, gzip_step,
                                          gzip_free};
