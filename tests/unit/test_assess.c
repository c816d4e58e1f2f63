/*
 * test_assess.c: the decision table of shared/spec/regulation.md §2.1 and
 * §6 as known answers (lib/assess/, data/rules-cn.yaml).
 *
 * Every row R0-R10 of the 2024 Provisions with its boundary values on both
 * sides (99,999/100,000; 999,999/1,000,000; 9,999/10,000 sensitive; 0/1
 * sensitive), the 2022 regime, the listing scenario (foreign, HK,
 * not-platform, 1,000,000/1,000,001 users), regime choice by date, rules
 * not yet in force, estimates too close to a threshold, obligations, the
 * report formats, and a rules file that must be rejected for each kind of
 * mistake.
 */
#include "common/eg_common.h"
#include "egress.h"
#include "eg_test.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static eg_rules *RULES;

typedef struct q {
    const char *scenario, *regime;
    uint64_t pi, spi, minors;
    int ciio, important;
    const char *exemption, *venue;
    int not_platform;
    int64_t processed; /* 0 = not given */
    int as_of;
    uint64_t err_pi, err_spi; /* estimate half-widths */
    uint64_t markings, unlinked, records;
} q;

static eg_assessment *ask(const q *x, eg_error *err, int *rc)
{
    eg_counts c;
    memset(&c, 0, sizeof c);
    c.exact = x->err_pi == 0 && x->err_spi == 0;
    c.individuals = x->pi;
    c.sensitive_individuals = x->spi;
    c.minors_under_14 = x->minors;
    c.individuals_error = x->err_pi;
    c.sensitive_individuals_error = x->err_spi;
    c.unlinked_records = x->unlinked;
    c.records_with_pi = x->records;
    c.type_count = eg_type_count();
    c.findings_by_type[eg_type_from_id("confidential_marking")] = x->markings;
    eg_assess_input in = EG_ASSESS_INPUT_INIT;
    in.scenario = x->scenario ? x->scenario : "outbound";
    in.regime = x->regime;
    in.as_of_ymd = x->as_of ? x->as_of : 20250601;
    in.ciio = x->ciio;
    in.important_data = x->important;
    in.exemption = x->exemption;
    in.venue = x->venue;
    in.platform = !x->not_platform;
    in.counts = &c;
    in.processed_individuals = x->processed ? x->processed : -1;
    in.counts_given = 1;
    eg_assessment *a = NULL;
    *rc = eg_assess(RULES, &in, &a, err);
    return a;
}

/* One known answer: pathway and deciding rule. */
static void expect(const q *x, const char *pathway, const char *rule, int line)
{
    eg_error err;
    int rc;
    eg_assessment *a = ask(x, &err, &rc);
    eg_test_checks++;
    const char *p = a ? eg_assessment_pathway(a) : "(error)";
    const char *r = a ? eg_assessment_rule(a) : NULL;
    if (rc != EG_OK || strcmp(p, pathway) != 0 ||
        (rule ? !r || strcmp(r, rule) != 0 : r != NULL)) {
        eg_test_failures++;
        fprintf(stderr, "%s:%d: got %s by %s (%s), expected %s by %s\n",
                __FILE__, line, p, r ? r : "-", rc ? err.message : "ok",
                pathway, rule ? rule : "-");
    }
    eg_assessment_free(a);
}

#define EXPECT(pathway, rule, ...)                                             \
    do {                                                                       \
        q x_ = {__VA_ARGS__};                                                  \
        expect(&x_, pathway, rule, __LINE__);                                  \
    } while (0)

#define SA "security_assessment"
#define SCC "standard_contract_or_certification"
#define EX "exempt"

EG_TEST(table_2024_every_row)
{
    /* R0: no PI, no important data */
    EXPECT(EX, "R0", .pi = 0);
    EXPECT(SA, "R3", .pi = 0, .important = 1);
    EXPECT(EX, "R10", .pi = 0, .records = 5); /* unlinked PI is PI */
    /* R1: re-export of foreign PI */
    EXPECT(EX, "R1", .pi = 5000000, .spi = 50000, .exemption = "reexport");
    EXPECT(SA, "R3", .pi = 50, .exemption = "reexport", .important = 1);
    /* R2: FTZ outside the negative list, ahead of important data */
    EXPECT(EX, "R2", .pi = 5000000, .exemption = "ftz", .important = 1);
    /* R3: important data, whatever the counts */
    EXPECT(SA, "R3", .pi = 1, .important = 1);
    EXPECT(SA, "R3", .pi = 10, .important = 1, .exemption = "contract");
    /* R4-R6b: necessity exemptions, ahead of CIIO and volumes */
    EXPECT(EX, "R4", .pi = 2000000, .spi = 20000, .exemption = "contract");
    EXPECT(EX, "R5", .pi = 2000000, .ciio = 1, .exemption = "hr");
    EXPECT(EX, "R6", .pi = 2000000, .exemption = "emergency");
    EXPECT(EX, "R6b", .pi = 2000000, .exemption = "statutory");
    /* R7: a CIIO with PI */
    EXPECT(SA, "R7", .pi = 1, .ciio = 1);
    EXPECT(EX, "R0", .pi = 0, .ciio = 1);
    /* R8 / R9 boundary on pi: 999,999 / 1,000,000 */
    EXPECT(SCC, "R9", .pi = 999999);
    EXPECT(SA, "R8", .pi = 1000000);
    /* R8 / R9 boundary on spi: 9,999 / 10,000 */
    EXPECT(SCC, "R9", .pi = 9999, .spi = 9999);
    EXPECT(SA, "R8", .pi = 10000, .spi = 10000);
    EXPECT(SA, "R8", .pi = 50000, .spi = 10000);
    /* R9 / R10 boundary on pi: 99,999 / 100,000 */
    EXPECT(EX, "R10", .pi = 99999);
    EXPECT(SCC, "R9", .pi = 100000);
    /* R9 / R10 boundary on spi: 0 / 1 */
    EXPECT(EX, "R10", .pi = 99999, .spi = 0);
    EXPECT(SCC, "R9", .pi = 99999, .spi = 1);
    EXPECT(SCC, "R9", .pi = 1, .spi = 1);
    /* minors are sensitive individuals */
    EXPECT(SCC, "R9", .pi = 3, .spi = 1, .minors = 1);
}

EG_TEST(rules_not_yet_in_force_are_skipped)
{
    /* NDSMR Art 35(6) is in force from 2025-01-01 */
    EXPECT(SA, "R8", .pi = 2000000, .exemption = "statutory",
           .as_of = 20240601);
    EXPECT(EX, "R10", .pi = 10, .exemption = "statutory", .as_of = 20240601);
    EXPECT(EX, "R6b", .pi = 10, .exemption = "statutory", .as_of = 20250101);
}

EG_TEST(table_2022)
{
    EXPECT(EX, "S0", .regime = "2022", .pi = 0);
    EXPECT(SA, "S1", .regime = "2022", .pi = 0, .important = 1);
    EXPECT(SA, "S2", .regime = "2022", .pi = 1, .ciio = 1);
    /* processors of >= 1M people: 999,999 / 1,000,000 */
    EXPECT(SCC, "S5", .regime = "2022", .pi = 10, .processed = 999999);
    EXPECT(SA, "S3", .regime = "2022", .pi = 10, .processed = 1000000);
    /* exported since 1 January of the previous year: 99,999 / 100,000 */
    EXPECT(SCC, "S5", .regime = "2022", .pi = 99999);
    EXPECT(SA, "S4", .regime = "2022", .pi = 100000);
    EXPECT(SCC, "S5", .regime = "2022", .pi = 10000, .spi = 9999);
    EXPECT(SA, "S4", .regime = "2022", .pi = 10000, .spi = 10000);
    /* no exemptions in 2022: a contract does not help */
    EXPECT(SA, "S4", .regime = "2022", .pi = 200000, .exemption = "contract");
    /* chosen by date: the day before the 2024 Provisions */
    EXPECT(SA, "S4", .pi = 100000, .as_of = 20240321);
    EXPECT(SCC, "R9", .pi = 100000, .as_of = 20240322);
    /* inside the 2022 regime, before the SCC Measures: no rule applies */
    eg_error err;
    int rc;
    q x = {.pi = 10, .as_of = 20230101};
    eg_assessment *a = ask(&x, &err, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    EG_CHECK(strstr(err.message, "no rule") != NULL);
    EG_CHECK(a == NULL);
    q y = {.pi = 10, .as_of = 20220831};
    a = ask(&y, &err, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    EG_CHECK(strstr(err.message, "2022-08-31") != NULL);
    q z = {.pi = 10, .regime = "2019"};
    a = ask(&z, &err, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
}

#define CR "cybersecurity_review"
#define FI "filing"

EG_TEST(listing)
{
    EXPECT(CR, "L1", .scenario = "listing", .venue = "foreign", .pi = 1000001);
    EXPECT(FI, "L2", .scenario = "listing", .venue = "foreign", .pi = 1000000);
    EXPECT(FI, "L2", .scenario = "listing", .venue = "hk", .pi = 50000000);
    EXPECT(FI, "L2", .scenario = "listing", .venue = "foreign", .pi = 50000000,
           .not_platform = 1);
    EXPECT(FI, "L2", .scenario = "listing", .venue = "foreign", .pi = 0);
    eg_error err;
    int rc;
    q x = {.scenario = "listing", .pi = 10};
    EG_CHECK(ask(&x, &err, &rc) == NULL);
    EG_CHECK_INT(rc, EG_EINVAL); /* a listing needs a venue */
    q y = {.scenario = "listing", .venue = "moon", .pi = 10};
    EG_CHECK(ask(&y, &err, &rc) == NULL);
    EG_CHECK_INT(rc, EG_EINVAL);
    q z = {.scenario = "ipo", .pi = 10};
    EG_CHECK(ask(&z, &err, &rc) == NULL);
    q w = {.pi = 10, .exemption = "bribe"};
    EG_CHECK(ask(&w, &err, &rc) == NULL);
}

/* ---- reports ---- */

typedef struct sbuf {
    char *s;
    size_t n;
} sbuf;

static int sbuf_write(const void *data, size_t len, void *payload)
{
    sbuf *b = payload;
    b->s = realloc(b->s, b->n + len + 1);
    memcpy(b->s + b->n, data, len);
    b->n += len;
    b->s[b->n] = '\0';
    return 0;
}

static char *report(const q *x, eg_report_format fmt, const char *lang)
{
    eg_error err;
    int rc;
    eg_assessment *a = ask(x, &err, &rc);
    if (!a)
        return NULL;
    sbuf b = {0};
    rc = eg_assessment_write(a, fmt, lang, sbuf_write, &b, &err);
    eg_assessment_free(a);
    if (rc) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static bool has(const char *s, const char *what)
{
    bool ok = s && strstr(s, what) != NULL;
    if (!ok)
        fprintf(stderr, "missing: %s\n", what);
    return ok;
}

EG_TEST(json_names_the_rule_and_its_numbers)
{
    q x = {.pi = 1000000, .spi = 20, .minors = 2};
    char *j = report(&x, EG_REPORT_JSON, "en");
    EG_CHECK(has(j, "{\"scenario\":\"outbound\",\"regime\":\"2024\""));
    EG_CHECK(has(j, "\"pathway\":\"security_assessment\""));
    EG_CHECK(has(j, "\"individuals\":1000000,\"sensitive_individuals\":20,"
                    "\"minors_under_14\":2,\"counts_exact\":true"));
    EG_CHECK(has(j, "\"rules\":[{\"id\":\"R8\",\"status\":\"fired\","
                    "\"citation\":\"Provisions (CAC Order 16) Art 7(2)\""));
    EG_CHECK(has(j, "\"values\":{\"pi\":1000000,\"spi\":20,\"ciio\":false}"));
    EG_CHECK(has(j, "\"id\":\"separate_consent\""));
    EG_CHECK(has(j, "\"id\":\"guardian_consent\""));
    EG_CHECK(has(j, "\"id\":\"sa_validity\""));
    EG_CHECK(!strstr(j, "\"id\":\"scc_filing\""));
    EG_CHECK(has(j, "\"as_of\":\"2025-06-01\""));
    EG_CHECK(j[strlen(j) - 1] == '\n');
    free(j);
}

EG_TEST(text_in_english_and_chinese)
{
    q x = {.pi = 1000000};
    char *en = report(&x, EG_REPORT_TEXT, "en");
    EG_CHECK(has(en, "Pathway: security assessment by the CAC"));
    EG_CHECK(has(en, "Individuals: 1,000,000 (exact)"));
    EG_CHECK(has(en, "R8:"));
    char *zh = report(&x, EG_REPORT_TEXT, "zh");
    EG_CHECK(has(zh, "路径: 申报数据出境安全评估"));
    EG_CHECK(has(zh, "个人数量: 1,000,000 (精确)"));
    EG_CHECK(has(zh, "单独同意"));
    free(en);
    free(zh);
    eg_error err;
    int rc;
    eg_assessment *a = ask(&x, &err, &rc);
    sbuf b = {0};
    EG_CHECK_INT(
        eg_assessment_write(a, EG_REPORT_TEXT, "fr", sbuf_write, &b, &err),
        EG_EINVAL);
    eg_assessment_free(a);
    free(b.s);
}

EG_TEST(obligations_follow_the_facts)
{
    q marks = {.pi = 10, .markings = 3};
    char *j = report(&marks, EG_REPORT_JSON, "en");
    EG_CHECK(has(j, "\"id\":\"state_secret_marks\",\"kind\":\"blocker\""));
    EG_CHECK(has(j, "3 confidentiality marking(s) found"));
    EG_CHECK(has(j, "\"confidential_markings\":3"));
    free(j);
    q listing = {.scenario = "listing", .venue = "foreign", .pi = 2000000};
    j = report(&listing, EG_REPORT_JSON, "en");
    EG_CHECK(has(j, "\"pathway\":\"cybersecurity_review\""));
    EG_CHECK(has(j, "\"id\":\"csrc_filing\""));
    EG_CHECK(has(j, "\"id\":\"review_first\""));
    EG_CHECK(has(j, "\"id\":\"working_papers\""));
    EG_CHECK(!strstr(j, "\"id\":\"hk_venue\""));
    EG_CHECK(!strstr(j, "\"id\":\"separate_consent\""));
    free(j);
    q hk = {.scenario = "listing", .venue = "hk", .pi = 2000000};
    j = report(&hk, EG_REPORT_JSON, "zh");
    EG_CHECK(has(j, "\"pathway\":\"filing\""));
    EG_CHECK(has(j, "\"id\":\"hk_venue\""));
    EG_CHECK(has(j, "香港属于境外但不属于国外"));
    EG_CHECK(!strstr(j, "\"id\":\"review_first\""));
    free(j);
    q big = {.pi = 12000000, .unlinked = 7, .records = 9};
    j = report(&big, EG_REPORT_JSON, "en");
    EG_CHECK(has(j, "\"id\":\"large_processor\""));
    EG_CHECK(has(j, "7 record(s) hold PI"));
    free(j);
    q old = {.regime = "2022", .pi = 200000};
    j = report(&old, EG_REPORT_JSON, "en");
    EG_CHECK(has(j, "\"id\":\"sa_validity_2022\""));
    EG_CHECK(!strstr(j, "\"id\":\"sa_validity\""));
    EG_CHECK(has(j, "Regime 2022 was superseded after 2024-03-21"));
    free(j);
}

EG_TEST(estimates_too_close_to_a_threshold_are_undetermined)
{
    /* 990,000 ± 20,000 straddles 1,000,000: R8 or R9 */
    EXPECT("undetermined", NULL, .pi = 990000, .err_pi = 20000);
    /* 500,000 ± 10,000 is R9 whatever the error */
    EXPECT(SCC, "R9", .pi = 500000, .err_pi = 10000);
    /* 99,000 ± 2,000 with no sensitive PI straddles 100,000 */
    EXPECT("undetermined", NULL, .pi = 99000, .err_pi = 2000);
    /* sensitive 20,000 ± 500 decides R8 even with pi uncertain */
    EXPECT(SA, "R8", .pi = 995000, .err_pi = 20000, .spi = 20000,
           .err_spi = 500);
    /* spi 0 ± 3 straddles 1: R9 or R10 */
    EXPECT("undetermined", NULL, .pi = 50000, .err_pi = 1000, .spi = 0,
           .err_spi = 3);
    q x = {.pi = 990000, .err_pi = 20000};
    char *j = report(&x, EG_REPORT_JSON, "en");
    EG_CHECK(has(j, "\"pathway\":\"undetermined\""));
    EG_CHECK(has(j, "\"decided\":false"));
    EG_CHECK(has(j, "\"status\":\"undecided\""));
    EG_CHECK(has(j, "{\"value\":990000,\"error\":20000}"));
    EG_CHECK(has(j, "cannot be decided from the estimate"));
    EG_CHECK(has(j, "\"counts_exact\":false"));
    free(j);
    char *t = report(&x, EG_REPORT_TEXT, "en");
    EG_CHECK(has(t, "undetermined"));
    EG_CHECK(has(t, "990,000 ± 20,000"));
    free(t);
}

/* ---- the rules file is data, checked strictly ---- */

static const char *MINI = "format: egress-rules/1\n"
                          "name: mini\n"
                          "regimes:\n"
                          "  - id: \"x\"\n"
                          "    scenario: outbound\n"
                          "    effective_from: 2020-01-01\n"
                          "    title: {en: X, zh: X}\n"
                          "    window: {en: W, zh: W}\n"
                          "pathways:\n"
                          "  exempt: {en: free, zh: free}\n"
                          "  security_assessment: {en: SA, zh: SA}\n"
                          "rules:\n"
                          "  - id: A\n"
                          "    scenario: outbound\n"
                          "    regime: \"x\"\n"
                          "    effective_from: 2020-01-01\n"
                          "    citation: Art 1\n"
                          "    title: {en: big, zh: big}\n"
                          "    when:\n"
                          "      - {var: pi, op: \">=\", value: 500_000}\n"
                          "    pathway: security_assessment\n"
                          "  - id: B\n"
                          "    scenario: outbound\n"
                          "    regime: \"x\"\n"
                          "    effective_from: 2020-01-01\n"
                          "    citation: Art 2\n"
                          "    title: {en: small, zh: small}\n"
                          "    when: []\n"
                          "    pathway: exempt\n";

static int load(const char *text, eg_error *err)
{
    eg_rules *r = NULL;
    int rc = eg_rules_load_buffer(&r, "test.yaml", text, strlen(text), err);
    EG_CHECK((rc == EG_OK) == (r != NULL));
    eg_rules_free(r);
    return rc;
}

/* MINI with `from` replaced by `to` must fail, naming `why`. */
static void reject(const char *from, const char *to, const char *why, int line)
{
    const char *p = strstr(MINI, from);
    if (!p) {
        fprintf(stderr, "%s:%d: bad test edit\n", __FILE__, line);
        eg_test_failures++;
        return;
    }
    size_t n = strlen(MINI) - strlen(from) + strlen(to);
    char *s = malloc(n + 1);
    size_t pre = (size_t)(p - MINI);
    memcpy(s, MINI, pre);
    strcpy(s + pre, to);
    strcat(s, p + strlen(from));
    eg_error err;
    int rc = load(s, &err);
    eg_test_checks++;
    if (rc != EG_EFORMAT || !strstr(err.message, why)) {
        eg_test_failures++;
        fprintf(stderr, "%s:%d: rc %d, message '%s', expected '%s'\n", __FILE__,
                line, rc, rc ? err.message : "", why);
    }
    free(s);
}

#define REJECT(from, to, why) reject(from, to, why, __LINE__)

EG_TEST(rules_file_mistakes_are_errors_with_lines)
{
    eg_error err;
    EG_CHECK_INT(load(MINI, &err), EG_OK);
    REJECT("var: pi,", "var: people,", "unknown or missing 'var'");
    REJECT("op: \">=\"", "op: \"=>\"", "unknown or missing 'op'");
    REJECT("value: 500_000", "value: 5e5", "non-negative integer");
    REJECT("value: 500_000", "value: -1", "non-negative integer");
    REJECT("    citation: Art 1\n", "", "missing 'citation'");
    REJECT("pathway: exempt", "pathway: free", "pathway not declared");
    REJECT("id: B", "id: A", "rule id used twice");
    REJECT("effective_from: 2020-01-01\n    citation: Art 1",
           "effective_from: 2020-02-30\n    citation: Art 1", "date");
    REJECT("    pathway: exempt", "    pathway: exempt\n    colour: red",
           "unknown key 'colour'");
    REJECT("regime: \"x\"\n    effective_from: 2020-01-01\n    citation: Art 1",
           "regime: \"y\"\n    effective_from: 2020-01-01\n    citation: Art 1",
           "regime not declared");
    REJECT("format: egress-rules/1", "format: egress-rules/2",
           "format must be");
    REJECT("title: {en: big, zh: big}", "title: {en: big}", "missing 'zh'");
    REJECT("{var: pi, op: \">=\", value: 500_000}",
           "{var: ciio, op: \">=\", value: true}", "true/false compare");
    REJECT("{var: pi, op: \">=\", value: 500_000}",
           "{var: exemption, op: \"==\", value: bribe}",
           "not one this variable takes");
    REJECT("{var: pi, op: \">=\", value: 500_000}",
           "{var: pathway, op: \"==\", value: exempt}",
           "cannot test 'pathway'");
    REJECT("name: mini\n",
           "name: mini\nobligations:\n  - {id: o, kind: duty, "
           "citation: c, when: [], text: {en: \"{nope}\", "
           "zh: z}}\n",
           "placeholder");
    REJECT("rules:\n", "rules: [\n", "YAML error");
    EG_CHECK_INT(load("", &err), EG_EFORMAT);
    EG_CHECK_INT(load("- just\n- a list\n", &err), EG_EFORMAT);
    /* the line is named */
    REJECT("var: pi,", "var: people,", "test.yaml:20:");
}

EG_TEST(alias_bombs_are_bounded)
{
    /* each level doubles: 2^40 visits if walked naively */
    char s[4096];
    int n = snprintf(s, sizeof s,
                     "format: egress-rules/1\nname: x\na0: &a0 "
                     "[1, 1]\n");
    for (int i = 1; i < 40; i++)
        n += snprintf(s + n, sizeof s - (size_t)n, "a%d: &a%d [*a%d, *a%d]\n",
                      i, i, i - 1, i - 1);
    snprintf(s + n, sizeof s - (size_t)n, "regimes: *a39\n");
    eg_error err;
    EG_CHECK_INT(load(s, &err), EG_EFORMAT);
}

EG_TEST(a_changed_rules_file_changes_the_answer)
{
    eg_rules *mini = NULL;
    eg_error err;
    EG_CHECK_INT(eg_rules_load_buffer(&mini, "mini", MINI, strlen(MINI), &err),
                 EG_OK);
    eg_rules *saved = RULES;
    RULES = mini;
    EXPECT(SA, "A", .regime = "x", .pi = 500000);
    EXPECT(EX, "B", .regime = "x", .pi = 499999);
    EXPECT(EX, "B", .pi = 499999); /* chosen by date */
    RULES = saved;
    eg_rules_free(mini);
    eg_rules *none = NULL;
    EG_CHECK_INT(eg_rules_load(&none, "/nonexistent/rules.yaml", &err),
                 EG_ENOTFOUND);
}

EG_TEST(allocation_failures_are_clean)
{
    int enomem = 0, ok = 0;
    for (uint64_t n = 1; n < 3000 && ok == 0; n++) {
        eg__alloc_fail_at(n, true);
        eg_rules *r = NULL;
        eg_error err;
        int rc = eg_rules_load(&r, NULL, &err);
        eg_assessment *a = NULL;
        if (rc == EG_OK) {
            eg_counts c;
            memset(&c, 0, sizeof c);
            c.exact = 1;
            c.individuals = 2000000;
            c.minors_under_14 = 1;
            c.sensitive_individuals = 1;
            eg_assess_input in = EG_ASSESS_INPUT_INIT;
            in.counts = &c;
            in.as_of_ymd = 20250601;
            rc = eg_assess(r, &in, &a, &err);
        }
        sbuf b = {0};
        if (rc == EG_OK)
            rc = eg_assessment_write(a, EG_REPORT_JSON, "zh", sbuf_write, &b,
                                     &err);
        if (rc == EG_OK)
            rc = eg_assessment_write(a, EG_REPORT_TEXT, "en", sbuf_write, &b,
                                     &err);
        eg__alloc_fail_at(0, false);
        free(b.s);
        eg_assessment_free(a);
        eg_rules_free(r);
        if (rc == EG_ENOMEM)
            enomem++;
        else if (rc == EG_OK)
            ok = 1;
        else
            EG_CHECK_INT(rc, EG_ENOMEM);
    }
    EG_CHECK(ok);
    EG_CHECK(enomem > 100);
}

int main(void)
{
    eg_error err;
    if (eg_rules_load(&RULES, NULL, &err) != EG_OK) {
        fprintf(stderr, "built-in rules: %s\n", err.message);
        return 1;
    }
    EG_RUN(table_2024_every_row);
    EG_RUN(rules_not_yet_in_force_are_skipped);
    EG_RUN(table_2022);
    EG_RUN(listing);
    EG_RUN(json_names_the_rule_and_its_numbers);
    EG_RUN(text_in_english_and_chinese);
    EG_RUN(obligations_follow_the_facts);
    EG_RUN(estimates_too_close_to_a_threshold_are_undetermined);
    EG_RUN(rules_file_mistakes_are_errors_with_lines);
    EG_RUN(alias_bombs_are_bounded);
    EG_RUN(a_changed_rules_file_changes_the_answer);
    EG_RUN(allocation_failures_are_clean);
    eg_rules_free(RULES);
    return EG_TEST_END();
}
