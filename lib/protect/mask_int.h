/*
 * mask_int.h: what the files of `egress mask` / `unmask` share (lib/protect/
 * mask*.c): the span records of a report, the span encodings and their
 * codec, the atomic (and compressing) output file, the rewriter and the
 * report reader.  Design: docs/internals/MASK.md.
 */
#ifndef EG_MASK_INT_H
#define EG_MASK_INT_H

#include "common/eg_common.h"
#include "detect/catalog.h"
#include "protect/operators.h"
#include "read/source.h"

/* ---------------------------------------------------------------- spans */

/** How a replaced span is written in its output, so that unmask can read
 *  the operator's bytes back out of it without knowing the structure. */
typedef enum eg_span_enc {
    EG_ENC_RAW = 0, /**< as they are: text, unquoted CSV, bare JSON */
    EG_ENC_JSON,    /**< inside a JSON string: JSON escapes */
    EG_ENC_CSVQ,    /**< inside a quoted CSV field: quotes doubled */
    EG_ENC_WRAP,    /**< a bare JSON value written as a JSON string: the
                         span includes the two quotes */
    EG_ENC_COUNT
} eg_span_enc;

/** "raw", "json", "csvq", "wrap". */
const char *eg__span_enc_name(int enc);
int eg__span_enc_from_name(const char *name);

#define EG_SPAN_FALLBACK 0x1u    /* the policy's operator refused: redacted */
#define EG_SPAN_WELL_FORMED 0x2u /* output deliberately a well-formed value */

/** One replaced span of a masked output (what the report lists). */
typedef struct eg_mspan {
    uint64_t in_start, in_end;   /* in the input, decompressed */
    uint64_t out_start, out_end; /* in the output, before compression */
    uint8_t type;                /* catalog index */
    uint8_t op;                  /* eg_op_kind actually applied */
    uint8_t enc;                 /* eg_span_enc */
    uint8_t flags;               /* EG_SPAN_* */
    uint8_t asked;               /* eg_op_kind the policy asked for */
} eg_mspan;

/** A growable array of spans. */
typedef struct eg_mspans {
    eg_mspan *v;
    size_t n, cap;
} eg_mspans;

int eg__mspans_push(eg_mspans *a, const eg_mspan *s);
void eg__mspans_free(eg_mspans *a);

/* ---------------------------------------------------------------- codec */

/** An escape met while decoding: the character at raw[off..off+len) was
 *  written with `style` in the encoded form. */
typedef struct eg_esc {
    uint32_t off;
    uint8_t len;
    uint8_t style;
} eg_esc;

/** Decoded bytes of one span and where they were escaped.  Reusable. */
typedef struct eg_codec {
    eg_buf raw;
    eg_esc *esc;
    size_t nesc, cap;
} eg_codec;

/** Decode in[0..n) written with `enc` into c->raw (and c->esc).
 *  @return EG_OK, EG_EFORMAT (a broken escape, a WRAP span without its
 *  quotes), EG_ENOMEM. */
int eg__codec_decode(eg_codec *c, int enc, const char *in, size_t n);

/** Append raw[0..n) written with `enc` to `out`.  With `styles` (the codec
 *  that decoded the operator's input) and a result of the same length
 *  (encrypt, keep: character for character), every character is written
 *  with the escape style its input character had, so unmask gets back the
 *  exact input bytes; without, the minimal escaping of the encoding.
 *  @return EG_OK or EG_ENOMEM. */
int eg__codec_encode(const eg_codec *styles, int enc, const char *raw, size_t n,
                     eg_buf *out);

void eg__codec_free(eg_codec *c);

/** 1 if s[0..n) is a JSON number (RFC 8259). */
int eg__json_is_number(const char *s, size_t n);

/* ------------------------------------------------------ report buffers */

/** A text buffer that remembers an allocation failure, so a writer can
 *  build a whole document with unchecked calls and check once. */
typedef struct eg_sbuf {
    eg_buf b;
    int oom;
} eg_sbuf;

void eg__sb_append(eg_sbuf *s, const void *p, size_t n);
void eg__sb_puts(eg_sbuf *s, const char *str);
void eg__sb_printf(eg_sbuf *s, const char *fmt, ...) EG_PRINTF(2, 3);
/** Append str as the body of a JSON string (RFC 8259 escapes). */
void eg__sb_json(eg_sbuf *s, const char *str, size_t n);

/* --------------------------------------------------------------- output */

/** An output file being written: plain, gzip or zstd; written to a
 *  temporary file next to it and renamed into place on commit. */
typedef struct eg_mask_out eg_mask_out;

/** Open `path` ("-": standard output) for writing content compressed
 *  with `compression` ("none", "gzip", "zstd") at `level` (0: default).
 *  `input` (may be NULL or "-"): refuse, with EG_EPERM, a path that is
 *  that file (same device and inode). */
int eg__mask_out_open(eg_mask_out **out, const char *path,
                      const char *compression, int level, const char *input,
                      eg_error *err);
/** An output into memory (appended to *dst, never compressed): for tests
 *  and fuzzing. */
int eg__mask_out_open_memory(eg_mask_out **out, eg_buf *dst, eg_error *err);
/** Write content bytes (hashed, counted, compressed, written). */
int eg__mask_out_write(eg_mask_out *o, const void *p, size_t n, eg_error *err);
/** Content written from now on is UTF-8 to be written as GB18030 (the
 *  output of a GB18030 input): see eg__gb_encode(). */
void eg__mask_out_gb18030(eg_mask_out *o);
/** Finish: flush the compressor, fsync, rename, fsync the directory.  The
 *  SHA-256 of the content (not of the compressed bytes) goes to sha (may
 *  be NULL), its length to *bytes.  Frees o, also on error. */
int eg__mask_out_commit(eg_mask_out *o, unsigned char sha[32], uint64_t *bytes,
                        eg_error *err);
/** Give up: remove the temporary file and free.  NULL is fine. */
void eg__mask_out_abort(eg_mask_out *o);

/** 1 if paths a and b name one existing file (device and inode). */
int eg__same_file(const char *a, const char *b);

/** SHA-256 of everything a source yields, and its length. */
int eg__source_sha256(eg_source *src, unsigned char sha[32], uint64_t *bytes,
                      eg_error *err);

/** Lower-case hex of n bytes into out (2n+1 bytes). */
void eg__hex(const unsigned char *p, size_t n, char *out);

/* ------------------------------------------------------------- rewriter */

/** The `drop` operator on CSV: a column whose every non-empty data cell
 *  holds nothing but values given `drop` is removed whole (header cell
 *  included).  A census pass of the rewriter (no output) counts, per
 *  column, the cells that are all dropped values and the cells with
 *  anything else; the real pass then leaves out the columns chosen. */
#define EG_DROP_MAX_COLUMNS 65536u
typedef struct eg_col_census {
    uint64_t *dropped; /* by column: cells holding only dropped values */
    uint64_t *other;   /* by column: cells with other content */
    size_t ncols;      /* columns seen (at most EG_DROP_MAX_COLUMNS) */
} eg_col_census;
void eg__col_census_free(eg_col_census *c);

/** The `drop` operator on JSON: a member (key and value) whose every
 *  non-empty value, at that path in any record, is nothing but dropped
 *  values is removed whole, with one comma (mask_keys.c has the paths). */
#define EG_KEYS_MAX 8192u
typedef struct eg_key_stat {
    char *path; /* "/user/phones", NUL-terminated; NULL: free slot */
    uint32_t len;
    uint64_t dropped; /* values holding only dropped values */
    uint64_t other;   /* values with other content, or objects */
    int drop;         /* chosen: the member goes */
} eg_key_stat;
typedef struct eg_key_census {
    eg_key_stat *v;
    size_t cap, n;
    int full; /* more than EG_KEYS_MAX paths: no key is dropped */
} eg_key_census;
/** The entry for path p[0..n), or NULL. */
eg_key_stat *eg__keys_find(const eg_key_census *c, const char *p, size_t n);
/** Find or add; *out is NULL when the table is full.  EG_OK or EG_ENOMEM. */
int eg__keys_add(eg_key_census *c, const char *p, size_t n, eg_key_stat **out);
/** Mark the paths to drop; returns how many. */
size_t eg__keys_choose(eg_key_census *c);
void eg__keys_free(eg_key_census *c);

/** What the rewriter needs besides the input and output. */
typedef struct eg_rewrite_env {
    const eg_op_settings *set; /* EG_T_COUNT settings, by type */
    eg_op_worker *worker;
    const char *path;        /* the input, for messages */
    int csv_header;          /* CSV: the first row is a header (scan's view) */
    eg_col_census *census;   /* non-NULL: a census pass, nothing written */
    const uint8_t *drop_col; /* CSV: 1 for each column left out, or NULL */
    size_t ndrop_col;        /* entries in drop_col */
    eg_key_census *keys;     /* JSON: with `census`, filled; else the
                                members marked `drop` are left out */
    eg_op_worker **helpers;  /* operator state of extra threads that apply
                                operators ahead of the copy, or NULL */
    size_t nhelpers;
    size_t pre_min; /* fewest costly values worth the threads (0: 64) */
} eg_rewrite_env;

/** A finding of the scan pass: offsets and type only, never the value. */
typedef struct eg_fspan {
    uint64_t start, end;
    uint16_t type;
    uint16_t flags; /* EG_FINDING_* */
} eg_fspan;

/** Counts the rewriter keeps for the report. */
typedef struct eg_rewrite_counts {
    uint64_t spans, fallbacks, well_formed, requoted, sanitized, overlaps;
    uint64_t bytes_in;
    uint64_t dropped_cells; /* CSV cells left out with their columns, JSON
                               members left out */
    int keys_lost;          /* JSON census: nesting too deep to follow */
    uint64_t by_type_op[EG_T_COUNT][EG_OP_COUNT];
    uint64_t fallback_by_type[EG_T_COUNT];
} eg_rewrite_counts;

/** Copy the source to `out`, replacing the findings spans[0..n) (sorted by
 *  start) as env->set says, keeping the structure of `fmt`.  Appends the
 *  replaced spans to `rec` and counts to `counts`.
 *  @return EG_OK, an error of the source or output, EG_ENOMEM. */
int eg__mask_rewrite(const eg_rewrite_env *env, eg_source *src, eg_format fmt,
                     const eg_fspan *spans, size_t n, eg_mask_out *out,
                     eg_mspans *rec, eg_rewrite_counts *counts, eg_error *err);

/* ---------------------------------------------------------- the masker */

/** What the run keeps of one input, for the report. */
typedef struct eg_mask_rec {
    char *input, *output;
    int status;
    char message[sizeof(((eg_error *)0)->message)];
    eg_format format;
    char compression[8];
    const char *charset; /* "gb18030": read decoded, written back so */
    uint64_t bytes_in, bytes_out, findings;
    unsigned char sha[32];
    int have_sha;
    eg_rewrite_counts *counts;
    eg_mspans spans;
    uint32_t *dropped_cols; /* CSV columns left out (0-based), ascending */
    size_t ndropped_cols;
    char **dropped_keys; /* JSON member paths left out */
    size_t ndropped_keys;
} eg_mask_rec;

struct eg_masker {
    const eg_engine *engine;
    eg_mask_options opts;
    eg_key key;
    char policy_source[32]; /* "built-in", "file", "operator" */
    char *policy_file;
    eg_op_settings set[EG_T_COUNT]; /* resolved, with a fixed as_of */
    eg_protector *prot;
    eg_op_worker *worker;
    eg_op_worker **helpers; /* one per extra thread of the rewrite pass */
    size_t nhelpers;
    size_t pre_min; /* see eg_rewrite_env; tests and fuzzing lower it */
    int as_of;
    eg_mask_rec *recs;
    size_t nrecs, caprecs;
};

/** Mask data[0..n) held in memory into `out` (no compression, no
 *  report entry): the scan and rewrite passes of eg_mask_file() without
 *  files, for tests and fuzzing.  *fmt gets the detected format. */
int eg__mask_memory(eg_masker *m, const void *data, size_t n, eg_format *fmt,
                    eg_buf *out, eg_mspans *spans, eg_rewrite_counts *counts,
                    eg_error *err);

/** Reverse the encrypt spans of masked[0..n), as eg__mask_memory() made
 *  them with the same masker, into `out`.  `gb18030`: the input was read
 *  as GB18030 (its output is in GB18030 and the spans count its UTF-8). */
int eg__unmask_memory(const eg_masker *m, const void *masked, size_t n,
                      const eg_mspans *spans, int gb18030, eg_buf *out,
                      eg_error *err);

/* --------------------------------------------------------------- report */

/** What unmask needs from a report for one masked file. */
typedef struct eg_report_entry {
    char key_id[17];
    int found;                      /* an input matched the file's hash */
    char compression[8];            /* of the output */
    char charset[16];               /* "gb18030": spans count the text
                                       decoded to UTF-8 */
    eg_op_settings set[EG_T_COUNT]; /* the policy's rules, by type */
    uint8_t have_set[EG_T_COUNT];
    eg_mspans spans;
} eg_report_entry;

/** Read report `path`; keep the spans of the input whose output has
 *  content SHA-256 `sha` and length `bytes` (entry->found = 0 if none).
 *  @return EG_OK, EG_EFORMAT (not a mask report: the message says where),
 *  EG_ENOTFOUND / EG_EIO / EG_EPERM, EG_ENOMEM. */
int eg__report_read(const char *path, const unsigned char sha[32],
                    uint64_t bytes, eg_report_entry *entry, eg_error *err);
void eg__report_entry_free(eg_report_entry *e);

/** Settings written to and read from a report's rules. */
void eg__report_put_settings(eg_sbuf *b, const eg_op_settings *s);

#endif
