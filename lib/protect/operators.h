/*
 * operators.h: de-identification operators (the `egress mask` step), and
 * the policy that picks one per finding type.
 *
 * An operator turns the written bytes of one finding (separators,
 * full-width digits and all) into replacement bytes.  What each leaves
 * behind, in the terms of PIPL Art 73 (docs/internals/OPERATORS.md):
 *
 *   redact       the value is gone; a placeholder such as [cn_mobile]
 *   drop         the value is gone without a trace (empty output)
 *   mask         partial value: still PI (de-identified at best)
 *   pseudonymize keyed HMAC-SHA256 token: de-identified, still PI
 *   encrypt      FF1, reversible with the key: de-identified, still PI
 *   generalize   coarser value: de-identified, still PI unless the data set
 *                as a whole reaches anonymity (see `egress risk`)
 *   keep         unchanged: PI
 *
 * Nothing here writes a value into an error message: errors name the
 * type and the reason only.
 */
#ifndef EG_OPERATORS_H
#define EG_OPERATORS_H

#include "common/eg_common.h"

typedef enum eg_op_kind {
    EG_OP_REDACT = 0,
    EG_OP_MASK,
    EG_OP_PSEUDONYMIZE,
    EG_OP_ENCRYPT,
    EG_OP_GENERALIZE,
    EG_OP_KEEP,
    EG_OP_DROP,
    EG_OP_COUNT
} eg_op_kind;

/** "redact", "mask", ... */
const char *eg__op_name(eg_op_kind op);
/** The operator named `name`, or -1. */
int eg__op_from_name(const char *name);

/** What the operator's output is under PIPL Art 73: "personal
 *  information", "de-identified (still personal information)" or
 *  "removed". */
const char *eg__op_pipl_status(eg_op_kind op);

typedef enum eg_pseudo_style {
    EG_PSEUDO_TOKEN = 0, /**< "<type>_" + hex of the HMAC (default) */
    EG_PSEUDO_DIGITS     /**< each digit replaced by an HMAC-derived digit,
                              separators and width kept (digit types) */
} eg_pseudo_style;

typedef enum eg_dob_mode {
    EG_DOB_YEAR = 0, /**< "1990" */
    EG_DOB_AGE_BAND  /**< "30-39" at the as-of date */
} eg_dob_mode;

#define EG_OP_TEXT_MAX 64

/** One operator and its settings.  Fill with eg__op_settings_init() and
 *  change what you need; settings an operator does not use are ignored. */
typedef struct eg_op_settings {
    eg_op_kind op;
    /* redact: placeholder; "{type}" and "{category}" are replaced by the
     * finding's type and category ids.  Default "[{type}]". */
    char text[EG_OP_TEXT_MAX];
    /* mask: characters kept in clear at each end (separators not counted)
     * and the masking character (one UTF-8 character). */
    int keep_first, keep_last;
    char mask_char[8];
    /* pseudonymize */
    eg_pseudo_style style;
    int hex_digits; /**< token length, 8..64, default 16 */
    /* encrypt: cn_resident_id keeps its 6-digit region code; bank_card
     * keeps its 6-digit issuer prefix (IIN). */
    int keep_region;
    int keep_issuer;
    /* generalize */
    int decimals;    /**< geo_coordinate: decimals kept, default 2 */
    eg_dob_mode dob; /**< date_of_birth */
    int band_years;  /**< age band width, default 10 */
    int as_of_ymd;   /**< "today" for ages and ID blocks; 0 = today */
} eg_op_settings;

/** Defaults of operator `op`: mask 3/4 with '*', token of 16 hex, keep
 *  region 0 / issuer 1, 2 decimals, year of birth, bands of 10 years. */
void eg__op_settings_init(eg_op_settings *s, eg_op_kind op);

/** 1 if `op` (with s's style where it matters) can apply to values of
 *  `type` at all; 0 if the policy should be refused.  A supported
 *  operator may still refuse one value (encrypt: domain below 10^6). */
int eg__op_supported(const eg_op_settings *s, int type);

/* ---- keys and per-thread state ---- */

/** The keyed material of a run: the pseudonym HMAC and the FF1 key, both
 *  derived from the master key (purposes "pseudonym" and "ff1").
 *  Immutable once made; share it between threads. */
typedef struct eg_protector eg_protector;

int eg__protector_new(eg_protector **out, const eg_key *key, eg_error *err);
/** Wipes the subkeys and frees.  NULL is fine. */
void eg__protector_free(eg_protector *p);

/** Per-thread state of the operators (an FF1 cipher, scratch).  One per
 *  thread; never shared. */
typedef struct eg_op_worker eg_op_worker;

int eg__op_worker_new(eg_op_worker **out, const eg_protector *p, eg_error *err);
void eg__op_worker_free(eg_op_worker *w);

/** Apply `s` to the value in[0..n) of catalog type `type` and append the
 *  replacement to `out`.
 *  @return EG_OK; EG_EINVAL when this value cannot take the operator (an
 *  encryption domain below 10^6, an ID that is not structurally one, a
 *  generalization that finds no date...): the caller falls back, e.g. to
 *  redact; EG_EUNSUPPORTED for an operator the type does not support;
 *  EG_ENOMEM.  On error nothing is appended. */
int eg__op_apply(eg_op_worker *w, int type, const eg_op_settings *s,
                 const char *in, size_t n, eg_buf *out, eg_error *err);

/** Undo `encrypt` (and `keep`): given the bytes eg__op_apply produced with
 *  the same settings and key, append the original bytes.  Other operators
 *  are not reversible: EG_EUNSUPPORTED. */
int eg__op_reverse(eg_op_worker *w, int type, const eg_op_settings *s,
                   const char *in, size_t n, eg_buf *out, eg_error *err);

/** The normalized form pseudonyms are computed on: separators removed from
 *  identifier types, full-width folded to ASCII, letters upper-cased
 *  (lower-cased for e-mail and IPv6), +86 dropped from mobiles, 15-digit
 *  resident IDs upgraded to 18.  Appends to `out`. */
int eg__op_normalize(int type, const char *in, size_t n, eg_buf *out);

/* ---- policy (policy.c) ---- */

/** A parsed policy: for every catalog type, the operator to use. */
typedef struct eg_policy eg_policy;

/** Parse a YAML policy held in memory; `name` is used in messages
 *  ("policy.yaml:3:5: unknown operator").  Errors: EG_EFORMAT (YAML or
 *  schema), EG_ENOMEM.  Ownership: *out is the caller's. */
int eg__policy_parse(eg_policy **out, const char *yaml, size_t len,
                     const char *name, eg_error *err);
/** Read and parse a policy file (at most 1 MiB). */
int eg__policy_load(eg_policy **out, const char *path, eg_error *err);
/** The built-in policy (data/policy-default.yaml). */
int eg__policy_default(eg_policy **out, eg_error *err);
/** A policy applying one operator, with its defaults, to every type
 *  (`--operator OP`).  Types the operator does not support fall back to
 *  redact. */
int eg__policy_single(eg_policy **out, eg_op_kind op, eg_error *err);
/** The settings for `type`: its own rule, else its category's, else the
 *  default.  Never NULL for a valid type. */
const eg_op_settings *eg__policy_resolve(const eg_policy *p, int type);
void eg__policy_free(eg_policy *p);

#endif
