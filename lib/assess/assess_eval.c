/*
 * assess_eval.c: evaluating a rule set for one question.
 *
 * Rules of the chosen scenario and regime are tried in file order, first
 * match wins.  Conditions are evaluated in three-valued (Kleene) logic: a
 * count that is an estimate is an interval [value - error, value + error],
 * and a comparison that holds for part of the interval only is UNKNOWN.
 * Evaluation goes on past UNKNOWN rules until a rule holds for certain;
 * the pathways met on the way are the possible outcomes.  If they are all
 * the same pathway the question is decided even from an estimate;
 * otherwise the answer is "undetermined" and says which rules the estimate
 * cannot decide.  Exact counts never produce UNKNOWN.
 */
#include "assess/assess_int.h"

#include <string.h>

/* ----------------------------------------------------------- conditions */

static bool cmp_num(uint64_t v, cond_op op, int64_t c)
{
    uint64_t k = (uint64_t)c;
    switch (op) {
    case OP_EQ:
        return v == k;
    case OP_NE:
        return v != k;
    case OP_LT:
        return v < k;
    case OP_LE:
        return v <= k;
    case OP_GT:
        return v > k;
    case OP_GE:
        return v >= k;
    }
    return false;
}

static tri leaf(const cond *c, const value *v)
{
    if (!v->known)
        return T_UNKNOWN;
    const var_def *d = &eg__assess_vars[c->var];
    bool r;
    if (d->kind == VK_BOOL) {
        r = (v->boolean != 0) == (c->boolean != 0);
        return (c->op == OP_NE ? !r : r) ? T_TRUE : T_FALSE;
    }
    if (d->kind == VK_STR) {
        r = v->str && strcmp(v->str, c->str) == 0;
        return (c->op == OP_NE ? !r : r) ? T_TRUE : T_FALSE;
    }
    uint64_t lo = v->num > v->err ? v->num - v->err : 0;
    uint64_t hi = v->num + v->err < v->num ? UINT64_MAX : v->num + v->err;
    if (lo == hi)
        return cmp_num(lo, c->op, c->num) ? T_TRUE : T_FALSE;
    uint64_t k = (uint64_t)c->num;
    if (c->op == OP_EQ || c->op == OP_NE) {
        bool inside = k >= lo && k <= hi;
        if (!inside)
            return c->op == OP_EQ ? T_FALSE : T_TRUE;
        return T_UNKNOWN;
    }
    /* <, <=, >, >= are monotone: the ends of the interval decide. */
    bool a = cmp_num(lo, c->op, c->num), b = cmp_num(hi, c->op, c->num);
    return a == b ? (a ? T_TRUE : T_FALSE) : T_UNKNOWN;
}

tri eg__cond_eval(const cond *c, const value *vals)
{
    if (c->kind == C_LEAF)
        return leaf(c, &vals[c->var]);
    bool any_unknown = false;
    for (size_t i = 0; i < c->nkids; i++) {
        tri t = eg__cond_eval(&c->kids[i], vals);
        if (c->kind == C_ALL && t == T_FALSE)
            return T_FALSE;
        if (c->kind == C_ANY && t == T_TRUE)
            return T_TRUE;
        if (t == T_UNKNOWN)
            any_unknown = true;
    }
    if (any_unknown)
        return T_UNKNOWN;
    return c->kind == C_ALL ? T_TRUE : T_FALSE;
}

void eg__cond_vars(const cond *c, int used[V_COUNT])
{
    if (c->kind == C_LEAF) {
        used[c->var] = 1;
        return;
    }
    for (size_t i = 0; i < c->nkids; i++)
        eg__cond_vars(&c->kids[i], used);
}

int eg__cond_print(eg_buf *b, const cond *c, int top)
{
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
    if (c->kind == C_LEAF) {
        const var_def *d = &eg__assess_vars[c->var];
        if (d->kind == VK_NUM)
            return eg__buf_printf(b, "%s %s %lld", d->name, ops[c->op],
                                  (long long)c->num);
        if (d->kind == VK_BOOL)
            return eg__buf_printf(b, "%s %s %s", d->name, ops[c->op],
                                  c->boolean ? "true" : "false");
        return eg__buf_printf(b, "%s %s %s", d->name, ops[c->op], c->str);
    }
    const char *sep = c->kind == C_ALL ? " and " : " or ";
    if (c->nkids == 0)
        return eg__buf_puts(b, c->kind == C_ALL ? "always" : "never");
    int rc = (!top && c->nkids > 1) ? eg__buf_puts(b, "(") : EG_OK;
    for (size_t i = 0; i < c->nkids && rc == EG_OK; i++) {
        if (i)
            rc = eg__buf_puts(b, sep);
        if (rc == EG_OK)
            rc = eg__cond_print(b, &c->kids[i], 0);
    }
    if (rc == EG_OK && !top && c->nkids > 1)
        rc = eg__buf_puts(b, ")");
    return rc;
}

/* ----------------------------------------------------------- the input */

static bool one_of(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

static const regime *pick_regime(const eg_rules *r, const char *scenario,
                                 const char *id, int as_of, eg_error *err)
{
    const regime *best = NULL;
    for (size_t i = 0; i < r->nregimes; i++) {
        const regime *g = &r->regimes[i];
        if (strcmp(g->scenario, scenario) != 0)
            continue;
        if (id) {
            if (strcmp(g->id, id) == 0)
                return g;
            continue;
        }
        if (g->from <= as_of && (!g->until || as_of <= g->until) &&
            (!best || g->from > best->from))
            best = g;
    }
    if (id)
        eg__fail(err, EG_EINVAL, "the rules have no %s regime '%s'", scenario,
                 id);
    else if (!best)
        eg__fail(err, EG_EINVAL,
                 "no %s regime of the rules is in force on %04d-%02d-%02d; "
                 "name one",
                 scenario, as_of / 10000, as_of / 100 % 100, as_of % 100);
    return best;
}

static int set_values(eg_assessment *a, const eg_assess_input *in,
                      eg_error *err)
{
    const eg_counts *c = &a->counts;
    value *v = a->vals;
    for (int i = 0; i < V_COUNT; i++)
        v[i].known = 1;
    v[V_PI].num = c->individuals;
    v[V_PI].err = c->individuals_error;
    v[V_SPI].num = c->sensitive_individuals;
    v[V_SPI].err = c->sensitive_individuals_error;
    v[V_MINORS].num = c->minors_under_14;
    v[V_MINORS].err = c->minors_error;
    v[V_USERS] = v[V_PI];
    if (in->processed_individuals >= 0) {
        v[V_PROCESSED].num = (uint64_t)in->processed_individuals;
        v[V_PROCESSED].err = 0;
        a->processed = in->processed_individuals;
    } else {
        v[V_PROCESSED] = v[V_PI];
        a->processed = -1;
    }
    v[V_UNLINKED].num = c->unlinked_records;
    int mark = eg_type_from_id("confidential_marking");
    v[V_MARKINGS].num =
        mark >= 0 && mark < EG_COUNTS_MAX_TYPES ? c->findings_by_type[mark] : 0;
    v[V_PI_PRESENT].boolean = c->individuals > 0 ||
                              c->sensitive_individuals > 0 ||
                              c->records_with_pi > 0;
    v[V_CIIO].boolean = in->ciio != 0;
    v[V_IMPORTANT].boolean = in->important_data != 0;
    v[V_PLATFORM].boolean = in->platform != 0;
    const char *ex = in->exemption ? in->exemption : "none";
    if (!one_of(eg__assess_vars[V_EXEMPTION].values, ex))
        return eg__fail(err, EG_EINVAL,
                        "unknown exemption '%.40s' (contract, hr, emergency, "
                        "reexport, ftz, statutory)",
                        ex);
    v[V_EXEMPTION].str = eg__assess_vars[V_EXEMPTION].values[0];
    for (const char *const *p = eg__assess_vars[V_EXEMPTION].values; *p; p++)
        if (strcmp(*p, ex) == 0)
            v[V_EXEMPTION].str = *p;
    const char *venue = in->venue;
    if (!venue)
        venue = strcmp(a->scenario, "listing") == 0 ? NULL : "none";
    if (!venue)
        return eg__fail(err, EG_EINVAL,
                        "a listing needs a venue: foreign or hk");
    if (!one_of(eg__assess_vars[V_VENUE].values, venue) ||
        (strcmp(a->scenario, "listing") == 0 && strcmp(venue, "none") == 0))
        return eg__fail(err, EG_EINVAL, "unknown venue '%.40s' (foreign, hk)",
                        venue);
    for (const char *const *p = eg__assess_vars[V_VENUE].values; *p; p++)
        if (strcmp(*p, venue) == 0)
            v[V_VENUE].str = *p;
    v[V_PATHWAY].known = 0;
    return EG_OK;
}

/* ------------------------------------------------------------- results */

static int add_note(eg_assessment *a, note_code code, const char *ref, int date)
{
    note *n = eg__realloc(a->notes, (a->nnotes + 1) * sizeof *n);
    if (!n)
        return EG_ENOMEM;
    a->notes = n;
    n[a->nnotes].code = code;
    n[a->nnotes].ref = ref;
    n[a->nnotes].date = date;
    a->nnotes++;
    return EG_OK;
}

static int add_fired(eg_assessment *a, const rule *r, tri status)
{
    fired *f = eg__realloc(a->fired, (a->nfired + 1) * sizeof *f);
    if (!f)
        return EG_ENOMEM;
    a->fired = f;
    f[a->nfired].r = r;
    f[a->nfired].status = status;
    a->nfired++;
    return EG_OK;
}

static int add_listed(eg_assessment *a, const obligation *o, tri status)
{
    listed *l = eg__realloc(a->listed, (a->nlisted + 1) * sizeof *l);
    if (!l)
        return EG_ENOMEM;
    a->listed = l;
    l[a->nlisted].o = o;
    l[a->nlisted].status = status;
    a->nlisted++;
    return EG_OK;
}

static int run_rules(eg_assessment *a, eg_error *err)
{
    const eg_rules *R = a->rules;
    const regime *g = a->reg;
    bool definite = false;
    for (size_t i = 0; i < R->nrules && !definite; i++) {
        const rule *r = &R->rules[i];
        if (strcmp(r->scenario, a->scenario) != 0 ||
            strcmp(r->regime, g->id) != 0)
            continue;
        /* Inside the regime's life, a rule that starts later is skipped
         * until its date; before or after it, the regime is assessed as
         * written (a what-if). */
        bool in_life =
            a->as_of >= g->from && (!g->until || a->as_of <= g->until);
        if (in_life && a->as_of < r->from) {
            if (add_note(a, N_RULE_NOT_IN_FORCE, r->id, r->from))
                return eg__fail(err, EG_ENOMEM, "out of memory");
            continue;
        }
        tri t = eg__cond_eval(&r->when, a->vals);
        if (t == T_FALSE)
            continue;
        if (add_fired(a, r, t))
            return eg__fail(err, EG_ENOMEM, "out of memory");
        definite = t == T_TRUE;
    }
    if (a->nfired == 0)
        return eg__fail(err, EG_EINVAL,
                        "no rule of the %s regime %s applies to these facts: "
                        "the rules file is incomplete",
                        a->scenario, g->id);
    const char *p = a->fired[0].r->pathway;
    bool same = definite;
    for (size_t i = 1; i < a->nfired; i++)
        if (strcmp(a->fired[i].r->pathway, p) != 0)
            same = false;
    if (same) {
        a->pathway = p;
        for (size_t i = 0; i < R->npathways; i++)
            if (strcmp(R->pathways[i].id, p) == 0)
                a->pathway_def = &R->pathways[i];
        a->vals[V_PATHWAY].known = 1;
        a->vals[V_PATHWAY].str = p;
    } else {
        a->pathway = "undetermined";
        if (add_note(a, N_ESTIMATE_UNDECIDED, NULL, 0))
            return eg__fail(err, EG_ENOMEM, "out of memory");
    }
    return EG_OK;
}

static int run_obligations(eg_assessment *a, eg_error *err)
{
    const eg_rules *R = a->rules;
    for (size_t i = 0; i < R->nobligations; i++) {
        const obligation *o = &R->obligations[i];
        if (o->scenario && strcmp(o->scenario, a->scenario) != 0)
            continue;
        if (o->regime && strcmp(o->regime, a->reg->id) != 0)
            continue;
        tri t = eg__cond_eval(&o->when, a->vals);
        if (t != T_FALSE && add_listed(a, o, t))
            return eg__fail(err, EG_ENOMEM, "out of memory");
    }
    return EG_OK;
}

int eg_assess(const eg_rules *rules, const eg_assess_input *in,
              eg_assessment **out, eg_error *err)
{
    if (!out)
        return eg__fail(err, EG_EINVAL, "eg_assess: out is NULL");
    *out = NULL;
    if (!rules || !in || !in->counts)
        return eg__fail(err, EG_EINVAL,
                        "eg_assess: rules, input and counts "
                        "are required");
    if (in->version != EG_ASSESS_INPUT_VERSION)
        return eg__fail(err, EG_EINVAL, "eg_assess: input of another version");
    const char *sc = in->scenario ? in->scenario : "outbound";
    if (strcmp(sc, "outbound") != 0 && strcmp(sc, "listing") != 0)
        return eg__fail(err, EG_EINVAL,
                        "unknown scenario '%.40s' (outbound, listing)", sc);
    int as_of = in->as_of_ymd ? in->as_of_ymd
                              : (in->counts->as_of_ymd ? in->counts->as_of_ymd
                                                       : eg__today_ymd());
    if (!eg__date_real(as_of / 10000, as_of / 100 % 100, as_of % 100))
        return eg__fail(err, EG_EINVAL, "as-of date %d is not a real date",
                        as_of);
    eg_assessment *a = eg__calloc(1, sizeof *a);
    if (!a)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    a->rules = rules;
    strcpy(a->scenario, sc);
    a->as_of = as_of;
    a->counts = *in->counts;
    a->counts_given = in->counts_given;
    int rc = set_values(a, in, err);
    if (rc == EG_OK) {
        a->reg = pick_regime(rules, sc, in->regime, as_of, err);
        if (!a->reg)
            rc = EG_EINVAL;
    }
    if (rc == EG_OK && as_of < a->reg->from)
        rc = add_note(a, N_REGIME_NOT_YET, a->reg->id, a->reg->from);
    if (rc == EG_OK && a->reg->until && as_of > a->reg->until)
        rc = add_note(a, N_REGIME_SUPERSEDED, a->reg->id, a->reg->until);
    if (rc == EG_OK && !a->counts.exact)
        rc = add_note(a, N_ESTIMATE, NULL, 0);
    if (rc == EG_ENOMEM)
        eg__fail(err, rc, "out of memory");
    if (rc == EG_OK)
        rc = run_rules(a, err);
    if (rc == EG_OK)
        rc = run_obligations(a, err);
    if (rc) {
        eg_assessment_free(a);
        return rc;
    }
    *out = a;
    return EG_OK;
}

const char *eg_assessment_pathway(const eg_assessment *a)
{
    return a ? a->pathway : NULL;
}

const char *eg_assessment_rule(const eg_assessment *a)
{
    if (!a || !a->pathway_def || a->nfired == 0)
        return NULL;
    return a->fired[a->nfired - 1].r->id;
}

void eg_assessment_free(eg_assessment *a)
{
    if (!a)
        return;
    eg__free(a->fired);
    eg__free(a->listed);
    eg__free(a->notes);
    eg__free(a);
}
