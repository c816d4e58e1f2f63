/*
 * scan_int.h: the driver's private declarations (lib/scan/).  The driver is
 * the one place that joins the layers: read (sources, cursors), match,
 * detect, and the caller's sink.
 */
#ifndef EG_SCAN_INT_H
#define EG_SCAN_INT_H

#include "common/eg_common.h"
#include "detect/detect.h"
#include "match/match.h"

struct eg_engine {
    eg_context *context;
    eg_regions *regions;
    eg_matcher *matcher;
};

/** Write a masked preview of a normalized value into out (NUL-terminated
 *  UTF-8 that never holds the whole value). */
void eg__mask_preview(int type, const char *norm, size_t n, char *out,
                      size_t cap);

#endif
