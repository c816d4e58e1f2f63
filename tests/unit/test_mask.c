/*
 * test_mask.c: `egress mask` / `unmask` through the library API.
 *
 * - The span codec: JSON escapes and doubled CSV quotes decoded and
 *   written back byte for byte with the input's escape styles; minimal
 *   escaping otherwise; JSON numbers.
 * - Known answers of the rewriter: the default policy on text, a CSV
 *   field that must be quoted for a replacement with a comma and a quote
 *   (a stray quote in it doubled), a bare JSON number that becomes a
 *   string, a coordinate across two CSV columns replaced per column, a
 *   BOM and CRLF kept.
 * - Round trips unmask(mask(x)) == x under --operator encrypt for text,
 *   CSV (BOM, CRLF, quoted fields with embedded newlines and doubled
 *   quotes), JSON Lines with escapes and bare numbers, and gzip / zstd
 *   inputs, whose outputs are compressed the same way.
 * - Refusals: an output that is the input (also through a hard link), a
 *   masked file that does not match its report, the wrong key.
 * - The report names spans and types and never a value.
 * - Allocation failures end in EG_ENOMEM and leave no output file.
 */
#include "protect/mask_int.h"
#include "eg_test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char dir[256];
static eg_engine *eng;
static eg_key key;

static const char *at(const char *name)
{
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void put(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(at(name), "wb");
    EG_CHECK(f != NULL);
    if (!f)
        return;
    fwrite(data, 1, n, f);
    fclose(f);
}

static void put_s(const char *name, const char *s)
{
    put(name, s, strlen(s));
}

/* The decompressed content of a file, NUL-terminated (caller frees). */
static char *content(const char *name, size_t *n)
{
    eg_source *src = NULL;
    eg_buf b = {0};
    *n = 0;
    if (eg__source_open(&src, at(name), NULL, NULL) != EG_OK)
        return NULL;
    for (;;) {
        char tmp[4096];
        size_t got = 0;
        if (eg__source_read(src, (unsigned char *)tmp, sizeof tmp, &got,
                            NULL) != EG_OK ||
            got == 0)
            break;
        eg__buf_append(&b, tmp, got);
    }
    eg__source_close(src);
    eg__buf_append(&b, "", 1);
    *n = b.len - 1;
    return b.data;
}

static int same_content(const char *a, const char *b)
{
    size_t na, nb;
    char *x = content(a, &na), *y = content(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    eg__free(x);
    eg__free(y);
    return same;
}

/* Two reports alike but for the second their "created" time shows. */
static int same_report(const char *a, const char *b)
{
    size_t na, nb;
    char *x = content(a, &na), *y = content(b, &nb);
    const char *tag = "\"created\":\"";
    char *cx = x ? strstr(x, tag) : NULL, *cy = y ? strstr(y, tag) : NULL;
    if (cx && cy && cx - x == cy - y) /* same place: blank both times */
        for (size_t i = strlen(tag); cx[i] && cx[i] != '"' && cy[i]; i++)
            cx[i] = cy[i] = '0';
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    eg__free(x);
    eg__free(y);
    return same;
}

static const char *policy_file(const char *yaml)
{
    put_s("policy.yaml", yaml);
    return at("policy.yaml");
}

/* Mask `in` to `out` with an operator, a policy (YAML text) or the
 * default policy; write the report to `report` if given. */
static int mask_threads(int threads, const char *op, const char *yaml,
                        const char *in, const char *out, const char *report,
                        eg_mask_stats *st)
{
    eg_mask_options o = EG_MASK_OPTIONS_INIT;
    o.operator_name = op;
    o.policy_file = yaml ? policy_file(yaml) : NULL;
    o.key = &key;
    o.scan.threads = threads;
    o.scan.as_of_ymd = 20240601;
    eg_masker *m = NULL;
    eg_error err;
    int rc = eg_masker_new(&m, eng, &o, &err);
    EG_CHECK_INT(rc, EG_OK);
    if (rc != EG_OK)
        return rc;
    rc = eg_mask_file(m, at(in), at(out), st, &err);
    if (report)
        EG_CHECK_INT(eg_masker_write_report(m, at(report), &err), EG_OK);
    eg_masker_free(m);
    return rc;
}

static int mask(const char *op, const char *yaml, const char *in,
                const char *out, const char *report, eg_mask_stats *st)
{
    return mask_threads(1, op, yaml, in, out, report, st);
}

static int unmask(const char *masked, const char *report, const char *out,
                  eg_unmask_stats *st)
{
    eg_error err;
    return eg_unmask_file(&key, at(report), at(masked), at(out), st, &err);
}

/* ------------------------------------------------------------- codec */

static int codec_round_trip(int enc, const char *written)
{
    eg_codec c = {0};
    eg_buf out = {0};
    int ok = eg__codec_decode(&c, enc, written, strlen(written)) == EG_OK &&
             eg__codec_encode(&c, enc, c.raw.data, c.raw.len, &out) == EG_OK &&
             out.len == strlen(written) &&
             memcmp(out.data, written, out.len) == 0;
    eg__codec_free(&c);
    eg__buf_free(&out);
    return ok;
}

EG_TEST(codec_styles_round_trip)
{
    EG_CHECK(codec_round_trip(EG_ENC_JSON, "\\u5f20\\u4E09 138"));
    EG_CHECK(codec_round_trip(EG_ENC_JSON, "a\\\"b\\\\c\\/d\\n\\t"));
    EG_CHECK(codec_round_trip(EG_ENC_JSON, "\\ud83d\\ude00x\\uD83D\\uDE00"));
    EG_CHECK(codec_round_trip(EG_ENC_JSON, "\\u0031\\u00e9"));
    EG_CHECK(codec_round_trip(EG_ENC_JSON, "lone \\ud800 surrogate"));
    EG_CHECK(codec_round_trip(EG_ENC_CSVQ, "say \"\"hi\"\" 1"));
    EG_CHECK(codec_round_trip(EG_ENC_WRAP, "\"0123\""));
    EG_CHECK(codec_round_trip(EG_ENC_RAW, "anything \\ \" goes"));
}

EG_TEST(codec_decode_values)
{
    eg_codec c = {0};
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_JSON, "\\u5f20\\n\\\"", 10),
                 EG_OK);
    EG_CHECK_STR(c.raw.data, "张\n\"");
    EG_CHECK_INT(c.nesc, 3);
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_CSVQ, "a\"\"b", 4), EG_OK);
    EG_CHECK_STR(c.raw.data, "a\"b");
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_WRAP, "\"x\\ty\"", 6), EG_OK);
    EG_CHECK_STR(c.raw.data, "x\ty");
    /* broken forms are refused, never guessed */
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_JSON, "ab\\", 3), EG_EFORMAT);
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_JSON, "\\u12g4", 6), EG_EFORMAT);
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_JSON, "\\q", 2), EG_EFORMAT);
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_CSVQ, "a\"b", 3), EG_EFORMAT);
    EG_CHECK_INT(eg__codec_decode(&c, EG_ENC_WRAP, "x", 1), EG_EFORMAT);
    eg__codec_free(&c);
}

EG_TEST(codec_minimal_escapes)
{
    eg_buf out = {0};
    const char raw[] = "a\"b\\c\nd\x01";
    EG_CHECK_INT(eg__codec_encode(NULL, EG_ENC_JSON, raw, sizeof raw - 1, &out),
                 EG_OK);
    eg__buf_append(&out, "", 1);
    EG_CHECK_STR(out.data, "a\\\"b\\\\c\\nd\\u0001");
    out.len = 0;
    EG_CHECK_INT(eg__codec_encode(NULL, EG_ENC_CSVQ, "[a,\"b\"]", 7, &out),
                 EG_OK);
    eg__buf_append(&out, "", 1);
    EG_CHECK_STR(out.data, "[a,\"\"b\"\"]");
    out.len = 0;
    EG_CHECK_INT(eg__codec_encode(NULL, EG_ENC_WRAP, "[cn_mobile]", 11, &out),
                 EG_OK);
    eg__buf_append(&out, "", 1);
    EG_CHECK_STR(out.data, "\"[cn_mobile]\"");
    eg__buf_free(&out);
}

EG_TEST(json_numbers)
{
    const char *yes[] = {"0", "-0", "12", "3.25", "-1.5e10", "1E+2", "0.0"};
    const char *no[] = {"",   "01",  "1.",  ".5",          "+1",
                        "1e", "--1", "0x1", "138****8000", "1.2.3.4"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        EG_CHECK(eg__json_is_number(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        EG_CHECK(!eg__json_is_number(no[i], strlen(no[i])));
}

/* ------------------------------------------------------- known answers */

static void expect_output(const char *name, const char *want)
{
    size_t n;
    char *got = content(name, &n);
    EG_CHECK_STR(got, want);
    eg__free(got);
}

EG_TEST(default_policy_text)
{
    put_s("a.txt", "hello 13800138000 x\n身份证号 11010519491231002X\n");
    eg_mask_stats st;
    EG_CHECK_INT(mask(NULL, NULL, "a.txt", "a.out", NULL, &st), EG_OK);
    expect_output("a.out", "hello 138****8000 x\n身份证号 [cn_resident_id]\n");
    EG_CHECK_INT(st.findings, 2);
    EG_CHECK_INT(st.spans, 2);
    EG_CHECK_INT(st.fallbacks, 0);
    EG_CHECK_INT(st.format, EG_FORMAT_TEXT);
    EG_CHECK_STR(st.compression, "none");
    EG_CHECK_INT(st.bytes_in, strlen("hello 13800138000 x\n身份证号 "
                                     "11010519491231002X\n"));
}

EG_TEST(csv_field_quoted_when_needed)
{
    /* a replacement with a delimiter and a quote: the field gets quoted,
     * the stray quote already in it doubled; a quoted field stays quoted
     * with its quotes doubled; BOM and CRLF stay */
    put_s("q.csv", "\xEF\xBB\xBFname,phone,note\r\n"
                   "x,tel 13800138000 a\"b,\"call 13912345678\"\r\n");
    eg_mask_stats st;
    EG_CHECK_INT(mask(NULL,
                      "rules:\n  cn_mobile: {op: redact, text: "
                      "'[a,\"b\"]'}\n",
                      "q.csv", "q.out", NULL, &st),
                 EG_OK);
    expect_output("q.out",
                  "\xEF\xBB\xBFname,phone,note\r\n"
                  "x,\"tel [a,\"\"b\"\"] a\"\"b\",\"call [a,\"\"b\"\"]\"\r\n");
    EG_CHECK_INT(st.requoted, 1);
    EG_CHECK_INT(st.spans, 2);
}

static int report_has(const char *name, const char *needle)
{
    size_t n;
    char *rep = content(name, &n);
    int has = rep && strstr(rep, needle);
    eg__free(rep);
    return has;
}

/* Mask `text` (as file `name`) dropping mobiles and encrypting resident
 * IDs, then unmask: what is kept comes back as `want`. */
static eg_mask_stats drop_then_unmask(const char *name, const char *text,
                                      const char *want)
{
    eg_mask_stats st;
    memset(&st, 0, sizeof st);
    put_s(name, text);
    EG_CHECK_INT(mask(NULL,
                      "default: keep\nrules:\n  cn_mobile: drop\n"
                      "  cn_resident_id: encrypt\n",
                      name, "du.out", "du.json", &st),
                 EG_OK);
    eg_unmask_stats us;
    EG_CHECK_INT(unmask("du.out", "du.json", "du.back", &us), EG_OK);
    expect_output("du.back", want);
    return st;
}

EG_TEST(csv_drop_columns)
{
    /* `drop`: a column holding nothing but dropped values goes whole,
     * header cell and delimiter included, wherever it stands (first, in
     * the middle, last); a column where a dropped value shares its cell
     * with other text keeps the cell, emptied of the value; empty cells do
     * not keep a column; BOM, quotes and CRLF stay */
    put_s("d.csv", "\xEF\xBB\xBFphone,name,\"mobile\",note,tel\r\n"
                   "13800138000,\"Zhang, San\",13912345678,call "
                   "13712345678,13612345678\r\n"
                   "\"13900139000\",Li,,ok,13512345678\r\n");
    const char *policy = "default: keep\nrules:\n  cn_mobile: drop\n";
    eg_mask_stats st;
    EG_CHECK_INT(mask(NULL, policy, "d.csv", "d.out", "d.json", &st), EG_OK);
    expect_output("d.out", "\xEF\xBB\xBFname,note\r\n"
                           "\"Zhang, San\",call \r\n"
                           "Li,ok\r\n");
    EG_CHECK_INT(st.dropped_columns, 3);
    EG_CHECK_INT(st.dropped_cells, 9);
    EG_CHECK(report_has("d.json", "\"dropped_columns\":[1,3,5]"));

    /* no header: the first row is data and counts */
    put_s("e.csv", "13800138000,a\n13912345678,b\n");
    EG_CHECK_INT(mask(NULL, policy, "e.csv", "e.out", NULL, &st), EG_OK);
    expect_output("e.out", "a\nb\n");
    EG_CHECK_INT(st.dropped_columns, 1);

    /* TSV, and a column with one value that is not dropped: kept */
    put_s("f.tsv", "phone\tx\n13800138000\t1\nn/a\t2\n");
    EG_CHECK_INT(mask(NULL, policy, "f.tsv", "f.out", NULL, &st), EG_OK);
    expect_output("f.out", "phone\tx\n\t1\nn/a\t2\n");
    EG_CHECK_INT(st.dropped_columns, 0);

    /* with encrypt on another type, unmask restores every kept column */
    st = drop_then_unmask("g.csv", "phone,id\n13800138000,11010519491231002X\n",
                          "id\n11010519491231002X\n");
    EG_CHECK_INT(st.dropped_columns, 1);
}

EG_TEST(json_drop_keys)
{
    /* `drop` on JSON: a member whose every value is dropped values goes
     * with its key and one comma, first, middle or last, in JSON Lines and
     * in an indented document; arrays of dropped values go too; null and
     * "" do not keep a member; a member holding an object stays, and so
     * does one whose values are mixed */
    const char *policy = "default: keep\nrules:\n  cn_mobile: drop\n";
    put_s("a.jsonl",
          "{\"phone\":\"13800138000\",\"name\":\"a\",\"mob\":[13912345678]}\n"
          "{\"name\":\"b\",\"phone\":null,\"mob\":[]}\n"
          "{\"name\":\"c\",\"phone\":\"\",\"note\":\"13712345678\"}\n"
          "{\"note\":\"call 13612345678\",\"phone\":\"13512345678\"}\n");
    eg_mask_stats st;
    EG_CHECK_INT(mask(NULL, policy, "a.jsonl", "a.out", "a.json", &st), EG_OK);
    expect_output("a.out", "{\"name\":\"a\"}\n"
                           "{\"name\":\"b\"}\n"
                           "{\"name\":\"c\",\"note\":\"\"}\n"
                           "{\"note\":\"call \"}\n");
    EG_CHECK_INT(st.dropped_keys, 2);
    EG_CHECK_INT(st.dropped_cells, 6);
    EG_CHECK(report_has("a.json", "\"dropped_keys\":[\"/phone\",\"/mob\"]") ||
             report_has("a.json", "\"dropped_keys\":[\"/mob\",\"/phone\"]"));

    put_s("b.json", "[\n  {\n    \"id\": 1,\n    \"phone\": \"13800138000\",\n"
                    "    \"user\": {\"mobile\": 13912345678, \"city\": "
                    "\"x\"}\n  },\n  {\"phone\": \"13700137000\", \"id\": 2}\n"
                    "]\n");
    EG_CHECK_INT(mask(NULL, policy, "b.json", "b.out", NULL, &st), EG_OK);
    expect_output("b.out", "[\n  {\n    \"id\": 1,\n"
                           "    \"user\": { \"city\": \"x\"}\n"
                           "  },\n  { \"id\": 2}\n]\n");
    EG_CHECK_INT(st.dropped_keys, 2);

    /* with encrypt on another type, unmask restores every kept member */
    st = drop_then_unmask(
        "c.jsonl",
        "{\"phone\":\"13800138000\",\"id\":\"11010519491231002X\"}\n",
        "{\"id\":\"11010519491231002X\"}\n");
    EG_CHECK_INT(st.dropped_keys, 1);
}

/* Spans of two reports, from "spans" on (the rest names times and paths). */
static int same_spans(const char *a, const char *b)
{
    size_t na, nb;
    char *x = content(a, &na), *y = content(b, &nb);
    char *sx = x ? strstr(x, "\"spans\"") : NULL;
    char *sy = y ? strstr(y, "\"spans\"") : NULL;
    int same = sx && sy && strcmp(sx, sy) == 0;
    eg__free(x);
    eg__free(y);
    return same;
}

EG_TEST(threads_give_the_same_output)
{
    /* with several threads the operators run ahead of the copy; output
     * and report must not change, in every format, for every policy */
    eg_buf t = {0}, c = {0}, j = {0};
    eg__buf_append(&c, "id,phone,card,note\n", 19);
    for (int i = 0; i < 3000; i++) {
        char line[256];
        int n =
            snprintf(line, sizeof line,
                     "%d,1380013%04d,6222021234567890%03d,\"x 1391234%04d\"\n",
                     i, i, i % 1000, i);
        eg__buf_append(&c, line, (size_t)n);
        n = snprintf(line, sizeof line,
                     "tel 1380013%04d mail u%d@example.com\n", i, i);
        eg__buf_append(&t, line, (size_t)n);
        n = snprintf(line, sizeof line,
                     "{\"phone\":\"1380013%04d\",\"n\":1391234%04d,"
                     "\"id\":\"11010519491231002X\"}\n",
                     i, i);
        eg__buf_append(&j, line, (size_t)n);
    }
    put("t.txt", t.data, t.len);
    put("c.csv", c.data, c.len);
    put("j.jsonl", j.data, j.len);
    eg__buf_free(&t);
    eg__buf_free(&c);
    eg__buf_free(&j);
    const char *inputs[] = {"t.txt", "c.csv", "j.jsonl"};
    const char *ops[] = {"encrypt", NULL, "pseudonymize"};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < 3; k++) {
            eg_mask_stats s1, s2;
            EG_CHECK_INT(mask_threads(1, ops[k], NULL, inputs[i], "one.out",
                                      "one.json", &s1),
                         EG_OK);
            EG_CHECK_INT(mask_threads(2, ops[k], NULL, inputs[i], "two.out",
                                      "two.json", &s2),
                         EG_OK);
            EG_CHECK(s1.spans > 3000);
            EG_CHECK_INT(s1.spans, s2.spans);
            EG_CHECK(same_content("one.out", "two.out"));
            EG_CHECK(same_spans("one.json", "two.json"));
        }
}

EG_TEST(csv_value_across_columns)
{
    /* a coordinate found across two columns is two pieces: the comma
     * between them stays, so the row keeps its columns */
    put_s("g.csv", "id,lat,lng\n1,39.904211,116.407395\n");
    eg_mask_stats st;
    EG_CHECK_INT(mask("redact", NULL, "g.csv", "g.out", NULL, &st), EG_OK);
    size_t n;
    char *got = content("g.out", &n);
    EG_CHECK(got != NULL);
    if (got && st.findings == 1) {
        EG_CHECK_STR(got, "id,lat,lng\n1,[geo_coordinate],[geo_coordinate]\n");
        EG_CHECK_INT(st.spans, 2);
    } else if (got) { /* found as two values or not at all: still 3 cols */
        int commas = 0;
        for (size_t i = 0; i < n; i++)
            commas += got[i] == ',';
        EG_CHECK_INT(commas, 4);
    }
    eg__free(got);
}

EG_TEST(json_bare_number_becomes_string)
{
    put_s("b.jsonl", "{\"phone\":13800138000,\"n\":1}\n[13912345678]\n");
    eg_mask_stats st;
    EG_CHECK_INT(mask(NULL, NULL, "b.jsonl", "b.out", NULL, &st), EG_OK);
    expect_output("b.out",
                  "{\"phone\":\"138****8000\",\"n\":1}\n[\"139****5678\"]\n");
    EG_CHECK_INT(st.format, EG_FORMAT_JSONL);
}

EG_TEST(json_string_escaped)
{
    put_s("s.json", "{\"phone\":\"13800138000\"}\n");
    EG_CHECK_INT(mask(NULL,
                      "rules:\n  cn_mobile: {op: redact, text: "
                      "'say \"no\" \\'}\n",
                      "s.json", "s.out", NULL, NULL),
                 EG_OK);
    expect_output("s.out", "{\"phone\":\"say \\\"no\\\" \\\\\"}\n");
}

/* ---------------------------------------------------------- round trips */

static void round_trip(const char *in, int expect_spans)
{
    char out[64], rep[64], back[64];
    snprintf(out, sizeof out, "%s.enc", in);
    snprintf(rep, sizeof rep, "%s.report.json", in);
    snprintf(back, sizeof back, "%s.back", in);
    eg_mask_stats st;
    EG_CHECK_INT(mask("encrypt", NULL, in, out, rep, &st), EG_OK);
    EG_CHECK_INT(st.fallbacks, 0);
    EG_CHECK_INT(st.spans, expect_spans);
    EG_CHECK_INT(st.well_formed, expect_spans);
    EG_CHECK(!same_content(in, out)); /* something did change */
    eg_unmask_stats us;
    EG_CHECK_INT(unmask(out, rep, back, &us), EG_OK);
    EG_CHECK_INT(us.restored, expect_spans);
    EG_CHECK_INT(us.not_reversible, 0);
    EG_CHECK(same_content(in, back));
}

static const char text_in[] =
    "姓名：张三，电话13800138000，身份证号：11010519491231002X。\n"
    "手机 +86 138-0013-8000 邮箱 zhang.san@example.com\n"
    "银行卡号：6222 0212 3456 7890 128 全角：１３８００１３８０００\n";

static const char csv_in[] =
    "\xEF\xBB\xBF姓名,手机号,备注\r\n"
    "张三,13800138000,\"第一行\r\n第二行 11010519491231002X\"\r\n"
    "李四,\"139 1234 5678\",\"他说\"\"13800138000\"\"\"\r\n";

static const char jsonl_in[] =
    "{\"name\":\"张三\",\"phone\":13800138000,\"s\":\"a\\\"b "
    "13912345678\"}\n"
    "{\"idCard\":\"11010519491231002X\",\"email\":\"zhang.san@example.com\","
    "\"u\":\"\\u5f20\"}\n";

EG_TEST(round_trip_text)
{
    put_s("t.txt", text_in);
    round_trip("t.txt", 7);
}

EG_TEST(round_trip_csv)
{
    put_s("c.csv", csv_in);
    round_trip("c.csv", 6);
}

EG_TEST(round_trip_jsonl)
{
    put_s("j.jsonl", jsonl_in);
    round_trip("j.jsonl", 5);
}

EG_TEST(round_trip_gzip)
{
    gzFile g = gzopen(at("z.csv.gz"), "wb");
    EG_CHECK(g != NULL);
    if (!g)
        return;
    gzwrite(g, csv_in, (unsigned)strlen(csv_in));
    gzclose(g);
    round_trip("z.csv.gz", 6);
    size_t n;
    char *raw = NULL;
    FILE *f = fopen(at("z.csv.gz.enc"), "rb");
    unsigned char magic[2] = {0, 0};
    if (f) {
        EG_CHECK_INT(fread(magic, 1, 2, f), 2);
        fclose(f);
    }
    EG_CHECK(magic[0] == 0x1f && magic[1] == 0x8b);
    raw = content("z.csv.gz.back", &n);
    EG_CHECK(raw && n == strlen(csv_in));
    eg__free(raw);
}

EG_TEST(round_trip_zstd)
{
    size_t cap = ZSTD_compressBound(sizeof jsonl_in);
    char *z = malloc(cap);
    size_t zn = ZSTD_compress(z, cap, jsonl_in, strlen(jsonl_in), 3);
    EG_CHECK(!ZSTD_isError(zn));
    put("z.jsonl.zst", z, zn);
    free(z);
    round_trip("z.jsonl.zst", 5);
    FILE *f = fopen(at("z.jsonl.zst.back"), "rb");
    unsigned char magic[4] = {0};
    if (f) {
        EG_CHECK_INT(fread(magic, 1, 4, f), 4);
        fclose(f);
    }
    EG_CHECK(!memcmp(magic, "\x28\xb5\x2f\xfd", 4));
}

/* ------------------------------------------------------------- refusals */

EG_TEST(never_over_the_input)
{
    put_s("same.txt", "电话13800138000\n");
    eg_error err;
    eg_mask_options o = EG_MASK_OPTIONS_INIT;
    o.key = &key;
    eg_masker *m = NULL;
    EG_CHECK_INT(eg_masker_new(&m, eng, &o, &err), EG_OK);
    EG_CHECK_INT(eg_mask_file(m, at("same.txt"), at("same.txt"), NULL, &err),
                 EG_EPERM);
    unlink(at("link.txt"));
    EG_CHECK_INT(link(at("same.txt"), at("link.txt")), 0);
    EG_CHECK_INT(eg_mask_file(m, at("same.txt"), at("link.txt"), NULL, &err),
                 EG_EPERM);
    EG_CHECK(strstr(err.message, "13800138000") == NULL);
    eg_masker_free(m);
    size_t n;
    char *c = content("same.txt", &n);
    EG_CHECK_STR(c, "电话13800138000\n");
    eg__free(c);
}

EG_TEST(unmask_refuses_mismatch)
{
    put_s("mm.txt", text_in);
    EG_CHECK_INT(mask("encrypt", NULL, "mm.txt", "mm.enc", "mm.json", NULL),
                 EG_OK);
    /* one byte changed outside every span */
    size_t n;
    char *c = content("mm.enc", &n);
    c[0] = 'X';
    put("mm.bad", c, n);
    eg__free(c);
    eg_unmask_stats us;
    EG_CHECK_INT(unmask("mm.bad", "mm.json", "mm.back", &us), EG_EINVAL);
    struct stat st;
    EG_CHECK(stat(at("mm.back"), &st) != 0); /* nothing written */
    /* another key */
    eg_key other;
    unsigned char b[32] = {9};
    eg_key_from_bytes(&other, b, 32, NULL);
    eg_error err;
    EG_CHECK_INT(eg_unmask_file(&other, at("mm.json"), at("mm.enc"),
                                at("mm.back"), &us, &err),
                 EG_EPERM);
    /* not a report */
    put_s("notreport.json", "{\"version\":1}");
    EG_CHECK_INT(unmask("mm.enc", "notreport.json", "mm.back", &us),
                 EG_EFORMAT);
    /* over the masked file itself */
    EG_CHECK_INT(unmask("mm.enc", "mm.json", "mm.enc", &us), EG_EPERM);
}

EG_TEST(unmask_leaves_one_way_spans)
{
    put_s("ow.txt", text_in);
    EG_CHECK_INT(mask(NULL, "rules:\n  cn_mobile: encrypt\n", "ow.txt",
                      "ow.enc", "ow.json", NULL),
                 EG_OK);
    eg_unmask_stats us;
    EG_CHECK_INT(unmask("ow.enc", "ow.json", "ow.back", &us), EG_OK);
    EG_CHECK_INT(us.restored, 3); /* the three mobiles */
    EG_CHECK(us.not_reversible > 0);
    EG_CHECK(strstr(us.not_reversible_ops, "redact") != NULL);
    size_t n;
    char *c = content("ow.back", &n);
    EG_CHECK(c && strstr(c, "13800138000") && strstr(c, "[cn_resident_id]"));
    eg__free(c);
}

EG_TEST(report_has_no_values)
{
    put_s("r.txt", text_in);
    EG_CHECK_INT(mask(NULL, NULL, "r.txt", "r.out", "r.json", NULL), EG_OK);
    size_t n;
    char *rep = content("r.json", &n);
    EG_CHECK(rep != NULL);
    if (!rep)
        return;
    const char *values[] = {
        "13800138000", "11010519491231002X",     "zhang.san@example.com",
        "6222 0212",   "１３８００１３８０００", "张三"};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        EG_CHECK(strstr(rep, values[i]) == NULL);
    EG_CHECK(strstr(rep, "\"kind\":\"egress-mask-report\"") != NULL);
    EG_CHECK(strstr(rep, key.id) != NULL);
    EG_CHECK(strstr(rep, "\"type\":\"cn_resident_id\",\"op\":\"redact\"") !=
             NULL);
    EG_CHECK(strstr(rep, "\"output_sha256\":\"") != NULL);
    EG_CHECK(strstr(rep, "\"pipl_art73\"") != NULL);
    eg__free(rep);
}

EG_TEST(bad_arguments)
{
    eg_error err;
    eg_mask_options o = EG_MASK_OPTIONS_INIT;
    eg_masker *m = NULL;
    o.operator_name = "shred";
    EG_CHECK_INT(eg_masker_new(&m, eng, &o, &err), EG_EINVAL);
    o.operator_name = NULL;
    o.policy_file = policy_file("rules:\n  cn_mobile: shred\n");
    EG_CHECK_INT(eg_masker_new(&m, eng, &o, &err), EG_EFORMAT);
    EG_CHECK(strstr(err.message, "policy.yaml:2") != NULL);
    o.policy_file = NULL;
    o.key = &key;
    EG_CHECK_INT(eg_masker_new(&m, eng, &o, &err), EG_OK);
    EG_CHECK_INT(eg_mask_file(m, dir, at("d.out"), NULL, &err),
                 EG_EUNSUPPORTED);
    EG_CHECK_INT(eg_mask_file(m, at("missing"), at("d.out"), NULL, &err),
                 EG_ENOTFOUND);
    eg_masker_free(m);
}

/* ----------------------------------------------------- allocation failures */

/* Fail allocation n for every n a successful call makes: each run must
 * end in EG_OK with the right output, or EG_ENOMEM with no output. */
EG_TEST(allocation_failures)
{
    put_s("oom.csv", csv_in);
    eg_mask_options o = EG_MASK_OPTIONS_INIT;
    o.key = &key;
    o.operator_name = "encrypt";
    o.scan.threads = 1;
    eg_masker *m = NULL;
    eg_error err;
    EG_CHECK_INT(eg_masker_new(&m, eng, &o, &err), EG_OK);
    eg__alloc_fail_at(UINT64_MAX, false); /* count only */
    EG_CHECK_INT(eg_mask_file(m, at("oom.csv"), at("oom.ref"), NULL, &err),
                 EG_OK);
    uint64_t total = eg__alloc_count();
    eg__alloc_fail_at(0, false);
    int nomem = 0, other = 0, wrong = 0;
    struct stat st;
    for (uint64_t n = 1; n <= total; n++) {
        unlink(at("oom.out"));
        eg__alloc_fail_at(n, false);
        int rc = eg_mask_file(m, at("oom.csv"), at("oom.out"), NULL, &err);
        eg__alloc_fail_at(0, false);
        if (rc == EG_OK)
            wrong += !same_content("oom.ref", "oom.out");
        else if (rc == EG_ENOMEM) {
            nomem++;
            EG_CHECK(stat(at("oom.out"), &st) != 0);
        } else {
            other++;
            fprintf(stderr, "allocation %llu: %s\n", (unsigned long long)n,
                    err.message);
        }
    }
    EG_CHECK(total > 20);
    EG_CHECK(nomem > 5);
    EG_CHECK_INT(other, 0);
    EG_CHECK_INT(wrong, 0);

    /* the report and unmask under the same treatment */
    EG_CHECK_INT(eg_mask_file(m, at("oom.csv"), at("oom.out"), NULL, &err),
                 EG_OK);
    eg__alloc_fail_at(UINT64_MAX, false);
    EG_CHECK_INT(eg_masker_write_report(m, at("oom.json"), &err), EG_OK);
    total = eg__alloc_count();
    eg__alloc_fail_at(0, false);
    for (uint64_t n = 1; n <= total; n++) {
        eg__alloc_fail_at(n, false);
        int rc = eg_masker_write_report(m, at("oom2.json"), &err);
        eg__alloc_fail_at(0, false);
        if (rc != EG_OK && rc != EG_ENOMEM)
            other++;
        if (rc == EG_OK) /* the clock may tick between the two */
            wrong += !same_report("oom.json", "oom2.json");
    }
    eg_masker_free(m);
    eg__alloc_fail_at(UINT64_MAX, false);
    EG_CHECK_INT(eg_unmask_file(&key, at("oom.json"), at("oom.out"),
                                at("oom.back"), NULL, &err),
                 EG_OK);
    total = eg__alloc_count();
    eg__alloc_fail_at(0, false);
    for (uint64_t n = 1; n <= total; n++) {
        unlink(at("oom.back"));
        eg__alloc_fail_at(n, false);
        int rc = eg_unmask_file(&key, at("oom.json"), at("oom.out"),
                                at("oom.back"), NULL, &err);
        eg__alloc_fail_at(0, false);
        if (rc == EG_OK)
            wrong += !same_content("oom.csv", "oom.back");
        else if (rc == EG_ENOMEM)
            EG_CHECK(stat(at("oom.back"), &st) != 0);
        else
            other++;
    }
    EG_CHECK_INT(other, 0);
    EG_CHECK_INT(wrong, 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/egress-mask-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 2;
    unsigned char b[32];
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)(i * 7 + 1);
    eg_key_from_bytes(&key, b, 32, NULL);
    eg_error err;
    if (eg_engine_new(&eng, &err) != EG_OK) {
        fprintf(stderr, "engine: %s\n", err.message);
        return 2;
    }
    EG_RUN(codec_styles_round_trip);
    EG_RUN(codec_decode_values);
    EG_RUN(codec_minimal_escapes);
    EG_RUN(json_numbers);
    EG_RUN(default_policy_text);
    EG_RUN(csv_field_quoted_when_needed);
    EG_RUN(csv_value_across_columns);
    EG_RUN(csv_drop_columns);
    EG_RUN(json_drop_keys);
    EG_RUN(threads_give_the_same_output);
    EG_RUN(json_bare_number_becomes_string);
    EG_RUN(json_string_escaped);
    EG_RUN(round_trip_text);
    EG_RUN(round_trip_csv);
    EG_RUN(round_trip_jsonl);
    EG_RUN(round_trip_gzip);
    EG_RUN(round_trip_zstd);
    EG_RUN(never_over_the_input);
    EG_RUN(unmask_refuses_mismatch);
    EG_RUN(unmask_leaves_one_way_spans);
    EG_RUN(report_has_no_values);
    EG_RUN(bad_arguments);
    EG_RUN(allocation_failures);
    eg_engine_free(eng);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return EG_TEST_END();
}
