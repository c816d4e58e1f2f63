/* egress/assess.h: a section of egress.h; include egress.h, not this file.
 *
 * Assessment: from counts to the legal pathway of an export or a listing.
 *
 * The rules are data (data/rules-cn.yaml, built in; a user may load an
 * updated file): regimes with effective dates, rules evaluated first match
 * wins, each with a citation and conditions over a fixed set of variables,
 * and obligations listed when their conditions hold.  The format is
 * described in docs/internals/RULES.md.
 *
 * When counts are estimates, each comparison is made over the estimate's
 * interval (three-valued: true, false, undecided); if the first rule that
 * is not false is undecided, the pathway is "undetermined" and the report
 * says which threshold the estimate cannot decide.
 */
#ifndef EGRESS_ASSESS_H
#define EGRESS_ASSESS_H
#ifdef __cplusplus
extern "C" {
#endif

/** A loaded rule set (opaque, immutable once loaded). */
typedef struct eg_rules eg_rules;

/** Load rules from a YAML file, or the built-in rules when `path` is NULL.
 *  @return EG_OK; EG_EFORMAT for a file that is not a valid rule set (the
 *  message names the line); EG_EIO; EG_ENOMEM.
 *  Ownership: *out belongs to the caller (eg_rules_free()).
 *  Thread-safety: a loaded rule set may be shared by any threads. */
int eg_rules_load(eg_rules **out, const char *path, eg_error *err);

/** Load rules from YAML text in memory; `name` appears in messages. */
int eg_rules_load_buffer(eg_rules **out, const char *name, const void *data,
                         size_t len, eg_error *err);

void eg_rules_free(eg_rules *rules);

/** What an assessment is asked about.  Initialise with
 *  EG_ASSESS_INPUT_INIT. */
typedef struct eg_assess_input {
    int version;             /**< EG_ASSESS_INPUT_VERSION */
    const char *scenario;    /**< "outbound" or "listing" */
    const char *regime;      /**< a regime id of the rules ("2024", "2022");
                                  NULL: the regime in force on as_of */
    int as_of_ymd;           /**< YYYYMMDD; 0: counts->as_of_ymd or today */
    int ciio;                /**< 1: critical information infrastructure
                                  operator */
    int important_data;      /**< 1: data notified or published as
                                  important data */
    int platform;            /**< 1: network platform operator (listing) */
    const char *exemption;   /**< NULL or "none", "contract", "hr",
                                  "emergency", "reexport", "ftz",
                                  "statutory" */
    const char *venue;       /**< listing: "foreign" or "hk" */
    const eg_counts *counts; /**< required */
    int64_t processed_individuals; /**< people whose PI the processor
                                        holds (2022 regime); -1: the
                                        counted individuals */
    int counts_given;              /**< 1: counts were given, not measured */
} eg_assess_input;

#define EG_ASSESS_INPUT_VERSION 1
#define EG_ASSESS_INPUT_INIT                                                   \
    {                                                                          \
        EG_ASSESS_INPUT_VERSION, "outbound", NULL, 0, 0, 0, 1, NULL, NULL,     \
            NULL, -1, 0                                                        \
    }

/** The result of an assessment (opaque). */
typedef struct eg_assessment eg_assessment;

/** Evaluate the rules.
 *  @return EG_OK (also when the pathway is "undetermined"); EG_EINVAL for
 *  an unknown scenario, regime, exemption or venue, or when no rule of the
 *  regime applies; EG_ENOMEM.
 *  Ownership: *out belongs to the caller (eg_assessment_free()); it keeps
 *  no pointer into `in` but does into `rules`, which must outlive it. */
int eg_assess(const eg_rules *rules, const eg_assess_input *in,
              eg_assessment **out, eg_error *err);

/** @return the pathway id: "exempt", "security_assessment",
 *  "standard_contract_or_certification", "cybersecurity_review", "filing"
 *  (as the rules name them), or "undetermined". */
const char *eg_assessment_pathway(const eg_assessment *a);

/** @return the id of the deciding rule, or NULL when undetermined. */
const char *eg_assessment_rule(const eg_assessment *a);

void eg_assessment_free(eg_assessment *a);

/** Output sink of the report writers: return 0, or non-zero to stop. */
typedef int (*eg_write_fn)(const void *data, size_t len, void *payload);

typedef enum eg_report_format {
    EG_REPORT_JSON = 0, /**< one JSON object and a newline */
    EG_REPORT_TEXT      /**< readable text */
} eg_report_format;

/** Write the assessment as JSON or text in `lang` ("en" or "zh"; NULL =
 *  "en"; JSON keys are the same in both, texts are translated).
 *  @return EG_OK; EG_EINVAL for an unknown language; EG_EIO when `write`
 *  returns non-zero; EG_ENOMEM. */
int eg_assessment_write(const eg_assessment *a, eg_report_format fmt,
                        const char *lang, eg_write_fn write, void *payload,
                        eg_error *err);

#ifdef __cplusplus
}
#endif
#endif
