/*
 * assess_int.h: the loaded rule set and the assessment, shared by
 * assess_rules.c (YAML to structs), assess_eval.c (evaluation) and
 * assess_report.c (JSON and text).
 *
 * The variables rules may test are a fixed list here: they are what egress
 * can know (counts, command-line facts); the thresholds, the order, the
 * citations and the texts are all in the rules file.
 */
#ifndef EG_ASSESS_INT_H
#define EG_ASSESS_INT_H

#include "common/eg_common.h"

typedef enum var_kind { VK_NUM, VK_BOOL, VK_STR } var_kind;

typedef enum var_id {
    V_PI,
    V_SPI,
    V_MINORS,
    V_USERS,
    V_PROCESSED,
    V_UNLINKED,
    V_MARKINGS,
    V_PI_PRESENT,
    V_CIIO,
    V_IMPORTANT,
    V_PLATFORM,
    V_EXEMPTION,
    V_VENUE,
    V_PATHWAY,
    V_COUNT
} var_id;

typedef struct var_def {
    const char *name;
    var_kind kind;
    const char *const *values; /* allowed strings (VK_STR), NULL-ended */
} var_def;

extern const var_def eg__assess_vars[V_COUNT];

typedef enum cond_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } cond_op;
typedef enum cond_kind { C_LEAF, C_ALL, C_ANY } cond_kind;

typedef struct cond {
    cond_kind kind;
    var_id var;
    cond_op op;
    int64_t num;     /* VK_NUM */
    int boolean;     /* VK_BOOL */
    const char *str; /* VK_STR */
    struct cond *kids;
    size_t nkids;
    int line;
} cond;

typedef struct text {
    const char *en, *zh;
} text;

typedef struct regime {
    const char *id, *scenario;
    int from, until; /* YYYYMMDD; until 0 = open */
    text title, window;
} regime;

typedef struct pathway_def {
    const char *id;
    text name;
} pathway_def;

typedef struct rule {
    const char *id, *scenario, *regime, *citation, *pathway;
    int from;
    text title;
    cond when; /* C_ALL */
    int line;
} rule;

typedef struct obligation {
    const char *id, *scenario, *regime, *citation, *kind;
    text text;
    cond when;
    int line;
} obligation;

struct eg_rules {
    const char *name, *source, *researched;
    regime *regimes;
    size_t nregimes;
    pathway_def *pathways;
    size_t npathways;
    rule *rules;
    size_t nrules;
    obligation *obligations;
    size_t nobligations;
    /* everything above is allocated from this pool */
    void **pool;
    size_t npool, cappool;
};

/* A variable's value during evaluation: numbers carry an error bound. */
typedef struct value {
    int known; /* 0 only for pathway while undecided */
    uint64_t num, err;
    int boolean;
    const char *str;
} value;

typedef enum tri { T_FALSE = 0, T_TRUE = 1, T_UNKNOWN = 2 } tri;

tri eg__cond_eval(const cond *c, const value *vals);
/* Print a condition as text ("pi >= 100000"), appended to b. */
int eg__cond_print(eg_buf *b, const cond *c, int top);
/* Mark in used[] the variables a condition reads. */
void eg__cond_vars(const cond *c, int used[V_COUNT]);

typedef enum note_code {
    N_REGIME_NOT_YET,     /* regime chosen before its start */
    N_REGIME_SUPERSEDED,  /* regime chosen after its end */
    N_RULE_NOT_IN_FORCE,  /* a rule skipped: not yet in force */
    N_ESTIMATE_UNDECIDED, /* the estimate straddles a threshold */
    N_ESTIMATE            /* counts are estimates at all */
} note_code;

typedef struct note {
    note_code code;
    const char *ref; /* regime or rule id */
    int date;
} note;

typedef struct fired {
    const rule *r;
    tri status;
} fired;

typedef struct listed {
    const obligation *o;
    tri status;
} listed;

struct eg_assessment {
    const eg_rules *rules;
    const regime *reg;
    char scenario[16];
    int as_of;
    value vals[V_COUNT];
    eg_counts counts;
    int counts_given;
    int64_t processed;
    const char *pathway; /* a pathway id, or "undetermined" */
    const pathway_def *pathway_def;
    fired *fired;
    size_t nfired;
    listed *listed;
    size_t nlisted;
    note *notes;
    size_t nnotes;
};

#endif
