/*
 * source_zstd.c: the zstd decoder of the input layer, on libzstd's
 * streaming API (ZSTD_decompressStream).  Concatenated frames and skippable
 * frames are handled by libzstd itself; this file tracks whether the stream
 * stands at a frame boundary so that source.c can tell a clean end from a
 * truncated one.
 *
 * Memory: a frame may ask for a window of up to 2^31 bytes (--long=31).  We
 * cap it with ZSTD_d_windowLogMax = 27 (128 MiB, what the zstd CLI accepts
 * without --memory), so a crafted frame cannot make us allocate gigabytes;
 * such a frame is reported as a limit, not as corruption.  Allocations go
 * through eg__malloc (ZSTD_customMem) for the allocation-failure tests.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem, ZSTD_createDCtx_advanced   \
                                  */
#include "read/source_int.h"

#include <zstd.h>
#include <zstd_errors.h>

#define EG_ZSTD_WINDOW_LOG_MAX 27

typedef struct zstd_state {
    ZSTD_DCtx *dctx;
    int at_boundary; /* the last frame ended and nothing is buffered */
} zstd_state;

static void *zstd_alloc(void *opaque, size_t n)
{
    (void)opaque;
    return eg__malloc(n);
}

static void zstd_free_mem(void *opaque, void *p)
{
    (void)opaque;
    eg__free(p);
}

static int zstd_init(void **out)
{
    zstd_state *s = eg__calloc(1, sizeof *s);
    if (!s)
        return EG_ENOMEM;
    ZSTD_customMem mem = {zstd_alloc, zstd_free_mem, NULL};
    s->dctx = ZSTD_createDCtx_advanced(mem);
    if (!s->dctx) {
        eg__free(s);
        return EG_ENOMEM;
    }
    size_t r = ZSTD_DCtx_setParameter(s->dctx, ZSTD_d_windowLogMax,
                                      EG_ZSTD_WINDOW_LOG_MAX);
    if (ZSTD_isError(r)) {
        ZSTD_freeDCtx(s->dctx);
        eg__free(s);
        return EG_ENOMEM;
    }
    *out = s;
    return EG_OK;
}

static int zstd_step(void *state, eg_decode_io *io, const char **why)
{
    zstd_state *s = state;
    ZSTD_inBuffer in = {io->in, io->in_len, 0};
    ZSTD_outBuffer out = {io->out, io->out_cap, 0};
    size_t r = ZSTD_decompressStream(s->dctx, &out, &in);
    io->in_used = in.pos;
    io->out_made = out.pos;
    if (ZSTD_isError(r)) {
        io->at_boundary = 0;
        switch (ZSTD_getErrorCode(r)) {
        case ZSTD_error_frameParameter_windowTooLarge:
            return EG_DECODE_WINDOW;
        case ZSTD_error_memory_allocation:
            return EG_DECODE_NOMEM;
        default:
            /* libzstd's error names are fixed strings, never data. */
            *why = ZSTD_getErrorName(r);
            return EG_DECODE_CORRUPT;
        }
    }
    /* 0 means "frame complete and flushed".  A call that moved nothing
     * returns a size hint even at a boundary, so only progress or a 0 may
     * change what we know. */
    if (r == 0)
        s->at_boundary = 1;
    else if (in.pos > 0 || out.pos > 0)
        s->at_boundary = 0;
    io->at_boundary = s->at_boundary;
    return EG_OK;
}

static void zstd_free(void *state)
{
    zstd_state *s = state;
    if (!s)
        return;
    ZSTD_freeDCtx(s->dctx);
    eg__free(s);
}

const eg_decoder_type eg__decoder_zstd = {"zstd", zstd_init, zstd_step,
                                          zstd_free};
