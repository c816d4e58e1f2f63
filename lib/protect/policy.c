/*
 * policy.c: the de-identification policy: which operator, with which
 * settings, each finding type gets.  A YAML file (libyaml), e.g.
 *
 *     version: 1
 *     default: redact
 *     rules:
 *       cn_mobile: {op: mask, keep_first: 3, keep_last: 4}
 *       sensitive_pi: {op: encrypt}
 *       geo_coordinate: {op: generalize, decimals: 2}
 *
 * A rule's key is a type id, a category id (pi, sensitive_pi, org,
 * confidential, credential) or `default`; its value an operator name or a
 * mapping with `op` and that operator's settings (docs/internals/
 * OPERATORS.md lists them).  Resolution, done once at load time into a
 * per-type table: the type's own rule, else its category's rule if that
 * operator applies to the type, else the default if it applies, else
 * redact.  A type rule whose operator cannot apply to the type (generalize
 * for cn_mobile) is an error, as are unknown keys, operators, settings and
 * types, duplicate keys and out-of-range values: each message carries the
 * file name, line and column.
 *
 * The schema is three levels deep and read from libyaml's document tree;
 * aliases are followed only where a scalar or a mapping of the schema is
 * expected, so no alias structure can make the walk blow up.  Input is
 * capped at 1 MiB.
 */
#include "protect/operators_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

extern const unsigned char eg__data_policy_default_yaml[];
extern const size_t eg__data_policy_default_yaml_len;

#define POLICY_MAX_BYTES (1u << 20)

struct eg_policy {
    eg_op_settings deflt;
    eg_op_settings fallback; /* redact, for what nothing else fits */
    eg_op_settings by_type[EG_T_COUNT];
    eg_op_settings by_cat[EG_CAT_COUNT];
    unsigned char has_type[EG_T_COUNT];
    unsigned char has_cat[EG_CAT_COUNT];
    int has_default;
    const eg_op_settings *resolved[EG_T_COUNT];
};

typedef struct pctx {
    yaml_document_t *doc;
    const char *name;
    eg_error *err;
    eg_policy *p;
} pctx;

/* ------------------------------------------------------------ helpers */

static int fail_at(const pctx *c, const yaml_node_t *n, const char *fmt, ...)
    EG_PRINTF(3, 4);

static int fail_at(const pctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eg__fail(c->err, EG_EFORMAT, "%s:%zu:%zu: %s", c->name,
                    n ? (size_t)n->start_mark.line + 1 : 0,
                    n ? (size_t)n->start_mark.column + 1 : 0, msg);
}

/* A scalar for messages: printable ASCII, at most 40 characters. */
static const char *shown(const yaml_node_t *n, char buf[48])
{
    size_t k = 0;
    if (n && n->type == YAML_SCALAR_NODE) {
        const unsigned char *v = n->data.scalar.value;
        for (size_t i = 0; i < n->data.scalar.length && k < 40; i++)
            buf[k++] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
    }
    buf[k] = '\0';
    return buf;
}

static int is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

static int scalar_is(const yaml_node_t *n, const char *s)
{
    size_t len = strlen(s);
    return is_scalar(n) && n->data.scalar.length == len &&
           memcmp(n->data.scalar.value, s, len) == 0;
}

/* Copy a scalar into buf (NUL-terminated); fails for embedded NULs or a
 * value that does not fit. */
static int scalar_copy(const yaml_node_t *n, char *buf, size_t cap)
{
    if (!is_scalar(n) || n->data.scalar.length >= cap ||
        memchr(n->data.scalar.value, 0, n->data.scalar.length))
        return 0;
    memcpy(buf, n->data.scalar.value, n->data.scalar.length);
    buf[n->data.scalar.length] = '\0';
    return 1;
}

static int scalar_int(const yaml_node_t *n, long lo, long hi, int *out)
{
    char buf[16];
    if (!scalar_copy(n, buf, sizeof buf) || !buf[0])
        return 0;
    long v = 0;
    for (const char *p = buf; *p; p++) {
        if (*p < '0' || *p > '9' || v > 1000000)
            return 0;
        v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

static int scalar_bool(const yaml_node_t *n, int *out)
{
    static const char *const yes[] = {"true", "yes",  "on", "1",
                                      "True", "TRUE", "Yes"};
    static const char *const no[] = {"false", "no",    "off", "0",
                                     "False", "FALSE", "No"};
    for (size_t i = 0; i < EG_ARRAY_LEN(yes); i++) {
        if (scalar_is(n, yes[i]))
            return *out = 1, 1;
        if (scalar_is(n, no[i]))
            return *out = 0, 1;
    }
    return 0;
}

/* YYYY-MM-DD or YYYYMMDD, a real date. */
static int scalar_date(const yaml_node_t *n, int *ymd)
{
    char buf[16];
    if (!scalar_copy(n, buf, sizeof buf))
        return 0;
    int y, m, d;
    char tail;
    if (sscanf(buf, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 &&
        !(strlen(buf) == 8 && strspn(buf, "0123456789") == 8 &&
          sscanf(buf, "%4d%2d%2d", &y, &m, &d) == 3))
        return 0;
    if (!eg__date_real(y, m, d))
        return 0;
    *ymd = y * 10000 + m * 100 + d;
    return 1;
}

/* One UTF-8 character (1-4 bytes, well-formed). */
static int one_utf8_char(const char *s)
{
    size_t n = strlen(s);
    unsigned char c = (unsigned char)s[0];
    size_t want = c < 0x80                 ? 1
                  : c >= 0xC2 && c <= 0xDF ? 2
                  : c >= 0xE0 && c <= 0xEF ? 3
                  : c >= 0xF0 && c <= 0xF4 ? 4
                                           : 0;
    if (!want || n != want || (c < 0x80 && c < 0x20))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 0;
    return 1;
}

typedef struct pair_iter {
    yaml_node_pair_t *at, *end;
} pair_iter;

static int next_pair(const pctx *c, pair_iter *it, yaml_node_t **k,
                     yaml_node_t **v)
{
    if (it->at >= it->end)
        return 0;
    *k = yaml_document_get_node(c->doc, it->at->key);
    *v = yaml_document_get_node(c->doc, it->at->value);
    it->at++;
    return 1;
}

static pair_iter pairs_of(const yaml_node_t *n)
{
    pair_iter it = {n->data.mapping.pairs.start, n->data.mapping.pairs.top};
    return it;
}

/* ------------------------------------------------------------ settings */

#define OPS(x) (1u << (x))

typedef int (*setting_fn)(const yaml_node_t *v, eg_op_settings *s);

static int set_text(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_copy(v, s->text, sizeof s->text);
}
static int set_keep_first(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_int(v, 0, 1000, &s->keep_first);
}
static int set_keep_last(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_int(v, 0, 1000, &s->keep_last);
}
static int set_char(const yaml_node_t *v, eg_op_settings *s)
{
    char buf[8];
    if (!scalar_copy(v, buf, sizeof buf) || !one_utf8_char(buf))
        return 0;
    strcpy(s->mask_char, buf);
    return 1;
}
static int set_style(const yaml_node_t *v, eg_op_settings *s)
{
    if (scalar_is(v, "token"))
        return s->style = EG_PSEUDO_TOKEN, 1;
    if (scalar_is(v, "digits"))
        return s->style = EG_PSEUDO_DIGITS, 1;
    return 0;
}
static int set_hex_digits(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_int(v, 8, 64, &s->hex_digits);
}
static int set_keep_region(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_bool(v, &s->keep_region);
}
static int set_keep_issuer(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_bool(v, &s->keep_issuer);
}
static int set_decimals(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_int(v, 0, 10, &s->decimals);
}
static int set_dob(const yaml_node_t *v, eg_op_settings *s)
{
    if (scalar_is(v, "year"))
        return s->dob = EG_DOB_YEAR, 1;
    if (scalar_is(v, "age_band"))
        return s->dob = EG_DOB_AGE_BAND, 1;
    return 0;
}
static int set_band(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_int(v, 1, 100, &s->band_years);
}
static int set_as_of(const yaml_node_t *v, eg_op_settings *s)
{
    return scalar_date(v, &s->as_of_ymd);
}

static const struct setting {
    const char *name;
    unsigned ops; /* operators it applies to */
    setting_fn set;
    const char *expect; /* for the error message */
} settings[] = {
    {"text", OPS(EG_OP_REDACT), set_text, "a string of at most 63 bytes"},
    {"keep_first", OPS(EG_OP_MASK), set_keep_first, "an integer 0..1000"},
    {"keep_last", OPS(EG_OP_MASK), set_keep_last, "an integer 0..1000"},
    {"char", OPS(EG_OP_MASK), set_char, "one printable character"},
    {"style", OPS(EG_OP_PSEUDONYMIZE), set_style, "token or digits"},
    {"hex_digits", OPS(EG_OP_PSEUDONYMIZE), set_hex_digits, "an integer 8..64"},
    {"keep_region", OPS(EG_OP_ENCRYPT), set_keep_region, "true or false"},
    {"keep_issuer", OPS(EG_OP_ENCRYPT), set_keep_issuer, "true or false"},
    {"decimals", OPS(EG_OP_GENERALIZE), set_decimals, "an integer 0..10"},
    {"dob", OPS(EG_OP_GENERALIZE), set_dob, "year or age_band"},
    {"band", OPS(EG_OP_GENERALIZE), set_band, "an integer 1..100"},
    {"as_of", OPS(EG_OP_GENERALIZE) | OPS(EG_OP_ENCRYPT), set_as_of,
     "a date YYYY-MM-DD"},
};

/* Duplicate keys are caught by remembering which known keys were seen
 * (a bit each): any other key is an error anyway, so no mapping that gets
 * this far is longer than the schema, and no pairwise comparison of a huge
 * hostile mapping is ever made. */
static int apply_setting(const pctx *c, const yaml_node_t *k,
                         const yaml_node_t *v, eg_op_settings *s,
                         unsigned *seen)
{
    char sb[48];
    for (size_t i = 0; i < EG_ARRAY_LEN(settings); i++) {
        if (!scalar_is(k, settings[i].name))
            continue;
        if (*seen & (1u << i))
            return fail_at(c, k, "duplicate key '%s'", settings[i].name);
        *seen |= 1u << i;
        if (!(settings[i].ops & OPS(s->op)))
            return fail_at(c, k, "setting '%s' does not apply to operator %s",
                           settings[i].name, eg__op_name(s->op));
        if (!settings[i].set(v, s))
            return fail_at(c, v, "setting '%s' must be %s", settings[i].name,
                           settings[i].expect);
        return EG_OK;
    }
    return fail_at(c, k, "unknown setting '%s'", shown(k, sb));
}

static int op_by_name(const pctx *c, const yaml_node_t *n, eg_op_kind *op)
{
    char buf[32], sb[48];
    int k = scalar_copy(n, buf, sizeof buf) ? eg__op_from_name(buf) : -1;
    if (k < 0)
        return fail_at(c, n,
                       "unknown operator '%s' (redact, mask, pseudonymize, "
                       "encrypt, generalize, keep, drop)",
                       shown(n, sb));
    *op = (eg_op_kind)k;
    return EG_OK;
}

/* An operator: `mask` or `{op: mask, keep_first: 3}`. */
static int parse_op(const pctx *c, const yaml_node_t *n, eg_op_settings *s)
{
    eg_op_kind op;
    int rc;
    if (is_scalar(n)) {
        if ((rc = op_by_name(c, n, &op)) != EG_OK)
            return rc;
        eg__op_settings_init(s, op);
        return EG_OK;
    }
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail_at(c, n,
                       "an operator must be a name or a mapping with "
                       "'op'");
    const yaml_node_t *opnode = NULL;
    pair_iter it = pairs_of(n);
    yaml_node_t *k, *v;
    while (next_pair(c, &it, &k, &v)) {
        if (!scalar_is(k, "op"))
            continue;
        if (opnode)
            return fail_at(c, k, "duplicate key 'op'");
        opnode = v;
    }
    if (!opnode)
        return fail_at(c, n, "an operator mapping needs 'op'");
    if ((rc = op_by_name(c, opnode, &op)) != EG_OK)
        return rc;
    eg__op_settings_init(s, op);
    unsigned seen = 0;
    it = pairs_of(n);
    while (next_pair(c, &it, &k, &v))
        if (!scalar_is(k, "op") &&
            (rc = apply_setting(c, k, v, s, &seen)) != EG_OK)
            return rc;
    return EG_OK;
}

/* --------------------------------------------------------------- rules */

static int category_from_id(const char *id)
{
    for (int i = 0; i < EG_CAT_COUNT; i++)
        if (strcmp(id, eg_category_id((eg_category)i)) == 0)
            return i;
    return -1;
}

static int parse_default(const pctx *c, const yaml_node_t *k,
                         const yaml_node_t *v)
{
    if (c->p->has_default)
        return fail_at(c, k, "the default is given twice");
    c->p->has_default = 1;
    return parse_op(c, v, &c->p->deflt);
}

static int parse_rule(const pctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    char id[64], sb[48];
    if (scalar_is(k, "default"))
        return parse_default(c, k, v);
    if (!scalar_copy(k, id, sizeof id))
        return fail_at(c, k, "a rule's key must be a type or category id");
    int type = eg_type_from_id(id);
    int cat = type < 0 ? category_from_id(id) : -1;
    if (type < 0 && cat < 0)
        return fail_at(c, k, "unknown type or category '%s'", shown(k, sb));
    if (type >= 0 ? c->p->has_type[type] : c->p->has_cat[cat])
        return fail_at(c, k, "duplicate key '%s'", id);
    eg_op_settings *s = type >= 0 ? &c->p->by_type[type] : &c->p->by_cat[cat];
    int rc = parse_op(c, v, s);
    if (rc != EG_OK)
        return rc;
    if (type >= 0) {
        if (!eg__op_supported(s, type))
            return fail_at(
                c, v, "operator %s%s does not apply to %s", eg__op_name(s->op),
                s->op == EG_OP_PSEUDONYMIZE ? " (style digits)" : "", id);
        c->p->has_type[type] = 1;
    } else {
        c->p->has_cat[cat] = 1;
    }
    return EG_OK;
}

static int parse_rules(const pctx *c, const yaml_node_t *n)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail_at(c, n,
                       "'rules' must be a mapping of type or category "
                       "ids to operators");
    int rc = EG_OK;
    pair_iter it = pairs_of(n);
    yaml_node_t *k, *v;
    while (rc == EG_OK && next_pair(c, &it, &k, &v))
        rc = parse_rule(c, k, v);
    return rc;
}

static int parse_top(const pctx *c, const yaml_node_t *root)
{
    if (!root)
        return fail_at(c, NULL, "empty policy");
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(c, root,
                       "a policy is a mapping (version, default, "
                       "rules)");
    int rc = EG_OK, seen_version = 0, seen_rules = 0;
    pair_iter it = pairs_of(root);
    yaml_node_t *k, *v;
    char sb[48];
    while (rc == EG_OK && next_pair(c, &it, &k, &v)) {
        if (scalar_is(k, "version")) {
            if (seen_version++)
                rc = fail_at(c, k, "duplicate key 'version'");
            else if (!scalar_is(v, "1"))
                rc = fail_at(c, v,
                             "unsupported policy version (this egress "
                             "reads version 1)");
        } else if (scalar_is(k, "default")) {
            rc = parse_default(c, k, v);
        } else if (scalar_is(k, "rules")) {
            rc = seen_rules++ ? fail_at(c, k, "duplicate key 'rules'")
                              : parse_rules(c, v);
        } else {
            rc = fail_at(c, k, "unknown key '%s' (version, default, rules)",
                         shown(k, sb));
        }
    }
    return rc;
}

/* ------------------------------------------------------------ results */

static void resolve(eg_policy *p)
{
    eg__op_settings_init(&p->fallback, EG_OP_REDACT);
    if (!p->has_default)
        eg__op_settings_init(&p->deflt, EG_OP_REDACT);
    for (int t = 0; t < EG_T_COUNT; t++) {
        int cat = (int)eg_type_category(t);
        if (p->has_type[t])
            p->resolved[t] = &p->by_type[t];
        else if (p->has_cat[cat] && eg__op_supported(&p->by_cat[cat], t))
            p->resolved[t] = &p->by_cat[cat];
        else if (eg__op_supported(&p->deflt, t))
            p->resolved[t] = &p->deflt;
        else
            p->resolved[t] = &p->fallback;
    }
}

static int yaml_error(const yaml_parser_t *y, const char *name, eg_error *err)
{
    if (y->error == YAML_MEMORY_ERROR)
        return eg__fail(err, EG_ENOMEM, "%s: out of memory", name);
    return eg__fail(err, EG_EFORMAT, "%s:%zu:%zu: YAML: %s%s%s", name,
                    (size_t)y->problem_mark.line + 1,
                    (size_t)y->problem_mark.column + 1,
                    y->problem ? y->problem : "syntax error",
                    y->context ? " " : "", y->context ? y->context : "");
}

int eg__policy_parse(eg_policy **out, const char *yaml, size_t len,
                     const char *name, eg_error *err)
{
    if (!out || (!yaml && len))
        return eg__fail(err, EG_EINVAL, "policy: NULL argument");
    *out = NULL;
    name = name ? name : "policy";
    if (len > POLICY_MAX_BYTES)
        return eg__fail(err, EG_ELIMIT, "%s: larger than 1 MiB", name);
    eg_policy *p = eg__calloc(1, sizeof *p);
    if (!p)
        return eg__fail(err, EG_ENOMEM, "out of memory");

    yaml_parser_t parser;
    yaml_document_t doc, extra;
    if (!yaml_parser_initialize(&parser)) {
        eg__free(p);
        return eg__fail(err, EG_ENOMEM, "out of memory (YAML)");
    }
    yaml_parser_set_input_string(
        &parser, (const unsigned char *)(yaml ? yaml : ""), len);
    int rc;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = yaml_error(&parser, name, err);
    } else {
        pctx c = {&doc, name, err, p};
        rc = parse_top(&c, yaml_document_get_root_node(&doc));
        if (rc == EG_OK) {
            /* a second document would be silently ignored: refuse it */
            if (!yaml_parser_load(&parser, &extra)) {
                rc = yaml_error(&parser, name, err);
            } else {
                if (yaml_document_get_root_node(&extra))
                    rc = eg__fail(err, EG_EFORMAT,
                                  "%s: more than one YAML document", name);
                yaml_document_delete(&extra);
            }
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (rc != EG_OK) {
        eg__free(p);
        return rc;
    }
    resolve(p);
    *out = p;
    return EG_OK;
}

int eg__policy_load(eg_policy **out, const char *path, eg_error *err)
{
    if (!out || !path)
        return eg__fail(err, EG_EINVAL, "policy: NULL argument");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return eg__fail(err, errno == ENOENT ? EG_ENOTFOUND : EG_EIO,
                        "policy %s: %s", path, strerror(errno));
    struct stat st;
    int rc = EG_OK;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = eg__fail(err, EG_EIO, "policy %s: not a regular file", path);
    else if (st.st_size > (off_t)POLICY_MAX_BYTES)
        rc = eg__fail(err, EG_ELIMIT, "policy %s: larger than 1 MiB", path);
    char *buf = NULL;
    size_t got = 0;
    if (rc == EG_OK && !(buf = eg__malloc((size_t)st.st_size + 1)))
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    while (rc == EG_OK && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* shrunk while reading: parse what is there */
        got += (size_t)r;
    }
    close(fd);
    if (rc == EG_OK)
        rc = eg__policy_parse(out, buf, got, path, err);
    eg__free(buf);
    return rc;
}

int eg__policy_default(eg_policy **out, eg_error *err)
{
    return eg__policy_parse(out, (const char *)eg__data_policy_default_yaml,
                            eg__data_policy_default_yaml_len,
                            "policy-default.yaml", err);
}

int eg__policy_single(eg_policy **out, eg_op_kind op, eg_error *err)
{
    if (!out || op < 0 || op >= EG_OP_COUNT)
        return eg__fail(err, EG_EINVAL, "policy: unknown operator");
    *out = eg__calloc(1, sizeof **out);
    if (!*out)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    eg__op_settings_init(&(*out)->deflt, op);
    (*out)->has_default = 1;
    resolve(*out);
    return EG_OK;
}

const eg_op_settings *eg__policy_resolve(const eg_policy *p, int type)
{
    if (!p || type < 0 || type >= EG_T_COUNT)
        return NULL;
    return p->resolved[type];
}

void eg__policy_free(eg_policy *p)
{
    eg__free(p);
}
