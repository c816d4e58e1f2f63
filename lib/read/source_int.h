/*
 * source_int.h: what source.c shares with the decompressors
 * (source_gzip.c, source_zstd.c).  A decompressor is a small vtable in the
 * manner of curl's content decoders: source.c owns the raw input (fd or
 * memory, the one input buffer), the offsets, the limits and the error
 * text; a decoder only turns the input bytes it is offered into output
 * bytes and says whether it stands at a clean end of stream.  Keeping the
 * bookkeeping in one place means gzip and zstd report truncation, limits
 * and offsets identically.
 */
#ifndef EG_SOURCE_INT_H
#define EG_SOURCE_INT_H

#include "read/source.h"

/** One call of a decoder's step. */
typedef struct eg_decode_io {
    const unsigned char *in; /**< compressed bytes offered */
    size_t in_len;
    size_t in_used;     /**< out: how many of them were consumed */
    unsigned char *out; /**< room for decompressed bytes */
    size_t out_cap;
    size_t out_made; /**< out: how many were written */
    int at_boundary; /**< out: 1 when the stream could end here (a
                          member / frame is complete, nothing buffered) */
} eg_decode_io;

/** Decoder step results besides EG_OK. */
enum {
    EG_DECODE_CORRUPT = 1, /**< data error; `why` says what (static text) */
    EG_DECODE_WINDOW,      /**< zstd: the frame needs a too large window */
    EG_DECODE_NOMEM
};

typedef struct eg_decoder_type {
    const char *name; /**< "gzip", "zstd" */
    /** Allocate the decoder state into *state; EG_OK or EG_ENOMEM. */
    int (*init)(void **state);
    /** Consume from io->in, produce into io->out.  Returns EG_OK or an
     *  EG_DECODE_* value with *why set to a static, content-free reason. */
    int (*step)(void *state, eg_decode_io *io, const char **why);
    void (*free)(void *state);
} eg_decoder_type;

extern const eg_decoder_type eg__decoder_gzip;
extern const eg_decoder_type eg__decoder_zstd;

#endif
