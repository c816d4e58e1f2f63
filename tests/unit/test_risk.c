/*
 * test_risk.c: k-anonymity (`egress risk`) on small tables with known
 * equivalence classes.
 *
 * - Minimum k, records and classes below the threshold, class sizes, and
 *   the smallest classes listed smallest first with their values.
 * - Columns by header name or 1-based number; --no-header; TSV; quoted
 *   fields with commas and embedded newlines, a BOM and CRLF rows; short
 *   rows count an empty value.
 * - Values withheld: a column whose header is a direct identifier (name,
 *   phone) and any value the engine finds personal information in.
 * - Refusals: unknown columns, standard input, JSON; allocation failures.
 */
#include "common/eg_common.h"
#include "eg_test.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[256];
static eg_engine *eng;

static const char *put(const char *name, const char *text)
{
    static char path[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    FILE *f = fopen(path[k], "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path[k];
}

static const char people[] =
    "\xEF\xBB\xBF姓名,性别,出生年,城市,手机号,备注\r\n"
    "张三,男,1990,北京市,13800138000,a\r\n"
    "李四,男,1990,北京市,13912345678,b\r\n"
    "王五,女,1985,上海市,13700137000,c\r\n"
    "赵六,女,1985,上海市,13600136000,d\r\n"
    "钱七,女,1985,上海市,13500135000,e\r\n"
    "孙八,男,1970,\"深圳市,南山区\n西丽\",13800138001,电话13800138002\r\n";

static eg_risk *run(const char *path, const char *quasi, uint64_t k,
                    int *rc_out)
{
    eg_risk_options o = EG_RISK_OPTIONS_INIT;
    o.quasi = quasi;
    o.k = k;
    eg_risk *r = NULL;
    eg_error err;
    *rc_out = eg_risk_csv(&r, eng, path, &o, &err);
    return r;
}

EG_TEST(known_classes)
{
    const char *p = put("people.csv", people);
    int rc;
    eg_risk *r = run(p, "性别,出生年,城市", 2, &rc);
    EG_CHECK_INT(rc, EG_OK);
    if (!r)
        return;
    eg_risk_summary s;
    eg_risk_get_summary(r, &s);
    EG_CHECK_INT(s.records, 6);
    EG_CHECK_INT(s.classes, 3);
    EG_CHECK_INT(s.min_k, 1);
    EG_CHECK_INT(s.k, 2);
    EG_CHECK_INT(s.records_below_k, 1);
    EG_CHECK_INT(s.classes_below_k, 1);
    EG_CHECK_INT(s.columns, 3);
    EG_CHECK_INT(s.listed, 1);
    const char *const *v = NULL;
    EG_CHECK_INT(eg_risk_listed(r, 0, &v), 1);
    EG_CHECK(v != NULL);
    if (v) {
        EG_CHECK_STR(v[0], "男");
        EG_CHECK_STR(v[1], "1970");
        EG_CHECK_STR(v[2], "深圳市,南山区\n西丽");
    }
    int col = 0, direct = 1;
    EG_CHECK_STR(eg_risk_column(r, 2, &col, &direct), "城市");
    EG_CHECK_INT(col, 4);
    EG_CHECK_INT(direct, 0);
    eg_risk_free(r);

    /* k = 3: the pair of 1990 Beijing men is below too; smallest first */
    r = run(p, "2,3,4", 3, &rc);
    EG_CHECK_INT(rc, EG_OK);
    if (!r)
        return;
    eg_risk_get_summary(r, &s);
    EG_CHECK_INT(s.records_below_k, 3);
    EG_CHECK_INT(s.classes_below_k, 2);
    EG_CHECK_INT(eg_risk_listed(r, 0, &v), 1);
    EG_CHECK_INT(eg_risk_listed(r, 1, &v), 2);
    if (v)
        EG_CHECK_STR(v[2], "北京市");
    EG_CHECK_STR(eg_risk_column(r, 0, NULL, NULL), "性别");
    eg_risk_free(r);

    /* k-anonymous at 3 over sex alone (男 3, 女 3) */
    r = run(p, "性别", 3, &rc);
    EG_CHECK_INT(rc, EG_OK);
    if (r) {
        eg_risk_get_summary(r, &s);
        EG_CHECK_INT(s.min_k, 3);
        EG_CHECK_INT(s.classes_below_k, 0);
        EG_CHECK_INT(s.listed, 0);
        eg_risk_free(r);
    }
}

EG_TEST(values_withheld)
{
    const char *p = put("people.csv", people);
    int rc;
    eg_risk *r = run(p, "姓名,性别,手机号,备注", 2, &rc);
    EG_CHECK_INT(rc, EG_OK);
    if (!r)
        return;
    int direct = 0;
    eg_risk_column(r, 0, NULL, &direct);
    EG_CHECK_INT(direct, 1); /* 姓名 */
    eg_risk_column(r, 2, NULL, &direct);
    EG_CHECK_INT(direct, 1); /* 手机号 */
    eg_risk_column(r, 3, NULL, &direct);
    EG_CHECK_INT(direct, 0); /* 备注 */
    eg_risk_summary s;
    eg_risk_get_summary(r, &s);
    EG_CHECK_INT(s.classes, 6);
    EG_CHECK_INT(s.listed, 6);
    for (size_t i = 0; i < s.listed; i++) {
        const char *const *v = NULL;
        eg_risk_listed(r, i, &v);
        EG_CHECK(v && !v[0] && v[1] && !v[2]);
        /* the remark holding a phone number is withheld, "a".."e" not */
        if (v && i < 5)
            EG_CHECK(v[3] != NULL);
        if (v && i == 5)
            EG_CHECK(v[3] == NULL);
    }
    eg_risk_free(r);
}

static int collect(const void *data, size_t len, void *payload)
{
    return eg__buf_append(payload, data, len) == EG_OK ? 0 : -1;
}

EG_TEST(writers)
{
    const char *p = put("people.csv", people);
    int rc;
    eg_risk *r = run(p, "姓名,性别,出生年,城市", 5, &rc);
    EG_CHECK_INT(rc, EG_OK);
    if (!r)
        return;
    eg_buf t = {0}, j = {0};
    eg_error err;
    EG_CHECK_INT(eg_risk_write(r, EG_REPORT_TEXT, collect, &t, &err), EG_OK);
    EG_CHECK_INT(eg_risk_write(r, EG_REPORT_JSON, collect, &j, &err), EG_OK);
    eg__buf_append(&t, "", 1);
    eg__buf_append(&j, "", 1);
    EG_CHECK(strstr(t.data, "minimum k: 1") != NULL);
    EG_CHECK(strstr(t.data, "姓名=(withheld)") != NULL);
    EG_CHECK(strstr(t.data, "城市=北京市") != NULL);
    EG_CHECK(strstr(t.data, "深圳市,南山区?西丽") != NULL); /* no raw LF */
    EG_CHECK(strstr(j.data, "\"min_k\":1") != NULL);
    EG_CHECK(strstr(j.data, "\"records_below_k\":6") != NULL);
    EG_CHECK(strstr(j.data, "{\"size\":1,\"values\":[null,\"男\",\"1970\","
                            "\"深圳市,南山区\\u000a西丽\"]}") != NULL);
    const char *names[] = {"张三", "李四", "王五", "13800138000"};
    for (size_t i = 0; i < 4; i++) {
        EG_CHECK(strstr(t.data, names[i]) == NULL);
        EG_CHECK(strstr(j.data, names[i]) == NULL);
    }
    eg__buf_free(&t);
    eg__buf_free(&j);
    eg_risk_free(r);
}

EG_TEST(no_header_tsv_short_rows)
{
    const char *p = put("t.tsv", "a\t1\nb\t1\na\t2\nb\nb\t1\n");
    eg_risk_options o = EG_RISK_OPTIONS_INIT;
    o.quasi = "1,2";
    o.no_header = 1;
    o.k = 2;
    eg_risk *r = NULL;
    eg_error err;
    EG_CHECK_INT(eg_risk_csv(&r, eng, p, &o, &err), EG_OK);
    if (!r)
        return;
    eg_risk_summary s;
    eg_risk_get_summary(r, &s);
    EG_CHECK_INT(s.records, 5);
    EG_CHECK_INT(s.short_rows, 1);
    EG_CHECK_INT(s.classes, 4); /* (a,1) (b,1)x2 (a,2) (b,) */
    EG_CHECK_INT(s.min_k, 1);
    EG_CHECK_INT(s.classes_below_k, 3);
    EG_CHECK_INT(s.records_below_k, 3);
    const char *const *v = NULL;
    EG_CHECK_INT(eg_risk_listed(r, 0, &v), 1);
    if (v) { /* first seen first among equals: (a,1) */
        EG_CHECK_STR(v[0], "a");
        EG_CHECK_STR(v[1], "1");
    }
    eg_risk_free(r);
}

EG_TEST(refusals)
{
    const char *p = put("people.csv", people);
    int rc;
    eg_risk *r = run(p, "性别,年龄", 5, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    EG_CHECK(r == NULL);
    r = run(p, "", 5, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    r = run(p, "性别,,城市", 5, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    r = run("-", "性别", 5, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    r = run(put("x.json", "{\"a\": 1}\n"), "a", 5, &rc);
    EG_CHECK_INT(rc, EG_EFORMAT);
    r = run(put("nope", ""), "a", 5, &rc);
    EG_CHECK_INT(rc, EG_EINVAL); /* empty: no header, no column "a" */
}

static int count_bytes(const void *data, size_t len, void *payload)
{
    (void)data;
    *(size_t *)payload += len;
    return 0;
}

static int run_risk(const char *p, size_t *written)
{
    eg_risk_options o = EG_RISK_OPTIONS_INIT;
    o.quasi = "性别,出生年,城市";
    o.k = 2;
    eg_risk *r = NULL;
    eg_error err;
    int rc = eg_risk_csv(&r, eng, p, &o, &err);
    *written = 0;
    if (rc == EG_OK)
        rc = eg_risk_write(r, EG_REPORT_JSON, count_bytes, written, &err);
    eg_risk_free(r);
    return rc;
}

/* Fail allocation n for every n a successful check makes. */
EG_TEST(allocation_failures)
{
    const char *p = put("people.csv", people);
    size_t want = 0, got = 0;
    eg__alloc_fail_at(UINT64_MAX, false);
    EG_CHECK_INT(run_risk(p, &want), EG_OK);
    uint64_t total = eg__alloc_count();
    eg__alloc_fail_at(0, false);
    int other = 0, nomem = 0;
    for (uint64_t n = 1; n <= total; n++) {
        eg__alloc_fail_at(n, false);
        int rc = run_risk(p, &got);
        eg__alloc_fail_at(0, false);
        if (rc == EG_OK)
            EG_CHECK_INT(got, want);
        else if (rc == EG_ENOMEM)
            nomem++;
        else
            other++;
    }
    EG_CHECK(nomem > 10);
    EG_CHECK_INT(other, 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/egress-risk-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 2;
    eg_error err;
    if (eg_engine_new(&eng, &err) != EG_OK) {
        fprintf(stderr, "engine: %s\n", err.message);
        return 2;
    }
    EG_RUN(known_classes);
    EG_RUN(values_withheld);
    EG_RUN(writers);
    EG_RUN(no_header_tsv_short_rows);
    EG_RUN(refusals);
    EG_RUN(allocation_failures);
    eg_engine_free(eng);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return EG_TEST_END();
}
