/*
 * charset.h: GB18030 / GBK input, read as UTF-8.
 *
 * Much of what a Chinese firm holds was written by Excel or an older
 * system in GBK (GB18030 is its superset): names, addresses and labels in
 * it are not UTF-8, so the detectors, which match UTF-8, would miss them.
 * The source layer therefore decodes such input to UTF-8 on the fly and
 * keeps a map from offsets in the decoded text back to offsets in the
 * input's own bytes, so that findings still point at the bytes on disk.
 *
 * Decoding: ASCII stays; a valid 2-byte (GBK) or 4-byte (GB18030) sequence
 * becomes its character in UTF-8; any other byte (0x80, 0xFF, a lead byte
 * without a valid trail, an unassigned code) is passed through unchanged,
 * so nothing is lost and a damaged file decodes as far as it is valid.
 *
 * The map is a list of segments, each a run of characters of the same
 * widths (decoded and raw): ASCII runs and Han runs each take one segment,
 * so a map costs little next to the text it describes.
 */
#ifndef EG_CHARSET_H
#define EG_CHARSET_H

#include "common/eg_common.h"

/** What the source layer does with the bytes it reads. */
enum {
    EG_CHARSET_RAW = 0, /**< bytes as they are (never decoded) */
    EG_CHARSET_AUTO,    /**< decoded if the text turns out to be GB18030 */
    EG_CHARSET_GB18030, /**< always decoded from GB18030 */
};

/** The source layer's EG_CHARSET_* for a public EG_ENCODING_* option. */
int eg__charset_of_encoding(int encoding);

/** One run of characters with the same widths. */
typedef struct eg_offseg {
    uint64_t dec;   /**< decoded offset of the run's first character */
    uint64_t raw;   /**< its offset in the input's bytes */
    uint32_t n;     /**< characters in the run */
    uint8_t dw, rw; /**< bytes per character: decoded, raw */
} eg_offseg;

/** Segments in order of `dec`, each starting where the previous ends.
 *  Offsets before the first segment map to themselves (the input was
 *  read as it is up to there). */
typedef struct eg_offmap {
    eg_offseg *v;
    size_t n, cap;
} eg_offmap;

/** The raw offset of decoded offset `dec`.  A `dec` inside a character
 *  maps inside (or to the end of) its raw bytes. */
uint64_t eg__offmap_raw(const eg_offmap *m, uint64_t dec);
/** Append the segments of `src` that cover decoded [from, to] to `dst`
 *  (which is emptied first).  EG_OK or EG_ENOMEM. */
int eg__offmap_copy(eg_offmap *dst, const eg_offmap *src, uint64_t from,
                    uint64_t to);
/** Forget segments that end at or before `dec` (their text is done). */
void eg__offmap_trim(eg_offmap *m, uint64_t dec);
void eg__offmap_free(eg_offmap *m);

/** 1 if `head` (bytes of an input, from its first non-ASCII byte on) is
 *  GB18030 rather than UTF-8: it is not mostly valid UTF-8, its multibyte
 *  sequences are valid GB18030, and most of them are Chinese characters or
 *  punctuation (so Latin-1 and damaged UTF-8 stay as they are).  `at_end`:
 *  the input ends with `head` (a sequence cut at the end is then invalid). */
int eg__charset_is_gb18030(const unsigned char *head, size_t n, int at_end);

/** A streaming GB18030 decoder. */
typedef struct eg_gbdec eg_gbdec;

/** `map`: where the segments go (NULL: none kept).  `dec_at`, `raw_at`:
 *  the offsets at which decoding starts.  EG_OK or EG_ENOMEM. */
int eg__gbdec_new(eg_gbdec **out, eg_offmap *map, uint64_t dec_at,
                  uint64_t raw_at);
/** Decode from `in` into `out`; returns how many input bytes were used.
 *  *made: bytes written.  Stops when `out` has less than 4 bytes of room
 *  left, or when the rest of `in` is an incomplete sequence that more input
 *  could complete (unless `final`: then it passes through).  Output is at
 *  most 3/2 of the input (plus 3).  EG_ENOMEM (map growth) sets *oom. */
size_t eg__gbdec_run(eg_gbdec *d, const unsigned char *in, size_t n, int final,
                     unsigned char *out, size_t cap, size_t *made, int *oom);
/** Lead bytes (0x81..0xFE) let through because no valid sequence followed:
 *  the one thing that makes decoding depend on the next bytes, so text in
 *  which a replaced value follows one may not decode back the same. */
uint64_t eg__gbdec_stray_leads(const eg_gbdec *d);
void eg__gbdec_free(eg_gbdec *d);

/** The way back: UTF-8 to GB18030, for outputs of GB18030 inputs.  Bytes
 *  that are not UTF-8 (those the decoder let through) are written as they
 *  are, so encode(decode(x)) == x.  Returns the input bytes used; stops
 *  when `out` has less than 4 bytes of room, or at a sequence cut by the
 *  end of `in` (unless `final`).  Output is at most twice the input. */
size_t eg__gb_encode(const unsigned char *in, size_t n, int final,
                     unsigned char *out, size_t cap, size_t *made);

#endif
