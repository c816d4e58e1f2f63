/* egress/state.h: a section of egress.h; include egress.h, not this file.
 *
 * Scan state: counting the people behind a scan's findings.
 *
 * An eg_state receives the findings of a scan and keeps what is needed to
 * count individuals later, and nothing raw: keyed fingerprints (fp64) of
 * the linking identifiers, their type, a birth date derived from resident
 * IDs, and counters.  Identifiers found in the same record (CSV row, JSON
 * object or line, text line) are taken to belong to one person; persons are
 * joined across records, inputs and merged states by union-find over the
 * keys (types with eg_type_key_strength() > 0; key identity is the pair
 * (type, fp64)).  Two distinct resident ID numbers are always two people:
 * a linked group holding n resident IDs counts as n individuals.
 *
 * Wiring a scan to a state (what `egress scan --state FILE` does):
 *
 *     eg_state_options so = EG_STATE_OPTIONS_INIT;
 *     so.key_id = key->id;                  // the key the scan uses
 *     eg_state *st;
 *     if (eg_state_new(&st, &so, &err) != EG_OK) ...
 *     // in the sink's finding callback (called serially by the scan):
 *     //     return eg_state_add_finding(st, f, &err) == EG_OK ? 0 : 1;
 *     eg_scan_paths(engine, &opts, paths, n, &sink, st, &stats, &err);
 *     eg_state_write(st, "out.egstate", &err);   // atomic
 *     eg_state_free(st);
 *
 * Findings must arrive in the scan's order (inputs in order, within an input
 * by offset), so that the findings of one record are consecutive: a record
 * ends when (input_index, record) changes.  Nothing else needs calling at
 * the end of an input or of the scan: the state is complete after every
 * eg_state_add_finding().
 *
 * Memory (exact mode): 16 bytes per distinct key in a dense array plus a
 * 4-byte index slot per key at a load between 0.57 and 0.85, i.e. 20.7 to
 * 23.1 bytes per distinct key (measured: 22.7 at 30 million keys), plus 1
 * byte per key transiently while counting.  Above `exact_key_limit`
 * distinct keys the state switches to estimation (bottom-k sketches,
 * docs/internals/STATE_FORMAT.md) whose memory is fixed (2 MiB at the
 * default k); counts then carry an error bound and eg_counts.exact is 0.
 *
 * Thread-safety: an eg_state is not synchronized; use it from one thread at
 * a time (the scan serializes its callbacks).  Distinct states are
 * independent.
 */
#ifndef EGRESS_STATE_H
#define EGRESS_STATE_H
#ifdef __cplusplus
extern "C" {
#endif

/** The scan state (opaque). */
typedef struct eg_state eg_state;

/** Default limit of distinct keys counted exactly (about 2.3 GB). */
#define EG_STATE_DEFAULT_EXACT_KEYS ((uint64_t)100000000)
/** Default size k of the bottom-k sketches used above the limit. */
#define EG_STATE_DEFAULT_SKETCH_K 65536u

/** Options of a new state.  Initialise with EG_STATE_OPTIONS_INIT. */
typedef struct eg_state_options {
    int version;              /**< EG_STATE_OPTIONS_VERSION */
    const char *key_id;       /**< eg_key.id of the fingerprint key (16 hex
                                   digits); required: states made with
                                   different keys refuse to merge */
    uint64_t exact_key_limit; /**< distinct keys counted exactly; above it
                                   the state estimates; 0 = default */
    uint32_t sketch_k;        /**< sketch size when estimating; 0 = default;
                                   16 .. 2^20; relative error ~1/sqrt(k) */
} eg_state_options;

#define EG_STATE_OPTIONS_VERSION 1
#define EG_STATE_OPTIONS_INIT                                                  \
    {                                                                          \
        EG_STATE_OPTIONS_VERSION, NULL, 0, 0                                   \
    }

/** Create an empty state.
 *  @return EG_OK; EG_EINVAL for a missing or malformed key id; EG_ENOMEM.
 *  Ownership: *out belongs to the caller; free it with eg_state_free(). */
int eg_state_new(eg_state **out, const eg_state_options *opts, eg_error *err);

/** Free a state; NULL is allowed. */
void eg_state_free(eg_state *st);

/** @return the fingerprint key id the state was made with (16 hex digits),
 *  valid as long as the state. */
const char *eg_state_key_id(const eg_state *st);

/** Add one finding.  Only the type, fp64, birth_ymd, record and
 *  input_index of `f` are used; nothing of it is kept but fingerprints.
 *  @return EG_OK; EG_EINVAL for an unknown type; EG_ENOMEM (the state is
 *  then unusable: later calls return EG_ENOMEM too). */
int eg_state_add_finding(eg_state *st, const eg_finding *f, eg_error *err);

/** Write the state to `path` atomically: a temporary file in the same
 *  directory, fsync, rename.  The format is docs/internals/STATE_FORMAT.md.
 *  @return EG_OK, EG_EIO (the old file, if any, is left intact), EG_ENOMEM.
 *  The state is not changed. */
int eg_state_write(const eg_state *st, const char *path, eg_error *err);

/** Read a state file.  Every check (magic, version, header checksum, sizes,
 *  body SHA-256, structure) is made before any count is trusted.
 *  @return EG_OK; EG_ECORRUPT for a damaged, truncated or foreign file (the
 *  message names the check and the byte offset); EG_EUNSUPPORTED for a type
 *  this library does not know; EG_EIO; EG_ENOMEM.
 *  Ownership: *out belongs to the caller (eg_state_free()). */
int eg_state_read(eg_state **out, const char *path, eg_error *err);

/** Same as eg_state_read() from a buffer in memory ("<memory>" in
 *  messages). */
int eg_state_read_buffer(eg_state **out, const void *data, size_t len,
                         eg_error *err);

/** Merge `src` into `dst`: afterwards `dst` counts as if one scan had seen
 *  both inputs.  Record and finding counters add up (shards are disjoint);
 *  merging the same scan twice is refused.
 *  @return EG_OK; EG_EINVAL if the key ids differ or the two share a scan;
 *  EG_ENOMEM (dst is then unusable). */
int eg_state_merge(eg_state *dst, const eg_state *src, eg_error *err);

/** Merge a state file into `dst`, streaming: the file is verified in a
 *  first pass and applied in a second, so that memory stays that of the
 *  union (plus 4 bytes per key of the file) and a bad file leaves `dst`
 *  unchanged.  Only if the file changes between the two passes is `dst`
 *  left unusable (later calls fail).
 *  @return as eg_state_read() and eg_state_merge(). */
int eg_state_merge_file(eg_state *dst, const char *path, eg_error *err);

/** The largest type index eg_counts has room for. */
#define EG_COUNTS_MAX_TYPES 64

/** What a state counts.  With `exact` 0 the individual counts are estimates
 *  and each *_error is the half-width of a ~99.7 % (3 sigma) interval. */
typedef struct eg_counts {
    int exact;                      /**< 1 exact, 0 estimated */
    int as_of_ymd;                  /**< date ages were computed for */
    uint64_t individuals;           /**< distinct persons with a key */
    uint64_t sensitive_individuals; /**< with sensitive PI or under 14 */
    uint64_t minors_under_14;       /**< under 14 on as_of_ymd */
    uint64_t individuals_error;
    uint64_t sensitive_individuals_error;
    uint64_t minors_error;
    uint64_t multi_id_groups;  /**< linked groups with >= 2 resident IDs,
                                    counted as that many people */
    uint64_t records_with_pi;  /**< records with any PI finding */
    uint64_t unlinked_records; /**< of these, records with no key: they
                                    cannot be deduplicated or counted */
    uint64_t records_with_sensitive_pi;
    uint64_t unlinked_sensitive_records;
    uint64_t inputs_with_pi; /**< inputs with at least one PI finding */
    uint64_t distinct_keys;  /**< estimated when !exact */
    uint64_t findings;       /**< all findings added */
    int type_count;          /**< eg_type_count() */
    uint64_t findings_by_type[EG_COUNTS_MAX_TYPES];
    uint64_t keys_by_type[EG_COUNTS_MAX_TYPES]; /**< distinct keys */
    uint64_t findings_by_category[EG_CAT_COUNT];
} eg_counts;

/** Count the individuals of a state as of a date (YYYYMMDD; 0 = today):
 *  a person is under 14 before their 14th birthday (29 February births
 *  turn 14 on 1 March in common years).
 *  @return EG_OK, EG_EINVAL for an impossible date, EG_ENOMEM. */
int eg_state_count(const eg_state *st, int as_of_ymd, eg_counts *out,
                   eg_error *err);

#ifdef __cplusplus
}
#endif
#endif
