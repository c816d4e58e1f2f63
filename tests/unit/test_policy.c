/*
 * test_policy.c: the YAML de-identification policy.  Resolution order
 * (type, then category, then default, then redact), operator shorthands
 * and settings, the built-in default policy, --operator policies, and
 * errors with file:line:column for every kind of mistake.
 */
#include "protect/operators.h"
#include "detect/catalog.h"
#include "eg_test.h"

#include <stdlib.h>
#include <unistd.h>

static eg_policy *parse(const char *yaml, int expect_rc, eg_error *err)
{
    eg_policy *p = NULL;
    int rc = eg__policy_parse(&p, yaml, strlen(yaml), "p.yaml", err);
    EG_CHECK_INT(rc, expect_rc);
    if (rc != EG_OK)
        EG_CHECK(p == NULL);
    return p;
}

static eg_op_kind op_of(const eg_policy *p, int type)
{
    const eg_op_settings *s = eg__policy_resolve(p, type);
    EG_CHECK(s != NULL);
    return s ? s->op : EG_OP_COUNT;
}

EG_TEST(brief_example)
{
    eg_error err;
    eg_policy *p =
        parse("version: 1\n"
              "default: redact\n"
              "rules:\n"
              "  cn_mobile: {op: mask, keep_first: 3, keep_last: 4}\n"
              "  sensitive_pi: {op: encrypt}\n"
              "  geo_coordinate: {op: generalize, decimals: 2}\n",
              EG_OK, &err);
    if (!p)
        return;
    const eg_op_settings *m = eg__policy_resolve(p, EG_T_cn_mobile);
    EG_CHECK_INT(m->op, EG_OP_MASK);
    EG_CHECK_INT(m->keep_first, 3);
    EG_CHECK_INT(m->keep_last, 4);
    /* category */
    EG_CHECK_INT(op_of(p, EG_T_cn_resident_id), EG_OP_ENCRYPT);
    EG_CHECK_INT(op_of(p, EG_T_bank_card), EG_OP_ENCRYPT);
    /* a type rule beats its category's */
    const eg_op_settings *g = eg__policy_resolve(p, EG_T_geo_coordinate);
    EG_CHECK_INT(g->op, EG_OP_GENERALIZE);
    EG_CHECK_INT(g->decimals, 2);
    /* default */
    EG_CHECK_INT(op_of(p, EG_T_email), EG_OP_REDACT);
    EG_CHECK_INT(op_of(p, EG_T_cn_uscc), EG_OP_REDACT);
    EG_CHECK(eg__policy_resolve(p, -1) == NULL);
    EG_CHECK(eg__policy_resolve(p, EG_T_COUNT) == NULL);
    eg__policy_free(p);
}

EG_TEST(resolution_falls_back_when_an_operator_does_not_apply)
{
    eg_error err;
    /* generalize applies to few pi types: the others take the default,
     * and a default that does not apply either gives redact */
    eg_policy *p = parse("default: {op: pseudonymize, style: digits}\n"
                         "rules:\n"
                         "  pi: generalize\n",
                         EG_OK, &err);
    if (!p)
        return;
    EG_CHECK_INT(op_of(p, EG_T_date_of_birth), EG_OP_GENERALIZE);
    EG_CHECK_INT(op_of(p, EG_T_cn_address), EG_OP_GENERALIZE);
    EG_CHECK_INT(op_of(p, EG_T_cn_mobile), EG_OP_PSEUDONYMIZE);
    EG_CHECK_INT(op_of(p, EG_T_email), EG_OP_REDACT);
    EG_CHECK_INT(op_of(p, EG_T_bank_card), EG_OP_PSEUDONYMIZE);
    eg__policy_free(p);
}

EG_TEST(settings)
{
    eg_error err;
    eg_policy *p =
        parse("rules:\n"
              "  default: keep\n"
              "  person_name: {op: mask, keep_first: 1, keep_last: 0, "
              "char: \"●\"}\n"
              "  credential: {op: redact, text: \"<{category}>\"}\n"
              "  cn_mobile: {op: pseudonymize, style: digits, hex_digits: 20}\n"
              "  cn_resident_id: {op: encrypt, keep_region: yes}\n"
              "  bank_card: {op: encrypt, keep_issuer: false}\n"
              "  date_of_birth: {op: generalize, dob: age_band, band: 5, "
              "as_of: 2025-06-01}\n"
              "  email: drop\n",
              EG_OK, &err);
    if (!p) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    const eg_op_settings *s = eg__policy_resolve(p, EG_T_person_name);
    EG_CHECK_STR(s->mask_char, "●");
    EG_CHECK_INT(s->keep_first, 1);
    EG_CHECK_INT(s->keep_last, 0);
    EG_CHECK_STR(eg__policy_resolve(p, EG_T_credential)->text, "<{category}>");
    s = eg__policy_resolve(p, EG_T_cn_mobile);
    EG_CHECK_INT(s->style, EG_PSEUDO_DIGITS);
    EG_CHECK_INT(s->hex_digits, 20);
    EG_CHECK_INT(eg__policy_resolve(p, EG_T_cn_resident_id)->keep_region, 1);
    EG_CHECK_INT(eg__policy_resolve(p, EG_T_bank_card)->keep_issuer, 0);
    s = eg__policy_resolve(p, EG_T_date_of_birth);
    EG_CHECK_INT(s->dob, EG_DOB_AGE_BAND);
    EG_CHECK_INT(s->band_years, 5);
    EG_CHECK_INT(s->as_of_ymd, 20250601);
    EG_CHECK_INT(op_of(p, EG_T_email), EG_OP_DROP);
    EG_CHECK_INT(op_of(p, EG_T_ipv4), EG_OP_KEEP); /* default in rules */
    eg__policy_free(p);
}

EG_TEST(builtin_default)
{
    eg_policy *p = NULL;
    eg_error err;
    EG_CHECK_INT(eg__policy_default(&p, &err), EG_OK);
    if (!p) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    EG_CHECK_INT(op_of(p, EG_T_cn_mobile), EG_OP_MASK);
    EG_CHECK_INT(op_of(p, EG_T_cn_resident_id), EG_OP_REDACT);
    EG_CHECK_INT(op_of(p, EG_T_geo_coordinate), EG_OP_GENERALIZE);
    EG_CHECK_INT(op_of(p, EG_T_date_of_birth), EG_OP_GENERALIZE);
    EG_CHECK_INT(op_of(p, EG_T_cn_uscc), EG_OP_KEEP);
    EG_CHECK_INT(op_of(p, EG_T_confidential_marking), EG_OP_KEEP);
    EG_CHECK_INT(op_of(p, EG_T_ipv4), EG_OP_REDACT);
    /* every type resolves to something it supports */
    for (int t = 0; t < EG_T_COUNT; t++)
        EG_CHECK(eg__op_supported(eg__policy_resolve(p, t), t));
    eg__policy_free(p);
}

EG_TEST(single_operator)
{
    eg_policy *p = NULL;
    EG_CHECK_INT(eg__policy_single(&p, EG_OP_ENCRYPT, NULL), EG_OK);
    for (int t = 0; t < EG_T_COUNT; t++)
        EG_CHECK_INT(op_of(p, t), EG_OP_ENCRYPT);
    eg__policy_free(p);
    EG_CHECK_INT(eg__policy_single(&p, EG_OP_GENERALIZE, NULL), EG_OK);
    EG_CHECK_INT(op_of(p, EG_T_geo_coordinate), EG_OP_GENERALIZE);
    EG_CHECK_INT(op_of(p, EG_T_cn_mobile), EG_OP_REDACT);
    eg__policy_free(p);
    EG_CHECK_INT(eg__policy_single(&p, EG_OP_COUNT, NULL), EG_EINVAL);
}

/* Each bad policy: EG_EFORMAT, and the message has p.yaml:LINE:COL and
 * says what is wrong. */
EG_TEST(errors)
{
    static const struct {
        const char *yaml, *where, *what;
    } rows[] = {
        {"rules:\n  cn_mobile: shred\n", "p.yaml:2:14:", "unknown operator"},
        {"rules:\n  cn_mobil: mask\n",
         "p.yaml:2:3:", "unknown type or category 'cn_mobil'"},
        {"rules:\n  cn_mobile: generalize\n",
         "p.yaml:2:14:", "does not apply to cn_mobile"},
        {"rules:\n  email: {op: pseudonymize, style: digits}\n",
         "p.yaml:2:10:", "does not apply to email"},
        {"rules:\n  cn_mobile: {op: mask, decimals: 2}\n",
         "p.yaml:2:25:", "setting 'decimals' does not apply to operator mask"},
        {"rules:\n  cn_mobile: {op: mask, keep_first: -1}\n",
         "p.yaml:2:37:", "must be an integer 0..1000"},
        {"rules:\n  cn_mobile: {op: mask, colour: red}\n",
         "p.yaml:2:25:", "unknown setting 'colour'"},
        {"rules:\n  cn_mobile: {keep_first: 3}\n",
         "p.yaml:2:14:", "needs 'op'"},
        {"rules:\n  cn_mobile: mask\n  cn_mobile: keep\n",
         "p.yaml:3:3:", "duplicate key 'cn_mobile'"},
        {"rules:\n  x: {op: mask, op: keep}\n",
         "p.yaml:2:3:", "unknown type or category"},
        {"rules:\n  email: {op: mask, op: keep}\n",
         "p.yaml:2:21:", "duplicate key 'op'"},
        {"default: keep\nrules:\n  default: redact\n",
         "p.yaml:3:3:", "default is given twice"},
        {"version: 2\n", "p.yaml:1:10:", "unsupported policy version"},
        {"colour: red\n", "p.yaml:1:1:", "unknown key 'colour'"},
        {"- a\n- b\n", "p.yaml:1:1:", "a policy is a mapping"},
        {"rules: [a, b]\n", "p.yaml:1:8:", "'rules' must be a mapping"},
        {"rules:\n  cn_mobile: [mask]\n",
         "p.yaml:2:14:", "a name or a mapping"},
        {"rules:\n  cn_mobile: {op: mask\n", "p.yaml:3:1:", "YAML:"},
        {"rules:\n\tcn_mobile: mask\n", "p.yaml:2:1:", "YAML:"},
        {"", "p.yaml:0:0:", "empty policy"},
        {"default: keep\n---\ndefault: redact\n", "p.yaml",
         "more than one YAML document"},
        {"rules:\n  date_of_birth: {op: generalize, as_of: 2025-02-30}\n",
         "p.yaml:2:42:", "a date"},
        {"rules:\n  person_name: {op: mask, char: \"**\"}\n",
         "p.yaml:2:33:", "one printable character"},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(rows); i++) {
        eg_error err;
        err.message[0] = '\0';
        parse(rows[i].yaml, EG_EFORMAT, &err);
        if (!strstr(err.message, rows[i].where) ||
            !strstr(err.message, rows[i].what)) {
            fprintf(stderr, "row %zu: got \"%s\"\n", i, err.message);
            EG_CHECK(0);
        }
    }
}

EG_TEST(load_from_file)
{
    char path[] = "/tmp/eg-policy-XXXXXX";
    int fd = mkstemp(path);
    EG_CHECK(fd >= 0);
    const char *yaml = "default: mask\n";
    EG_CHECK(write(fd, yaml, strlen(yaml)) == (ssize_t)strlen(yaml));
    close(fd);
    eg_policy *p = NULL;
    eg_error err;
    EG_CHECK_INT(eg__policy_load(&p, path, &err), EG_OK);
    EG_CHECK_INT(op_of(p, EG_T_email), EG_OP_MASK);
    eg__policy_free(p);
    unlink(path);
    EG_CHECK_INT(eg__policy_load(&p, path, &err), EG_ENOTFOUND);
    EG_CHECK_INT(eg__policy_load(&p, "/tmp", &err), EG_EIO);
}

/* A hostile mapping of many keys fails fast (no quadratic duplicate
 * check) and aliases do not multiply work. */
EG_TEST(hostile_inputs)
{
    size_t n = 120000; /* 960 KB, under the 1 MiB cap */
    char *big = malloc(n * 8 + 16);
    strcpy(big, "rules:\n");
    for (size_t i = 0; i < n; i++)
        memcpy(big + 7 + i * 8, "  a: b \n", 8);
    big[7 + n * 8] = '\0';
    eg_error err;
    parse(big, EG_EFORMAT, &err);
    EG_CHECK(strstr(err.message, "unknown type or category") != NULL);
    free(big);
    parse("a: &a [1, 2]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n", EG_EFORMAT,
          &err);
    eg_policy *p = NULL;
    EG_CHECK_INT(eg__policy_parse(&p, "x", 2u << 20, "big", &err), EG_ELIMIT);
}

int main(void)
{
    EG_RUN(brief_example);
    EG_RUN(resolution_falls_back_when_an_operator_does_not_apply);
    EG_RUN(settings);
    EG_RUN(builtin_default);
    EG_RUN(single_operator);
    EG_RUN(errors);
    EG_RUN(load_from_file);
    EG_RUN(hostile_inputs);
    return EG_TEST_END();
}
