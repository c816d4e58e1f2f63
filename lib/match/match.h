/*
 * match.h: the literal stage of matching, on Vectorscan.
 *
 * One database holds every label word of data/context-labels.tsv and the
 * literal-anchored shapes (plate provinces, ★ classification marks, secret
 * and internal-use marks, key headers, token prefixes, honorifics).  It is
 * compiled once per engine and shared read-only; each thread scans with its
 * own scratch.  Digit-anchored values are found by detect_core.c's own
 * anchor scan, which is faster than any regex for literal-free digit runs.
 */
#ifndef EG_MATCH_H
#define EG_MATCH_H

#include "common/eg_common.h"
#include "detect/detect.h"

typedef struct eg_matcher eg_matcher;
typedef struct eg_match_scratch eg_match_scratch;

/** Compile the database from the context table.  Ownership: caller frees
 *  with eg__matcher_free(); `ctx` must outlive the matcher. */
int eg__matcher_new(eg_matcher **out, const eg_context *ctx, eg_error *err);
void eg__matcher_free(eg_matcher *m);

/** Per-thread scratch; free with eg__match_scratch_free(). */
int eg__match_scratch_new(eg_match_scratch **out, const eg_matcher *m,
                          eg_error *err);
void eg__match_scratch_free(eg_match_scratch *s);

/** Scan buf[0..len) and return the hits sorted by end offset in *hits
 *  (owned by the scratch, valid until its next scan). */
int eg__matcher_scan(const eg_matcher *m, eg_match_scratch *s,
                     const unsigned char *buf, size_t len, const eg_hit **hits,
                     size_t *nhits, eg_error *err);

/** Token shapes of detect_text.c (shared by both files). */
size_t eg__token_shape_count(void);
const char *eg__token_shape_prefix(size_t i);

#endif
