/*
 * assess_rules.c: loading a rule set (data/rules-cn.yaml or a user's file)
 * into plain structs.
 *
 * The file is read with libyaml's document API and validated strictly:
 * unknown keys, unknown variables, a value of the wrong kind for its
 * variable, a rule naming an undeclared regime or pathway, a text with an
 * unknown {placeholder} are all errors with the line number, because a
 * typo in a legal rule must not silently change an answer.  A rules file
 * comes from the user, so the walk is also bounded (nodes visited,
 * condition depth, file size): YAML aliases could otherwise make a small
 * file expand exponentially.
 */
#include "assess/assess_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

extern const unsigned char eg__data_rules_cn_yaml[];
extern const size_t eg__data_rules_cn_yaml_len;

#define MAX_RULES_BYTES (4u << 20)
#define MAX_VISITS 5000000
#define MAX_DEPTH 16
#define MAX_ITEMS 10000

static const char *const exemptions[] = {"none",      "contract", "hr",
                                         "emergency", "reexport", "ftz",
                                         "statutory", NULL};
static const char *const venues[] = {"foreign", "hk", "none", NULL};

const var_def eg__assess_vars[V_COUNT] = {
    [V_PI] = {"pi", VK_NUM, NULL},
    [V_SPI] = {"spi", VK_NUM, NULL},
    [V_MINORS] = {"minors", VK_NUM, NULL},
    [V_USERS] = {"users", VK_NUM, NULL},
    [V_PROCESSED] = {"processed", VK_NUM, NULL},
    [V_UNLINKED] = {"unlinked_records", VK_NUM, NULL},
    [V_MARKINGS] = {"confidential_markings", VK_NUM, NULL},
    [V_PI_PRESENT] = {"pi_present", VK_BOOL, NULL},
    [V_CIIO] = {"ciio", VK_BOOL, NULL},
    [V_IMPORTANT] = {"important_data", VK_BOOL, NULL},
    [V_PLATFORM] = {"platform", VK_BOOL, NULL},
    [V_EXEMPTION] = {"exemption", VK_STR, exemptions},
    [V_VENUE] = {"venue", VK_STR, venues},
    [V_PATHWAY] = {"pathway", VK_STR, NULL},
};

typedef struct loader {
    eg_rules *r;
    yaml_document_t doc;
    const char *name;
    eg_error *err;
    long visits;
} loader;

/* ------------------------------------------------------------ the pool */

static void *pool_keep(eg_rules *r, void *p)
{
    if (!p)
        return NULL;
    if (r->npool == r->cappool) {
        size_t cap = r->cappool ? r->cappool * 2 : 64;
        void **np = eg__realloc(r->pool, cap * sizeof *np);
        if (!np) {
            eg__free(p);
            return NULL;
        }
        r->pool = np;
        r->cappool = cap;
    }
    r->pool[r->npool++] = p;
    return p;
}

void eg_rules_free(eg_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->npool; i++)
        eg__free(r->pool[i]);
    eg__free(r->pool);
    eg__free(r);
}

/* ------------------------------------------------------- node helpers */

static int line_of(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

static int fail_at(loader *L, const yaml_node_t *n, const char *what)
{
    return eg__fail(L->err, EG_EFORMAT, "%s:%d: %s", L->name, line_of(n), what);
}

static yaml_node_t *node(loader *L, int id)
{
    if (++L->visits > MAX_VISITS)
        return NULL;
    return yaml_document_get_node(&L->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length)
        return NULL;
    return s;
}

/* Check that a mapping has only the allowed keys. */
static int check_keys(loader *L, const yaml_node_t *m,
                      const char *const *allowed)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return fail_at(L, m, "expected a mapping");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(L, p->key);
        const char *ks = scalar(k);
        if (!ks)
            return fail_at(L, k ? k : m, "expected a plain key");
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, ks) == 0)
                ok = true;
        if (!ok) {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown key '%.60s'", ks);
            return fail_at(L, k, msg);
        }
    }
    return EG_OK;
}

static yaml_node_t *get(loader *L, const yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        const char *ks = scalar(node(L, p->key));
        if (ks && strcmp(ks, key) == 0)
            return node(L, p->value);
    }
    return NULL;
}

static int get_str(loader *L, const yaml_node_t *m, const char *key,
                   bool required, const char **out)
{
    yaml_node_t *v = get(L, m, key);
    *out = NULL;
    if (!v) {
        if (!required)
            return EG_OK;
        char msg[96];
        snprintf(msg, sizeof msg, "missing '%s'", key);
        return fail_at(L, m, msg);
    }
    const char *s = scalar(v);
    if (!s || !*s) {
        char msg[96];
        snprintf(msg, sizeof msg, "'%s' must be a non-empty string", key);
        return fail_at(L, v, msg);
    }
    char *c = pool_keep(L->r, eg__strdup(s));
    if (!c)
        return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
    *out = c;
    return EG_OK;
}

static int parse_date(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    if (s[4] != '-' || s[7] != '-' || !eg__date_real(y, m, d) || y < 1900)
        return 0;
    return y * 10000 + m * 100 + d;
}

static int get_date(loader *L, const yaml_node_t *m, const char *key,
                    bool required, int *out)
{
    yaml_node_t *v = get(L, m, key);
    *out = 0;
    if (!v && !required)
        return EG_OK;
    int d = parse_date(scalar(v));
    if (!d) {
        char msg[96];
        snprintf(msg, sizeof msg, "'%s' must be a date YYYY-MM-DD", key);
        return fail_at(L, v ? v : m, msg);
    }
    *out = d;
    return EG_OK;
}

static int get_text(loader *L, const yaml_node_t *m, const char *key, text *out)
{
    static const char *const keys[] = {"en", "zh", NULL};
    yaml_node_t *v = get(L, m, key);
    if (!v) {
        char msg[96];
        snprintf(msg, sizeof msg, "missing '%s' (with en and zh)", key);
        return fail_at(L, m, msg);
    }
    int rc = check_keys(L, v, keys);
    if (rc == EG_OK)
        rc = get_str(L, v, "en", true, &out->en);
    if (rc == EG_OK)
        rc = get_str(L, v, "zh", true, &out->zh);
    return rc;
}

static int seq_len(loader *L, const yaml_node_t *n, const char *what,
                   size_t *len)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        char msg[96];
        snprintf(msg, sizeof msg, "'%s' must be a list", what);
        return fail_at(L, n, msg);
    }
    *len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (*len > MAX_ITEMS)
        return fail_at(L, n, "list too long");
    return EG_OK;
}

static void *pool_array(loader *L, size_t n, size_t size)
{
    return pool_keep(L->r, eg__calloc(n ? n : 1, size));
}

/* ---------------------------------------------------------- conditions */

static int parse_int(const char *s, int64_t *out)
{
    if (!s || !*s)
        return -1;
    int64_t v = 0;
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '_' && p > s && p[1] && p[-1] != '_')
            continue;
        if (*p < '0' || *p > '9' || ++digits > 18)
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

static int find_var(const char *name)
{
    for (int i = 0; i < V_COUNT; i++)
        if (strcmp(eg__assess_vars[i].name, name) == 0)
            return i;
    return -1;
}

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

static bool is_pathway(const eg_rules *r, const char *s)
{
    for (size_t i = 0; i < r->npathways; i++)
        if (strcmp(r->pathways[i].id, s) == 0)
            return true;
    return false;
}

static int parse_cond(loader *L, const yaml_node_t *n, cond *c, int depth);

static int parse_cond_list(loader *L, const yaml_node_t *n, cond *c,
                           cond_kind kind, int depth)
{
    size_t len;
    int rc = seq_len(L, n, kind == C_ANY ? "any" : "when", &len);
    if (rc)
        return rc;
    if (depth > MAX_DEPTH)
        return fail_at(L, n, "conditions nested too deeply");
    c->kind = kind;
    c->line = line_of(n);
    c->nkids = len;
    c->kids = pool_array(L, len, sizeof *c->kids);
    if (!c->kids)
        return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *k = node(L, n->data.sequence.items.start[i]);
        if (!k)
            return fail_at(L, n, "rules file too complex");
        rc = parse_cond(L, k, &c->kids[i], depth + 1);
        if (rc)
            return rc;
    }
    return EG_OK;
}

static int parse_leaf_value(loader *L, const yaml_node_t *n, cond *c)
{
    const char *vs = scalar(get(L, n, "value"));
    if (!vs)
        return fail_at(L, n, "condition needs a scalar 'value'");
    const var_def *v = &eg__assess_vars[c->var];
    switch (v->kind) {
    case VK_NUM:
        if (parse_int(vs, &c->num) != 0)
            return fail_at(L, n, "value must be a non-negative integer");
        return EG_OK;
    case VK_BOOL:
        if (c->op != OP_EQ && c->op != OP_NE)
            return fail_at(L, n, "true/false compare only with == or !=");
        if (strcmp(vs, "true") == 0)
            c->boolean = 1;
        else if (strcmp(vs, "false") == 0)
            c->boolean = 0;
        else
            return fail_at(L, n, "value must be true or false");
        return EG_OK;
    case VK_STR:
        if (c->op != OP_EQ && c->op != OP_NE)
            return fail_at(L, n, "names compare only with == or !=");
        if (v->values ? !in_list(v->values, vs) : !is_pathway(L->r, vs))
            return fail_at(L, n, "value is not one this variable takes");
        c->str = pool_keep(L->r, eg__strdup(vs));
        if (!c->str)
            return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
        return EG_OK;
    }
    return fail_at(L, n, "bad variable");
}

static int parse_cond(loader *L, const yaml_node_t *n, cond *c, int depth)
{
    static const char *const leaf_keys[] = {"var", "op", "value", NULL};
    static const char *const any_keys[] = {"any", NULL};
    static const char *const all_keys[] = {"all", NULL};
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", NULL};
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail_at(L, n, "a condition must be a mapping");
    c->line = line_of(n);
    if (get(L, n, "any") || get(L, n, "all")) {
        bool any = get(L, n, "any") != NULL;
        int rc = check_keys(L, n, any ? any_keys : all_keys);
        if (rc)
            return rc;
        return parse_cond_list(L, get(L, n, any ? "any" : "all"), c,
                               any ? C_ANY : C_ALL, depth + 1);
    }
    int rc = check_keys(L, n, leaf_keys);
    if (rc)
        return rc;
    const char *vn = scalar(get(L, n, "var"));
    const char *on = scalar(get(L, n, "op"));
    int var = vn ? find_var(vn) : -1;
    if (var < 0)
        return fail_at(L, n, "unknown or missing 'var'");
    int op = -1;
    for (int i = 0; on && ops[i]; i++)
        if (strcmp(ops[i], on) == 0)
            op = i;
    if (op < 0)
        return fail_at(L, n, "unknown or missing 'op' (== != < <= > >=)");
    c->kind = C_LEAF;
    c->var = (var_id)var;
    c->op = (cond_op)op;
    return parse_leaf_value(L, n, c);
}

/* ----------------------------------------------------------- sections */

static bool valid_scenario(const char *s)
{
    return s && (strcmp(s, "outbound") == 0 || strcmp(s, "listing") == 0);
}

static const regime *find_regime(const eg_rules *r, const char *id)
{
    for (size_t i = 0; i < r->nregimes; i++)
        if (strcmp(r->regimes[i].id, id) == 0)
            return &r->regimes[i];
    return NULL;
}

static int parse_regimes(loader *L, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "id",     "scenario", "effective_from", "title", "effective_until",
        "window", NULL};
    yaml_node_t *seq = get(L, root, "regimes");
    size_t n;
    int rc = seq_len(L, seq, "regimes", &n);
    if (rc)
        return rc;
    L->r->regimes = pool_array(L, n, sizeof(regime));
    if (!L->r->regimes)
        return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *m = node(L, seq->data.sequence.items.start[i]);
        regime *g = &L->r->regimes[i];
        rc = check_keys(L, m, keys);
        if (!rc)
            rc = get_str(L, m, "id", true, &g->id);
        if (!rc)
            rc = get_str(L, m, "scenario", true, &g->scenario);
        if (!rc && !valid_scenario(g->scenario))
            rc = fail_at(L, m, "scenario must be outbound or listing");
        if (!rc)
            rc = get_date(L, m, "effective_from", true, &g->from);
        if (!rc)
            rc = get_date(L, m, "effective_until", false, &g->until);
        if (!rc && g->until && g->until < g->from)
            rc = fail_at(L, m, "effective_until is before effective_from");
        if (!rc)
            rc = get_text(L, m, "title", &g->title);
        if (!rc)
            rc = get_text(L, m, "window", &g->window);
        if (!rc && find_regime(L->r, g->id))
            rc = fail_at(L, m, "regime id used twice");
        if (rc)
            return rc;
        L->r->nregimes = i + 1;
    }
    return EG_OK;
}

static int parse_pathways(loader *L, const yaml_node_t *root)
{
    yaml_node_t *m = get(L, root, "pathways");
    if (!m || m->type != YAML_MAPPING_NODE)
        return fail_at(L, m ? m : root, "'pathways' must be a mapping");
    size_t n =
        (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    if (n > MAX_ITEMS)
        return fail_at(L, m, "too many pathways");
    L->r->pathways = pool_array(L, n, sizeof(pathway_def));
    if (!L->r->pathways)
        return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
    for (size_t i = 0; i < n; i++) {
        yaml_node_pair_t *p = &m->data.mapping.pairs.start[i];
        yaml_node_t *k = node(L, p->key);
        const char *id = scalar(k);
        if (!id || !*id || strcmp(id, "undetermined") == 0)
            return fail_at(L, k ? k : m, "bad pathway id");
        if (is_pathway(L->r, id))
            return fail_at(L, k, "pathway listed twice");
        pathway_def *pd = &L->r->pathways[i];
        pd->id = pool_keep(L->r, eg__strdup(id));
        if (!pd->id)
            return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
        yaml_node_t *v = node(L, p->value);
        static const char *const keys[] = {"en", "zh", NULL};
        int rc = check_keys(L, v, keys);
        if (!rc)
            rc = get_str(L, v, "en", true, &pd->name.en);
        if (!rc)
            rc = get_str(L, v, "zh", true, &pd->name.zh);
        if (rc)
            return rc;
        L->r->npathways = i + 1;
    }
    if (n == 0)
        return fail_at(L, m, "no pathways");
    return EG_OK;
}

static int parse_rules(loader *L, const yaml_node_t *root)
{
    static const char *const keys[] = {"id",       "scenario",       "regime",
                                       "citation", "title",          "when",
                                       "pathway",  "effective_from", NULL};
    yaml_node_t *seq = get(L, root, "rules");
    size_t n;
    int rc = seq_len(L, seq, "rules", &n);
    if (rc)
        return rc;
    L->r->rules = pool_array(L, n, sizeof(rule));
    if (!L->r->rules)
        return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *m = node(L, seq->data.sequence.items.start[i]);
        rule *u = &L->r->rules[i];
        u->line = line_of(m);
        rc = check_keys(L, m, keys);
        if (!rc)
            rc = get_str(L, m, "id", true, &u->id);
        for (size_t j = 0; !rc && j < i; j++)
            if (strcmp(L->r->rules[j].id, u->id) == 0)
                rc = fail_at(L, m, "rule id used twice");
        if (!rc)
            rc = get_str(L, m, "scenario", true, &u->scenario);
        if (!rc && !valid_scenario(u->scenario))
            rc = fail_at(L, m, "scenario must be outbound or listing");
        if (!rc)
            rc = get_str(L, m, "regime", true, &u->regime);
        if (!rc) {
            const regime *g = find_regime(L->r, u->regime);
            if (!g || strcmp(g->scenario, u->scenario) != 0)
                rc = fail_at(L, m, "regime not declared for this scenario");
        }
        if (!rc)
            rc = get_date(L, m, "effective_from", true, &u->from);
        if (!rc)
            rc = get_str(L, m, "citation", true, &u->citation);
        if (!rc)
            rc = get_text(L, m, "title", &u->title);
        if (!rc)
            rc = get_str(L, m, "pathway", true, &u->pathway);
        if (!rc && !is_pathway(L->r, u->pathway))
            rc = fail_at(L, m, "pathway not declared under 'pathways'");
        if (!rc)
            rc = parse_cond_list(L, get(L, m, "when"), &u->when, C_ALL, 0);
        if (!rc) {
            int used[V_COUNT] = {0};
            eg__cond_vars(&u->when, used);
            if (used[V_PATHWAY])
                rc = fail_at(L, m, "a rule cannot test 'pathway'");
        }
        if (rc)
            return rc;
        L->r->nrules = i + 1;
    }
    return EG_OK;
}

/* Every {name} in a text must be a variable. */
static int check_placeholders(loader *L, const yaml_node_t *m, const char *s)
{
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        char name[40];
        size_t len = e ? (size_t)(e - p - 1) : 0;
        if (!e || len == 0 || len >= sizeof name)
            return fail_at(L, m, "bad {placeholder} in a text");
        memcpy(name, p + 1, len);
        name[len] = '\0';
        if (find_var(name) < 0)
            return fail_at(L, m, "unknown {placeholder} in a text");
    }
    return EG_OK;
}

static int parse_obligations(loader *L, const yaml_node_t *root)
{
    static const char *const keys[] = {"id",   "scenario", "regime", "kind",
                                       "when", "citation", "text",   NULL};
    yaml_node_t *seq = get(L, root, "obligations");
    if (!seq)
        return EG_OK;
    size_t n;
    int rc = seq_len(L, seq, "obligations", &n);
    if (rc)
        return rc;
    L->r->obligations = pool_array(L, n, sizeof(obligation));
    if (!L->r->obligations)
        return eg__fail(L->err, EG_ENOMEM, "out of memory loading rules");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *m = node(L, seq->data.sequence.items.start[i]);
        obligation *o = &L->r->obligations[i];
        o->line = line_of(m);
        rc = check_keys(L, m, keys);
        if (!rc)
            rc = get_str(L, m, "id", true, &o->id);
        for (size_t j = 0; !rc && j < i; j++)
            if (strcmp(L->r->obligations[j].id, o->id) == 0)
                rc = fail_at(L, m, "obligation id used twice");
        if (!rc)
            rc = get_str(L, m, "scenario", false, &o->scenario);
        if (!rc && o->scenario && !valid_scenario(o->scenario))
            rc = fail_at(L, m, "scenario must be outbound or listing");
        if (!rc)
            rc = get_str(L, m, "regime", false, &o->regime);
        if (!rc && o->regime && !find_regime(L->r, o->regime))
            rc = fail_at(L, m, "regime not declared");
        if (!rc)
            rc = get_str(L, m, "kind", true, &o->kind);
        if (!rc && strcmp(o->kind, "duty") != 0 &&
            strcmp(o->kind, "blocker") != 0 && strcmp(o->kind, "note") != 0)
            rc = fail_at(L, m, "kind must be duty, blocker or note");
        if (!rc)
            rc = get_str(L, m, "citation", true, &o->citation);
        if (!rc)
            rc = get_text(L, m, "text", &o->text);
        if (!rc)
            rc = check_placeholders(L, m, o->text.en);
        if (!rc)
            rc = check_placeholders(L, m, o->text.zh);
        if (!rc)
            rc = parse_cond_list(L, get(L, m, "when"), &o->when, C_ALL, 0);
        if (rc)
            return rc;
        L->r->nobligations = i + 1;
    }
    return EG_OK;
}

static int parse_root(loader *L)
{
    static const char *const keys[] = {"format",      "name",     "researched",
                                       "regimes",     "pathways", "rules",
                                       "obligations", NULL};
    yaml_node_t *root = yaml_document_get_root_node(&L->doc);
    if (!root)
        return eg__fail(L->err, EG_EFORMAT, "%s: empty rules file", L->name);
    int rc = check_keys(L, root, keys);
    if (rc)
        return rc;
    const char *fmt = scalar(get(L, root, "format"));
    if (!fmt || strcmp(fmt, "egress-rules/1") != 0)
        return fail_at(L, root, "format must be egress-rules/1");
    rc = get_str(L, root, "name", true, &L->r->name);
    if (!rc)
        rc = get_str(L, root, "researched", false, &L->r->researched);
    if (!rc)
        rc = parse_regimes(L, root);
    if (!rc)
        rc = parse_pathways(L, root);
    if (!rc)
        rc = parse_rules(L, root);
    if (!rc)
        rc = parse_obligations(L, root);
    if (!rc && L->visits > MAX_VISITS)
        rc =
            eg__fail(L->err, EG_EFORMAT, "%s: rules file too complex", L->name);
    return rc;
}

int eg_rules_load_buffer(eg_rules **out, const char *name, const void *data,
                         size_t len, eg_error *err)
{
    if (!out || (!data && len))
        return eg__fail(err, EG_EINVAL, "eg_rules_load_buffer: NULL argument");
    *out = NULL;
    if (!name)
        name = "<rules>";
    if (len > MAX_RULES_BYTES)
        return eg__fail(err, EG_EFORMAT, "%s: rules file larger than %u bytes",
                        name, MAX_RULES_BYTES);
    loader L;
    memset(&L, 0, sizeof L);
    L.name = name;
    L.err = err;
    L.r = eg__calloc(1, sizeof *L.r);
    if (!L.r)
        return eg__fail(err, EG_ENOMEM, "out of memory loading rules");
    L.r->source = pool_keep(L.r, eg__strdup(name));
    if (!L.r->source) {
        eg_rules_free(L.r);
        return eg__fail(err, EG_ENOMEM, "out of memory loading rules");
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        eg_rules_free(L.r);
        return eg__fail(err, EG_ENOMEM, "cannot set up the YAML parser");
    }
    yaml_parser_set_input_string(&p, data ? data : (const void *)"", len);
    int rc;
    if (!yaml_parser_load(&p, &L.doc)) {
        rc = eg__fail(
            err, p.error == YAML_MEMORY_ERROR ? EG_ENOMEM : EG_EFORMAT,
            "%s:%d: YAML error: %s", name, (int)p.problem_mark.line + 1,
            p.problem ? p.problem : "unknown");
        yaml_parser_delete(&p);
        eg_rules_free(L.r);
        return rc;
    }
    rc = parse_root(&L);
    yaml_document_delete(&L.doc);
    yaml_parser_delete(&p);
    if (rc) {
        eg_rules_free(L.r);
        return rc;
    }
    *out = L.r;
    return EG_OK;
}

int eg_rules_load(eg_rules **out, const char *path, eg_error *err)
{
    if (!out)
        return eg__fail(err, EG_EINVAL, "eg_rules_load: out is NULL");
    if (!path)
        return eg_rules_load_buffer(out, "built-in", eg__data_rules_cn_yaml,
                                    eg__data_rules_cn_yaml_len, err);
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return eg__fail(err, errno == ENOENT ? EG_ENOTFOUND : EG_EIO,
                        "%s: cannot open: %s", path, strerror(errno));
    eg_buf b = {0};
    char chunk[8192];
    size_t n;
    int rc = EG_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > MAX_RULES_BYTES) {
            rc =
                eg__fail(err, EG_EFORMAT, "%s: rules file larger than %u bytes",
                         path, MAX_RULES_BYTES);
            break;
        }
        if (eg__buf_append(&b, chunk, n) != EG_OK) {
            rc = eg__fail(err, EG_ENOMEM, "out of memory reading %s", path);
            break;
        }
    }
    if (rc == EG_OK && ferror(f))
        rc = eg__fail(err, EG_EIO, "%s: read error", path);
    fclose(f);
    if (rc == EG_OK)
        rc = eg_rules_load_buffer(out, path, b.data, b.len, err);
    eg__buf_free(&b);
    return rc;
}
