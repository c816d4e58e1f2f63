/*
 * structure.h: where in a CSV/TSV or JSON input a byte offset lies.  The
 * scan driver finds candidate values anywhere in the bytes; for structured
 * inputs it then asks a cursor which record and field each candidate is in
 * (for the `field` of a finding, for context such as a "phone" column, and
 * for linking identifiers of one record).  Cursors are streaming state
 * machines: they only move forward, over bytes the driver hands them chunk
 * by chunk, in bounded memory whatever the input (limits below).
 *
 * Driver contract: for each chunk the driver calls eg__cursor_seek() with
 * strictly non-decreasing target offsets, each within the bytes of the
 * current chunk buffer ([buf_base, buf_base + buf_len)) and not before the
 * cursor's position; it always ends a chunk by seeking to the end of the
 * region it owns, so the cursor never needs bytes from a previous buffer.
 */
#ifndef EG_STRUCTURE_H
#define EG_STRUCTURE_H

#include "common/eg_common.h"
#include "read/charset.h"

typedef struct eg_cursor eg_cursor;

typedef struct eg_cursor_limits {
    uint32_t max_depth;      /**< JSON nesting tracked (deeper: no path) */
    uint32_t max_columns;    /**< CSV header names kept */
    uint32_t max_name_bytes; /**< bytes kept of one header name / key */
} eg_cursor_limits;

/** What the cursor knows about the byte at the sought offset. */
typedef struct eg_cursor_pos {
    uint64_t record;   /**< 0-based record: CSV data row (header row is
                            record 0 too, flagged), JSONL line, JSON
                            top-level value */
    uint32_t column;   /**< CSV: 0-based column */
    int in_header;     /**< CSV: the offset is in the header row */
    int in_key;        /**< JSON: the offset is inside an object key */
    int in_string;     /**< JSON: inside a string (key or value) */
    const char *field; /**< CSV: header name, or the 1-based column number
                            as a string when there is no header; JSON:
                            the JSON Pointer of the value ("/user/phone",
                            RFC 6901 escaping); "" at the top level.
                            Valid until the next call on the cursor. */
    const char *name;  /**< the last path element as a plain name: CSV
                            header name or NULL; JSON: the innermost
                            object key (for arrays, the key that holds
                            the array) or NULL.  Used as context ("phone",
                            "身份证号").  Valid until the next call. */
} eg_cursor_pos;

/** Create a cursor for `fmt` (EG_FORMAT_CSV, _TSV, _JSON or _JSONL).
 *  CSV: RFC 4180 quoting, embedded newlines and delimiters, CRLF or LF, a
 *  UTF-8 BOM skipped.  The first row is a header if it looks like one (all
 *  fields non-empty, no field longer than 64 bytes, none containing a run
 *  of 5+ digits or an '@').
 *  `limits` may be NULL; limits left 0 take defaults (depth 512, 16384
 *  columns, 256 name bytes).
 *  Ownership: *out is the caller's; free with eg__cursor_free(). */
int eg__cursor_new(eg_cursor **out, eg_format fmt,
                   const eg_cursor_limits *limits, eg_error *err);

/** Advance the cursor to absolute offset `target` using the bytes in
 *  `buf` (which holds the input's bytes [buf_base, buf_base + buf_len)),
 *  then describe that offset in *pos (may be NULL).  The description is
 *  made from the bytes before `target` only (the byte at `target` is not
 *  looked at, so target == buf_base + buf_len is allowed): the opening
 *  quote of a string or the delimiter ending a CSV field count with what
 *  precedes them, while every byte inside a value reads as that value.
 *  Answers never depend on how the input was cut into buffers.
 *  If EG_ENOMEM, nothing from the failing byte on was consumed.
 *  Malformed structure never fails: JSON errors resynchronise at the next
 *  line for JSON Lines (the record goes on counting), and
 *  eg__cursor_problem() reports the first problem seen.
 *  @return EG_OK, or EG_ENOMEM. */
int eg__cursor_seek(eg_cursor *c, const unsigned char *buf, uint64_t buf_base,
                    size_t buf_len, uint64_t target, eg_cursor_pos *pos);

/** The first structural problem seen so far ("unbalanced quote", "JSON
 *  nesting deeper than 512", "invalid JSON"), or NULL, with its offset.
 *  A problem only visible at the end of the input (CSV: "unbalanced quote
 *  opened at byte N", N also in *offset; JSON: a value never closed) is
 *  reported when the cursor is in that state at the time of the call, so
 *  ask after the last seek.  The string is valid until the next call. */
const char *eg__cursor_problem(const eg_cursor *c, uint64_t *offset);
/** Offsets in problems and their messages are mapped through `map` (the
 *  part of a decoded input's offset map that covers the bytes of the next
 *  seeks), so that they count the input's own bytes; NULL: as they are. */
void eg__cursor_set_map(eg_cursor *c, const eg_offmap *map);

/** Records completed so far (for input statistics), counting the one the
 *  cursor is in if it has begun (a last row or line without a final
 *  newline).  CSV: data rows (a header row is not counted); JSON Lines:
 *  lines, blank ones included; JSON: records as in eg_cursor_pos. */
uint64_t eg__cursor_records(const eg_cursor *c);

/** CSV/TSV: 1 if the first row was taken as a header, 0 if not, -1 while
 *  the first row is not complete (its positions then report in_header=1
 *  and the column number as field: the decision needs the whole row).
 *  A driver that wants exact answers for first-row findings holds them
 *  until this is no longer -1.  JSON: always 0. */
int eg__cursor_has_header(const eg_cursor *c);

void eg__cursor_free(eg_cursor *c);

#endif
