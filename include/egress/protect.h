/* egress/protect.h: a section of egress.h; include egress.h, not this file.
 *
 * De-identification (`egress mask`, `egress unmask`) and the k-anonymity
 * check of the result (`egress risk`).
 *
 * Masking scans an input with the engine, exactly as eg_scan_paths() does,
 * then copies it to the output replacing every finding by the output of
 * the operator its type gets from the policy (redact, mask, pseudonymize,
 * encrypt, generalize, keep, drop: docs/internals/OPERATORS.md).  Every
 * other byte is copied unchanged; CSV stays CSV with the same rows and
 * columns, JSON stays JSON with the same keys, a compressed input gives an
 * output compressed the same way.  A JSON report lists what was replaced
 * (offsets, types, operators; never a value); `egress unmask` uses it to
 * reverse the `encrypt` spans with the key.  Design and report format:
 * docs/internals/MASK.md.
 */
#ifndef EGRESS_PROTECT_H
#define EGRESS_PROTECT_H
#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ mask */

/** Settings of a masking run.  Initialise with EG_MASK_OPTIONS_INIT. */
typedef struct eg_mask_options {
    int version;               /**< EG_MASK_OPTIONS_VERSION */
    const char *policy_file;   /**< a YAML policy; NULL: see operator_name */
    const char *operator_name; /**< one operator for every type ("--operator
                                    encrypt"); NULL with no policy_file: the
                                    built-in policy */
    const eg_key *key;         /**< master key (subkeys for pseudonyms and
                                    FF1); NULL: a key made for this run only,
                                    so nothing can be unmasked later */
    eg_scan_options scan;      /**< detection, as for eg_scan_paths();
                                    max_findings is ignored: every finding
                                    is replaced */
    int compression_level;     /**< compressed outputs; 0: gzip 6, zstd 3 */
    uint64_t max_stdin_bytes;  /**< "-" is read into memory (it is read
                                    twice), up to this; 0: 1 GiB */
    /** Warnings about an input (a skipped file, malformed structure, a
     *  value an operator refused...); may be NULL.  Messages never hold
     *  input bytes. */
    void (*warning)(const char *path, uint64_t offset, int code,
                    const char *message, void *payload);
    void *payload; /**< passed to `warning` */
} eg_mask_options;

#define EG_MASK_OPTIONS_VERSION 1
#define EG_MASK_OPTIONS_INIT                                                   \
    {                                                                          \
        EG_MASK_OPTIONS_VERSION, NULL, NULL, NULL, EG_SCAN_OPTIONS_INIT, 0, 0, \
            NULL, NULL                                                         \
    }

/** What masking one input did. */
typedef struct eg_mask_stats {
    eg_format format;         /**< the input's format, detected or forced */
    const char *compression;  /**< "none", "gzip", "zstd" (static string) */
    uint64_t bytes_in;        /**< input bytes, decompressed */
    uint64_t bytes_out;       /**< output bytes, before compression */
    uint64_t findings;        /**< findings of the scan */
    uint64_t spans;           /**< replaced spans (a finding across several
                                   CSV fields or JSON values counts once per
                                   field) */
    uint64_t fallbacks;       /**< spans whose operator refused the value
                                   (e.g. encrypt below 10^6 values): redacted */
    uint64_t well_formed;     /**< spans deliberately left well-formed
                                   (encrypt, keep, digit pseudonyms): a
                                   re-scan may find them */
    uint64_t requoted;        /**< unquoted CSV fields that had to be quoted */
    uint64_t dropped_columns; /**< CSV columns left out whole: every
                                   non-empty data cell held only values
                                   whose operator is `drop` */
    uint64_t dropped_keys;    /**< JSON member paths left out whole: every
                                   non-empty value under them was dropped */
    uint64_t dropped_cells;   /**< the cells (CSV, header included) and
                                   members (JSON) left out */
} eg_mask_stats;

/** A masking run: engine, policy, keys; it accumulates the report.
 *  Opaque. */
typedef struct eg_masker eg_masker;

/** Prepare a run: load the policy (EG_EFORMAT with FILE:LINE:COLUMN for a
 *  bad one), check the operator name (EG_EINVAL), derive the subkeys.
 *  Ownership: *out is the caller's (eg_masker_free()); the options and
 *  the key are copied, but `engine` and opts->scan.type_enabled must
 *  outlive the masker.
 *  Thread-safety: one masker is used by one thread at a time; the engine
 *  may be shared. */
int eg_masker_new(eg_masker **out, const eg_engine *engine,
                  const eg_mask_options *opts, eg_error *err);
void eg_masker_free(eg_masker *m);

/** @return the id of the key in use (16 hex digits), safe to print. */
const char *eg_masker_key_id(const eg_masker *m);
/** @return 1 when the key was made for this run only. */
int eg_masker_key_ephemeral(const eg_masker *m);

/** Mask one input (a regular file, or "-" for standard input) into
 *  `output` ("-": standard output).  The output is written to a temporary
 *  file in the output's directory, fsync()ed and renamed into place, so a
 *  failure never leaves a partial file under the final name.  Refused with
 *  EG_EPERM: an output that is the input itself (same device and inode).
 *  Refused with EG_EUNSUPPORTED: a binary input (unless opts->scan
 *  .scan_binary), a directory.  EG_ECORRUPT / EG_EIO when the input cannot
 *  be read to its end or changed between the two passes.  The input is
 *  recorded in the report either way (with its status).
 *  @return EG_OK or an error; `stats` (may be NULL) is filled. */
int eg_mask_file(eg_masker *m, const char *input, const char *output,
                 eg_mask_stats *stats, eg_error *err);

/** Mask files and directories (walked recursively, as eg_scan_paths()
 *  does) into `out_dir`: a file argument FILE goes to out_dir/basename,
 *  a file found under a directory argument DIR to
 *  out_dir/basename(DIR)/relative path (directories are created).  Two
 *  inputs that map to one output are refused (the second).  Inputs that
 *  fail are reported through opts->warning and counted in *failed; the
 *  others go on.
 *  @return EG_OK when the run went through (check *failed), or an error
 *  that stopped it (EG_ENOMEM, an unusable out_dir). */
int eg_mask_paths(eg_masker *m, const char *const *inputs, size_t ninputs,
                  const char *out_dir, eg_mask_stats *total, uint64_t *failed,
                  eg_error *err);

/** Write the JSON report of every input masked so far (format:
 *  docs/internals/MASK.md): the key id, the policy and what each operator
 *  leaves under PIPL Art 73, and per input its counts per type and
 *  operator, each span's output and input offsets, type and operator, and
 *  the SHA-256 of the output.  Never a value.  Written atomically.
 *  @return EG_OK, EG_EIO, EG_ENOMEM. */
int eg_masker_write_report(const eg_masker *m, const char *path, eg_error *err);

/* ---------------------------------------------------------------- unmask */

/** What an unmask did. */
typedef struct eg_unmask_stats {
    uint64_t spans;              /**< spans the report lists for this file */
    uint64_t restored;           /**< encrypt spans decrypted */
    uint64_t not_reversible;     /**< spans left as they are (redact, mask,
                                      pseudonymize, generalize, drop, and
                                      values that fell back to redact) */
    char not_reversible_ops[96]; /**< their operators, "redact, mask" */
} eg_unmask_stats;

/** Reverse the `encrypt` spans of a masked file.  The report must list
 *  this file: the file's content (decompressed) must have the SHA-256 and
 *  length recorded for one of the report's outputs, else EG_EINVAL ("does
 *  not match the report").  The key's id must be the report's
 *  (EG_EPERM).  Other operators are not reversible: their spans stay as
 *  they are and are counted.  The output is compressed like `masked` and
 *  written atomically; it may not be `masked` itself (EG_EPERM).
 *  @return EG_OK, or an error. */
int eg_unmask_file(const eg_key *key, const char *report, const char *masked,
                   const char *output, eg_unmask_stats *stats, eg_error *err);

/* ------------------------------------------------------------------ risk */

/** Settings of a k-anonymity check.  Initialise with EG_RISK_OPTIONS_INIT. */
typedef struct eg_risk_options {
    int version;       /**< EG_RISK_OPTIONS_VERSION */
    const char *quasi; /**< "COL,COL,...": header names or 1-based column
                            numbers of the quasi-identifiers (required) */
    uint64_t k;        /**< threshold; 0: 5 */
    size_t max_listed; /**< smallest classes listed; 0: 20 */
    int no_header;     /**< 1: the first row is data (columns by number) */
    eg_format format;  /**< EG_FORMAT_AUTO, _CSV or _TSV */
    uint64_t max_decompressed; /**< per compressed input; 0: 16 GiB */
    uint32_t max_ratio;        /**< decompression ratio cap; 0: 1000 */
} eg_risk_options;

#define EG_RISK_OPTIONS_VERSION 1
#define EG_RISK_OPTIONS_INIT                                                   \
    {                                                                          \
        EG_RISK_OPTIONS_VERSION, NULL, 0, 0, 0, EG_FORMAT_AUTO, 0, 0           \
    }

/** The result of a check (opaque). */
typedef struct eg_risk eg_risk;

/** Totals of a check. */
typedef struct eg_risk_summary {
    uint64_t records;         /**< data rows */
    uint64_t classes;         /**< equivalence classes (distinct
                                   combinations of the quasi-identifiers) */
    uint64_t min_k;           /**< size of the smallest class (0: no rows) */
    uint64_t k;               /**< the threshold used */
    uint64_t records_below_k; /**< rows in classes smaller than k */
    uint64_t classes_below_k; /**< classes smaller than k */
    uint64_t short_rows;      /**< rows missing a quasi-identifier column
                                   (its value counts as empty) */
    size_t columns;           /**< quasi-identifiers */
    size_t listed;            /**< small classes listed */
} eg_risk_summary;

/** Measure k-anonymity of a CSV/TSV file (plain or compressed; read twice,
 *  memory bounded by the number of classes) over the columns opts->quasi.
 *  The values of a listed class are kept for printing, except in a column
 *  whose header the engine reads as a direct identifier (name, ID, phone,
 *  card, e-mail...) and for any value the engine finds personal
 *  information in: those are withheld (NULL).
 *  @return EG_OK; EG_EINVAL (no or unknown column, a name without a
 *  header, standard input); EG_EFORMAT (not CSV/TSV); EG_EIO; EG_ENOMEM.
 *  Ownership: *out is the caller's (eg_risk_free()). */
int eg_risk_csv(eg_risk **out, const eg_engine *engine, const char *path,
                const eg_risk_options *opts, eg_error *err);
void eg_risk_free(eg_risk *r);

void eg_risk_get_summary(const eg_risk *r, eg_risk_summary *out);
/** Quasi-identifier i: its header (or number), its 1-based column in
 *  *column, and whether its values are withheld as a direct identifier. */
const char *eg_risk_column(const eg_risk *r, size_t i, int *column,
                           int *direct);
/** Listed class i (smallest first): its size, and in *values its
 *  summary.columns values (NULL where withheld).  Borrowed from r. */
uint64_t eg_risk_listed(const eg_risk *r, size_t i, const char *const **values);

/** Write the result as text or JSON.
 *  @return EG_OK; EG_EIO when `write` returns non-zero; EG_ENOMEM. */
int eg_risk_write(const eg_risk *r, eg_report_format fmt, eg_write_fn write,
                  void *payload, eg_error *err);

#ifdef __cplusplus
}
#endif
#endif
