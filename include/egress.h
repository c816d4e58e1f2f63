/*
 * egress.h: the public interface of libegress.
 *
 * libegress finds personal information (PI), sensitive PI, confidential
 * markings and credentials in byte streams, counts the individuals behind
 * them, and de-identifies data for export.  This header is the only one a
 * program includes; the parts it pulls in from include/egress/ are sections
 * of it, kept in separate files by concept (libgit2-style).
 *
 * Conventions (docs/internals/ERRORS.md):
 * - Fallible functions return int: EG_OK (0) or a negative EG_E* code, and
 *   fill the caller's eg_error with a message.  Messages name inputs and
 *   byte offsets, never input bytes: no raw value ever reaches an error.
 * - A pointer returned through an `out` parameter is owned by the caller and
 *   freed with the matching eg_*_free(), which accepts NULL.
 * - Data passed to callbacks is valid only during the call.
 */
#ifndef EGRESS_H
#define EGRESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EG_VERSION_MAJOR 0
#define EG_VERSION_MINOR 1
#define EG_VERSION_PATCH 0
#define EG_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------- errors */

/* X-macro: one list generates the codes, eg_error_name() and eg_strerror(). */
#define EG_ERROR_LIST(X)                                                       \
    X(EG_OK, 0, "success")                                                     \
    X(EG_ERROR, -1, "failure")                                                 \
    X(EG_ENOMEM, -2, "out of memory")                                          \
    X(EG_EINVAL, -3, "invalid argument")                                       \
    X(EG_EIO, -4, "input/output error")                                        \
    X(EG_EFORMAT, -5, "malformed input")                                       \
    X(EG_ELIMIT, -6, "resource limit exceeded")                                \
    X(EG_ENOTFOUND, -7, "not found")                                           \
    X(EG_EPERM, -8, "permission denied or unsafe permissions")                 \
    X(EG_ESTOPPED, -9, "stopped by a callback")                                \
    X(EG_ECORRUPT, -10, "corrupt, truncated or foreign file")                  \
    X(EG_EUNSUPPORTED, -11, "unsupported")

enum {
#define EG_ERROR_ENUM_(name, value, text) name = value,
    EG_ERROR_LIST(EG_ERROR_ENUM_)
#undef EG_ERROR_ENUM_
};

/** Where a fallible call leaves its detail text.  The caller owns it (stack
 *  is fine); `code` repeats the return value. */
typedef struct eg_error {
    int code;
    char message[512];
} eg_error;

/** @return the symbolic name of an error code ("EG_ENOMEM"). */
const char *eg_error_name(int code);
/** @return a short English description of an error code. */
const char *eg_strerror(int code);

/* ------------------------------------------------------------ the catalog */

/** Categories of the findings contract (shared/spec/findings.md). */
typedef enum eg_category {
    EG_CAT_PI = 0,
    EG_CAT_SENSITIVE_PI,
    EG_CAT_ORG,
    EG_CAT_CONFIDENTIAL,
    EG_CAT_CREDENTIAL,
    EG_CAT_COUNT
} eg_category;

/** @return the number of finding types in the catalog; types are numbered
 *  0 .. eg_type_count()-1. */
int eg_type_count(void);
/** @return the type id ("cn_resident_id"), or NULL for an unknown index. */
const char *eg_type_id(int type);
/** @return the type index for an id, or -1. */
int eg_type_from_id(const char *id);
/** @return the category of a type. */
eg_category eg_type_category(int type);
/** @return the category's id ("sensitive_pi"). */
const char *eg_category_id(eg_category cat);
/** @return a one-line English description of a type. */
const char *eg_type_description(int type);
/** @return 1 if the type identifies a person strongly (identity documents),
 *  2 if weakly (mobile, e-mail, bank card), 0 if it is no linking key. */
int eg_type_key_strength(int type);

/* ------------------------------------------------------------- findings */

/** Input formats, detected by content and extension or forced. */
typedef enum eg_format {
    EG_FORMAT_AUTO = 0,
    EG_FORMAT_TEXT,
    EG_FORMAT_CSV,
    EG_FORMAT_TSV,
    EG_FORMAT_JSON,
    EG_FORMAT_JSONL,
    EG_FORMAT_COUNT
} eg_format;

/** @return "text", "csv", "tsv", "json", "jsonl" or "auto". */
const char *eg_format_name(eg_format fmt);

/** One finding.  Everything in it is safe to print: the value itself is
 *  present only as `masked` (never the whole value) and `fingerprint`. */
typedef struct eg_finding {
    const char *path;     /**< the input as named by the caller ("-" stdin) */
    uint64_t start;       /**< byte offset of the value, decompressed */
    uint64_t end;         /**< one past its last byte */
    uint64_t line;        /**< 1-based line of `start` */
    uint64_t record;      /**< 0-based record of the input: CSV row, JSON
                               Lines line or top-level JSON value, text line */
    int type;             /**< catalog index */
    float confidence;     /**< 0..1; checksum-validated values >= 0.9 */
    const char *field;    /**< CSV header or column number, JSON Pointer;
                               NULL when the input has no structure */
    char masked[96];      /**< preview, UTF-8, NUL-terminated */
    char fingerprint[17]; /**< 16 hex digits of HMAC-SHA256(key, normalized) */
    uint64_t fp64;        /**< the same 64 bits as a number */
    uint32_t birth_ymd;   /**< resident IDs: birth date as YYYYMMDD, else 0 */
    uint32_t input_index; /**< which input of the run (0-based, walk order) */
    uint32_t flags;       /**< EG_FINDING_* bits below */
    const char *text;     /**< the sink's own rendering of this finding (from
                               eg_sink.format), or NULL */
    size_t text_len;
    uint64_t text_start; /**< offsets of the value in the text as decoded
                              (UTF-8): equal to start/end unless the input
                              was decoded from GB18030 */
    uint64_t text_end;
} eg_finding;

/* eg_finding.flags */
#define EG_FINDING_IN_JSON_STRING 0x1u /**< value lies inside a JSON string */
#define EG_FINDING_JSON_BARE                                                   \
    0x2u                           /**< value is (part of) a JSON number       \
                                        or literal outside a string */
#define EG_FINDING_CSV_QUOTED 0x4u /**< value lies in a quoted CSV field */
#define EG_FINDING_WEAK_REGION                                                 \
    0x8u /**< resident ID with a region code                                   \
              in no published table */

/** Per-input information given to sinks. */
typedef struct eg_input_info {
    const char *path;        /**< as named by the caller / the walk */
    uint32_t input_index;    /**< 0-based, in walk order */
    eg_format format;        /**< detected or forced format */
    const char *compression; /**< "none", "gzip", "zstd" */
    uint64_t bytes;          /**< bytes scanned (decompressed; of the input,
                                  not of its decoding) */
    uint64_t records;        /**< records seen */
    uint64_t findings;       /**< findings reported */
    int status;              /**< EG_OK, or the error that ended it */
    int csv_header;          /**< CSV/TSV: 1 if the first row was read as a
                                  header (its cells are names, not values),
                                  else 0 */
    const char *charset;     /**< "utf-8", or "gb18030" when the text was
                                  decoded from GB18030 (offsets still count
                                  the input's own bytes) */
    uint64_t text_bytes;     /**< bytes of the text as decoded (UTF-8):
                                  `bytes` unless decoded from GB18030 */
    uint64_t stray_leads;    /**< GB18030: lead bytes without a valid
                                  sequence, passed through as they were */
} eg_input_info;

/** Callbacks that receive a scan's results, serialized and in a fixed
 *  order: inputs in walk order, findings of an input by offset.  Any member
 *  may be NULL.  A non-zero return from `finding` stops the scan, which
 *  then returns EG_ESTOPPED (not a failure). */
typedef struct eg_sink {
    int (*finding)(const eg_finding *f, void *payload);
    /** An input has been read to its end (or failed: info->status). */
    void (*input_done)(const eg_input_info *info, void *payload);
    /** A warning about one input: a skipped file, malformed structure...
     *  `offset` is a byte offset or UINT64_MAX when none applies. */
    void (*warning)(const char *path, uint64_t offset, int code,
                    const char *message, void *payload);
    /** Optional: render a finding into `out` (at most `cap` bytes) and
     *  return the length, or 0 to render nothing (the finding callback then
     *  sees text = NULL).  Called from worker threads, concurrently and in
     *  no particular order, so it must only read `payload`; the rendering
     *  then reaches `finding` as f->text, in order.  Rendering on the
     *  workers keeps output formatting off the serial path. */
    size_t (*format)(const eg_finding *f, char *out, size_t cap, void *payload);
} eg_sink;

/* ---------------------------------------------------------------- keys */

#define EG_KEY_BYTES 32

/** A master key; purposes derive subkeys from it with HKDF-SHA256. */
typedef struct eg_key {
    unsigned char bytes[EG_KEY_BYTES];
    char id[17];   /**< 16 hex digits identifying the key, safe to print */
    int ephemeral; /**< 1 when generated for this run only */
} eg_key;

/* ---------------------------------------------------------------- scanning */

/** Limits and switches of a scan.  Initialise with EG_SCAN_OPTIONS_INIT and
 *  change what you need. */
typedef struct eg_scan_options {
    int version;                 /**< EG_SCAN_OPTIONS_VERSION */
    int threads;                 /**< worker threads; 0 = all cores */
    size_t chunk_bytes;          /**< bytes per chunk; 0 = default (1 MiB) */
    eg_format format;            /**< EG_FORMAT_AUTO to detect */
    uint64_t max_decompressed;   /**< per compressed input, bytes */
    uint32_t max_ratio;          /**< decompressed:compressed cap */
    uint32_t max_depth;          /**< JSON nesting tracked */
    uint64_t max_findings;       /**< per input; 0 = unlimited */
    int scan_binary;             /**< 1: do not skip binary files */
    int as_of_ymd;               /**< "today" for date checks; 0 = today */
    const eg_key *key;           /**< fingerprint key; NULL = ephemeral */
    const uint8_t *type_enabled; /**< eg_type_count() flags, or NULL = all */
    int encoding;                /**< EG_ENCODING_*: how text is decoded */
} eg_scan_options;

/* eg_scan_options.encoding */
#define EG_ENCODING_AUTO                                                       \
    0                         /**< UTF-8, or GB18030/GBK when the text's       \
                                   first non-ASCII bytes say so */
#define EG_ENCODING_UTF8 1    /**< bytes as they are (no decoding) */
#define EG_ENCODING_GB18030 2 /**< always decoded from GB18030 (GBK) */

#define EG_SCAN_OPTIONS_VERSION 1
#define EG_SCAN_OPTIONS_INIT                                                   \
    {                                                                          \
        EG_SCAN_OPTIONS_VERSION, 0, 0, EG_FORMAT_AUTO, (uint64_t)16 << 30,     \
            1000, 512, 0, 0, 0, NULL, NULL, EG_ENCODING_AUTO                   \
    }

/** Totals of a scan. */
typedef struct eg_scan_stats {
    uint64_t bytes;          /**< bytes scanned, decompressed */
    uint64_t files;          /**< inputs scanned */
    uint64_t skipped_binary; /**< files skipped as binary */
    uint64_t skipped_other;  /**< files skipped: unreadable, special... */
    uint64_t failed;         /**< inputs that ended in an error */
    uint64_t findings;       /**< findings reported */
} eg_scan_stats;

/** The compiled detection rules: immutable, shared by all threads. */
typedef struct eg_engine eg_engine;

/** Compile the catalog's patterns and load the reference tables.
 *  @return EG_OK, or an error with `err` filled.
 *  Ownership: *out belongs to the caller; free it with eg_engine_free().
 *  Thread-safety: the engine may be used by any number of scans at once. */
int eg_engine_new(eg_engine **out, eg_error *err);
void eg_engine_free(eg_engine *engine);

/** Scan files, directories (recursively) and "-" (standard input).
 *  Binary files are skipped and counted; unreadable or special files are
 *  reported through sink->warning and skipped; the scan goes on.
 *  @return EG_OK when it ran (even if some inputs failed: see stats),
 *          EG_ESTOPPED when a callback stopped it, or another error when
 *          the run as a whole could not proceed.
 *  Thread-safety: callbacks are called from one thread at a time. */
int eg_scan_paths(const eg_engine *engine, const eg_scan_options *opts,
                  const char *const *paths, size_t npaths, const eg_sink *sink,
                  void *payload, eg_scan_stats *stats, eg_error *err);

/** Scan a buffer held in memory as one input called `name`.  Same sink
 *  contract as eg_scan_paths(); runs on the calling thread. */
int eg_scan_buffer(const eg_engine *engine, const eg_scan_options *opts,
                   const char *name, const void *data, size_t len,
                   const eg_sink *sink, void *payload, eg_error *err);

#ifdef __cplusplus
}
#endif

/* Sections of this header kept in their own files. */
#include "egress/keys.h"
#include "egress/state.h"
#include "egress/assess.h"
#include "egress/protect.h"

#endif /* EGRESS_H */
