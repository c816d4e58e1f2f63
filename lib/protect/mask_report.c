/*
 * mask_report.c: the JSON report of a masking run: written by
 * eg_masker_write_report(), read back by unmask (eg__report_read()).
 *
 * Writing: one JSON object (docs/internals/MASK.md), one span per line so
 * that a report of a large input stays greppable, built in a buffer and
 * written through the atomic output of mask_output.c.  Nothing in it is a
 * value: paths, offsets, type ids, operator names and settings, counts,
 * the key id and the SHA-256 of each masked output.
 *
 * Reading: a small pull parser (tokens from a buffered file; no tree), so
 * a report with millions of spans is read in memory proportional to the
 * spans of the one input unmask needs.  Inputs are matched by the
 * SHA-256 and length of the masked file's content, so a renamed or
 * recompressed output is still found and a modified one never is.
 */
#include "protect/mask_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ================================================================ writing */

static void put_date(eg_sbuf *b, int ymd)
{
    eg__sb_printf(b, "\"%04d-%02d-%02d\"", ymd / 10000, ymd / 100 % 100,
                  ymd % 100);
}

static void put_str(eg_sbuf *b, const char *s)
{
    eg__sb_puts(b, "\"");
    eg__sb_json(b, s, strlen(s));
    eg__sb_puts(b, "\"");
}

void eg__report_put_settings(eg_sbuf *b, const eg_op_settings *s)
{
    eg__sb_printf(b, "\"op\":\"%s\"", eg__op_name(s->op));
    switch (s->op) {
    case EG_OP_REDACT:
        eg__sb_puts(b, ",\"text\":");
        put_str(b, s->text);
        break;
    case EG_OP_MASK:
        eg__sb_printf(b, ",\"keep_first\":%d,\"keep_last\":%d,\"char\":",
                      s->keep_first, s->keep_last);
        put_str(b, s->mask_char);
        break;
    case EG_OP_PSEUDONYMIZE:
        eg__sb_printf(b, ",\"style\":\"%s\",\"hex_digits\":%d",
                      s->style == EG_PSEUDO_DIGITS ? "digits" : "token",
                      s->hex_digits);
        break;
    case EG_OP_ENCRYPT:
        eg__sb_printf(b, ",\"keep_region\":%s,\"keep_issuer\":%s,\"as_of\":",
                      s->keep_region ? "true" : "false",
                      s->keep_issuer ? "true" : "false");
        put_date(b, s->as_of_ymd);
        break;
    case EG_OP_GENERALIZE:
        eg__sb_printf(
            b, ",\"decimals\":%d,\"dob\":\"%s\",\"band\":%d", s->decimals,
            s->dob == EG_DOB_AGE_BAND ? "age_band" : "year", s->band_years);
        eg__sb_puts(b, ",\"as_of\":");
        put_date(b, s->as_of_ymd);
        break;
    default:
        break;
    }
}

static int is_well_formed(const eg_op_settings *s)
{
    return s->op == EG_OP_ENCRYPT || s->op == EG_OP_KEEP ||
           (s->op == EG_OP_PSEUDONYMIZE && s->style == EG_PSEUDO_DIGITS);
}

static void put_policy(eg_sbuf *b, const eg_masker *m)
{
    eg__sb_printf(b,
                  "\"policy\":{\"source\":\"%s\",\"file\":", m->policy_source);
    if (m->policy_file)
        put_str(b, m->policy_file);
    else
        eg__sb_puts(b, "null");
    eg__sb_puts(b, ",\"rules\":{");
    for (int t = 0; t < EG_T_COUNT; t++) {
        eg__sb_printf(b, "%s\n \"%s\":{\"category\":\"%s\",", t ? "," : "",
                      eg_type_id(t), eg_category_id(eg_type_category(t)));
        eg__report_put_settings(b, &m->set[t]);
        eg__sb_printf(b, ",\"pipl_status\":\"%s\"}",
                      eg__op_pipl_status(m->set[t].op));
    }
    eg__sb_puts(b, "}},\n");
}

static void put_op_list(eg_sbuf *b, const char *name, const uint8_t used[],
                        const char *status)
{
    eg__sb_printf(b, "\"%s\":[", name);
    int first = 1;
    for (int op = 0; op < EG_OP_COUNT; op++)
        if (used[op] && !strcmp(eg__op_pipl_status((eg_op_kind)op), status)) {
            eg__sb_printf(b, "%s\"%s\"", first ? "" : ",",
                          eg__op_name((eg_op_kind)op));
            first = 0;
        }
    eg__sb_puts(b, "]");
}

/* What each operator in use leaves, in the terms of PIPL Art 73. */
static void put_pipl(eg_sbuf *b, const eg_masker *m)
{
    uint8_t used[EG_OP_COUNT] = {0};
    for (int t = 0; t < EG_T_COUNT; t++)
        used[m->set[t].op] = 1;
    used[EG_OP_REDACT] = 1; /* the fallback */
    eg__sb_puts(b, "\"pipl_art73\":{");
    put_op_list(b, "removed", used, "removed");
    eg__sb_puts(b, ",");
    put_op_list(b, "de_identified", used, eg__op_pipl_status(EG_OP_ENCRYPT));
    eg__sb_puts(b, ",");
    put_op_list(b, "personal_information", used, "personal information");
    eg__sb_puts(b, ",\"anonymized\":[],\"note\":\"De-identified output is "
                   "still personal information (PIPL Art 73(3)); no "
                   "operator anonymizes a data set by itself: that depends "
                   "on the quasi-identifiers left in each record (egress "
                   "risk measures k-anonymity).\"},\n");
    eg__sb_puts(b, "\"well_formed_types\":[");
    int first = 1;
    for (int t = 0; t < EG_T_COUNT; t++)
        if (is_well_formed(&m->set[t])) {
            eg__sb_printf(b, "%s\"%s\"", first ? "" : ",", eg_type_id(t));
            first = 0;
        }
    eg__sb_puts(b, "],\"well_formed_note\":\"Values of these types keep "
                   "their format (encrypt, keep, digit pseudonyms); resident "
                   "IDs and cards stay valid on purpose, so a re-scan of "
                   "the output finds them again.\",\n");
}

/* Counts per type and operator: {"cn_mobile":{"mask":3},...} */
static void put_type_op_counts(eg_sbuf *b, const eg_mask_rec *r)
{
    eg__sb_puts(b, ",\n  \"counts\":{");
    int first_t = 1;
    for (int t = 0; t < EG_T_COUNT; t++) {
        int first_op = 1;
        for (int op = 0; op < EG_OP_COUNT; op++) {
            uint64_t n = r->counts->by_type_op[t][op];
            if (!n)
                continue;
            if (first_op)
                eg__sb_printf(b, "%s\"%s\":{", first_t ? "" : ",",
                              eg_type_id(t));
            eg__sb_printf(b, "%s\"%s\":%llu", first_op ? "" : ",",
                          eg__op_name((eg_op_kind)op), (unsigned long long)n);
            first_op = 0;
            first_t = 0;
        }
        if (!first_op)
            eg__sb_puts(b, "}");
    }
    eg__sb_puts(b, "}");
}

static void put_type_counts(eg_sbuf *b, const char *name, const uint64_t *v)
{
    eg__sb_printf(b, ",\n  \"%s\":{", name);
    int first = 1;
    for (int t = 0; t < EG_T_COUNT; t++)
        if (v[t]) {
            eg__sb_printf(b, "%s\"%s\":%llu", first ? "" : ",", eg_type_id(t),
                          (unsigned long long)v[t]);
            first = 0;
        }
    eg__sb_puts(b, "}");
}

static void put_span(eg_sbuf *b, const eg_mspan *s)
{
    eg__sb_printf(
        b,
        "{\"out\":[%llu,%llu],\"in\":[%llu,%llu],"
        "\"type\":\"%s\",\"op\":\"%s\"",
        (unsigned long long)s->out_start, (unsigned long long)s->out_end,
        (unsigned long long)s->in_start, (unsigned long long)s->in_end,
        eg_type_id(s->type), eg__op_name((eg_op_kind)s->op));
    if (s->enc != EG_ENC_RAW)
        eg__sb_printf(b, ",\"enc\":\"%s\"", eg__span_enc_name(s->enc));
    if (s->flags & EG_SPAN_FALLBACK)
        eg__sb_printf(b, ",\"fallback_from\":\"%s\"",
                      eg__op_name((eg_op_kind)s->asked));
    if (s->flags & EG_SPAN_WELL_FORMED)
        eg__sb_puts(b, ",\"well_formed\":true");
    eg__sb_puts(b, "}");
}

#define REPORT_FLUSH ((size_t)1 << 20)

static int flush_if(eg_sbuf *b, eg_mask_out *o, size_t at_least, eg_error *err)
{
    if (b->oom)
        return eg__fail(err, EG_ENOMEM, "out of memory writing the report");
    if (b->b.len < at_least)
        return EG_OK;
    int rc = eg__mask_out_write(o, b->b.data, b->b.len, err);
    b->b.len = 0;
    return rc;
}

static int put_input(eg_sbuf *b, eg_mask_out *o, const eg_mask_rec *r,
                     eg_error *err)
{
    eg__sb_puts(b, "{\"input\":");
    put_str(b, r->input);
    eg__sb_puts(b, ",\"output\":");
    put_str(b, r->output);
    if (r->status != EG_OK) {
        eg__sb_printf(b,
                      ",\"status\":\"error\",\"error_code\":\"%s\","
                      "\"error\":",
                      eg_error_name(r->status));
        put_str(b, r->message);
        eg__sb_puts(b, "}");
        return flush_if(b, o, REPORT_FLUSH, err);
    }
    char hex[65];
    eg__hex(r->sha, 32, hex);
    uint64_t wf[EG_T_COUNT] = {0};
    for (size_t i = 0; i < r->spans.n; i++)
        if (r->spans.v[i].flags & EG_SPAN_WELL_FORMED)
            wf[r->spans.v[i].type]++;
    const eg_rewrite_counts *c = r->counts;
    eg__sb_printf(
        b,
        ",\"status\":\"ok\",\"format\":\"%s\",\"compression\":"
        "\"%s\",\n  \"input_bytes\":%llu,\"output_bytes\":%llu,"
        "\"output_sha256\":\"%s\",\n  \"findings\":%llu,"
        "\"spans_replaced\":%llu,\"fallbacks\":%llu,"
        "\"well_formed\":%llu,\"requoted_fields\":%llu,"
        "\"sanitized\":%llu,\"overlaps\":%llu",
        eg_format_name(r->format), r->compression,
        (unsigned long long)r->bytes_in, (unsigned long long)r->bytes_out, hex,
        (unsigned long long)r->findings, (unsigned long long)c->spans,
        (unsigned long long)c->fallbacks, (unsigned long long)c->well_formed,
        (unsigned long long)c->requoted, (unsigned long long)c->sanitized,
        (unsigned long long)c->overlaps);
    /* span offsets then count the UTF-8 text (what unmask decodes to) */
    if (r->charset)
        eg__sb_printf(b, ",\"charset\":\"%s\"", r->charset);
    /* CSV columns the drop operator removed whole, 1-based like a
     * finding's column number */
    eg__sb_puts(b, ",\n  \"dropped_columns\":[");
    for (size_t i = 0; i < r->ndropped_cols; i++)
        eg__sb_printf(b, "%s%u", i ? "," : "", r->dropped_cols[i] + 1);
    eg__sb_puts(b, "],\"dropped_keys\":[");
    for (size_t i = 0; i < r->ndropped_keys; i++) {
        eg__sb_puts(b, i ? "," : "");
        put_str(b, r->dropped_keys[i]);
    }
    eg__sb_printf(b, "],\"dropped_cells\":%llu",
                  (unsigned long long)c->dropped_cells);
    put_type_op_counts(b, r);
    put_type_counts(b, "fallbacks_by_type", c->fallback_by_type);
    put_type_counts(b, "well_formed_by_type", wf);
    eg__sb_puts(b, ",\n  \"spans\":[");
    for (size_t i = 0; i < r->spans.n; i++) {
        eg__sb_puts(b, i ? ",\n   " : "\n   ");
        put_span(b, &r->spans.v[i]);
        int rc = flush_if(b, o, REPORT_FLUSH, err);
        if (rc != EG_OK)
            return rc;
    }
    eg__sb_puts(b, "]}");
    return flush_if(b, o, REPORT_FLUSH, err);
}

static void put_header(eg_sbuf *b, const eg_masker *m)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    eg__sb_printf(b,
                  "{\"version\":1,\"kind\":\"egress-mask-report\","
                  "\"tool\":\"egress %s\",\"created\":\"%s\",\n"
                  "\"key_id\":\"%s\",\"key_ephemeral\":%s,\"as_of\":",
                  EG_VERSION_STRING, when, m->key.id,
                  m->key.ephemeral ? "true" : "false");
    put_date(b, m->as_of);
    eg__sb_puts(b, ",\n");
    put_policy(b, m);
    put_pipl(b, m);
}

int eg_masker_write_report(const eg_masker *m, const char *path, eg_error *err)
{
    eg__error_clear(err);
    if (!m || !path || !*path)
        return eg__fail(err, EG_EINVAL,
                        "eg_masker_write_report: NULL "
                        "argument");
    for (size_t i = 0; i < m->nrecs; i++)
        if (eg__same_file(path, m->recs[i].input) ||
            (m->recs[i].status == EG_OK &&
             eg__same_file(path, m->recs[i].output)))
            return eg__fail(err, EG_EPERM,
                            "%s: refusing to write the report over an input "
                            "or output of the run",
                            path);
    eg_mask_out *o = NULL;
    int rc = eg__mask_out_open(&o, path, "none", 0, NULL, err);
    if (rc != EG_OK)
        return rc;
    eg_sbuf b = {{0}, 0};
    put_header(&b, m);
    eg__sb_puts(&b, "\"inputs\":[");
    for (size_t i = 0; i < m->nrecs && rc == EG_OK; i++) {
        eg__sb_puts(&b, i ? ",\n" : "\n");
        rc = put_input(&b, o, &m->recs[i], err);
    }
    if (rc == EG_OK) {
        eg__sb_puts(&b, "]}\n");
        rc = flush_if(&b, o, 0, err);
    }
    eg__buf_free(&b.b);
    if (rc != EG_OK) {
        eg__mask_out_abort(o);
        return rc;
    }
    return eg__mask_out_commit(o, NULL, NULL, err);
}

/* ================================================================ reading */

typedef enum tok {
    T_EOF,
    T_LBRACE,
    T_RBRACE,
    T_LBRACK,
    T_RBRACK,
    T_COLON,
    T_COMMA,
    T_STR,
    T_NUM,
    T_TRUE,
    T_FALSE,
    T_NULL,
    T_BAD
} tok;

typedef struct jp {
    FILE *f;
    const char *path;
    unsigned long line;
    eg_buf text; /* the last string (decoded) or number */
    tok peeked;
    int has_peek;
    int oom;
    eg_error *err;
} jp;

static int jp_fail(jp *p, const char *what)
{
    if (p->oom)
        return eg__fail(p->err, EG_ENOMEM, "out of memory reading %s", p->path);
    return eg__fail(p->err, EG_EFORMAT,
                    "%s:%lu: not an egress mask report (%s)", p->path, p->line,
                    what);
}

static int jp_getc(jp *p)
{
    int c = getc_unlocked(p->f);
    if (c == '\n')
        p->line++;
    return c;
}

static int put_byte(jp *p, int c)
{
    char ch = (char)c;
    if (eg__buf_append(&p->text, &ch, 1) != EG_OK) {
        p->oom = 1;
        return -1;
    }
    return 0;
}

static tok lex_string(jp *p)
{
    for (;;) {
        int c = jp_getc(p);
        if (c == EOF || c < 0x20)
            return T_BAD;
        if (c == '"')
            break;
        if (c == '\\') {
            int e = jp_getc(p);
            int v = e == 'n'   ? '\n'
                    : e == 't' ? '\t'
                    : e == 'r' ? '\r'
                    : e == 'b' ? '\b'
                    : e == 'f' ? '\f'
                               : e;
            if (e == 'u') {
                unsigned cp = 0;
                for (int i = 0; i < 4; i++) {
                    int h = jp_getc(p);
                    cp <<= 4;
                    if (h >= '0' && h <= '9')
                        cp |= (unsigned)(h - '0');
                    else if (h >= 'a' && h <= 'f')
                        cp |= (unsigned)(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F')
                        cp |= (unsigned)(h - 'A' + 10);
                    else
                        return T_BAD;
                }
                /* reports escape control characters only */
                v = cp < 0x80 ? (int)cp : '?';
            } else if (e != '"' && e != '\\' && e != '/' && v == e) {
                return T_BAD;
            }
            c = v;
        }
        if (put_byte(p, c) != 0)
            return T_BAD;
    }
    return put_byte(p, 0) == 0 ? (p->text.len--, T_STR) : T_BAD;
}

static tok lex_word(jp *p, int c)
{
    while (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') ||
           (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        if (put_byte(p, c) != 0 || p->text.len > 64)
            return T_BAD;
        c = jp_getc(p);
    }
    if (c != EOF) {
        if (c == '\n')
            p->line--;
        ungetc(c, p->f);
    }
    if (put_byte(p, 0) != 0)
        return T_BAD;
    p->text.len--;
    const char *w = p->text.data;
    if (!strcmp(w, "true"))
        return T_TRUE;
    if (!strcmp(w, "false"))
        return T_FALSE;
    if (!strcmp(w, "null"))
        return T_NULL;
    return eg__json_is_number(w, p->text.len) ? T_NUM : T_BAD;
}

static tok next(jp *p)
{
    if (p->has_peek) {
        p->has_peek = 0;
        return p->peeked;
    }
    int c;
    do
        c = jp_getc(p);
    while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
    p->text.len = 0;
    switch (c) {
    case EOF:
        return T_EOF;
    case '{':
        return T_LBRACE;
    case '}':
        return T_RBRACE;
    case '[':
        return T_LBRACK;
    case ']':
        return T_RBRACK;
    case ':':
        return T_COLON;
    case ',':
        return T_COMMA;
    case '"':
        return lex_string(p);
    default:
        return lex_word(p, c);
    }
}

static tok peek(jp *p)
{
    if (!p->has_peek) {
        p->peeked = next(p);
        p->has_peek = 1;
    }
    return p->peeked;
}

static int expect(jp *p, tok t, const char *what)
{
    return next(p) == t ? EG_OK : jp_fail(p, what);
}

static int skip_value(jp *p, int depth)
{
    if (depth > 64)
        return jp_fail(p, "nested too deeply");
    tok t = next(p);
    if (t == T_STR || t == T_NUM || t == T_TRUE || t == T_FALSE || t == T_NULL)
        return EG_OK;
    if (t != T_LBRACE && t != T_LBRACK)
        return jp_fail(p, "expected a value");
    tok close = t == T_LBRACE ? T_RBRACE : T_RBRACK;
    if (peek(p) == close) {
        next(p);
        return EG_OK;
    }
    for (;;) {
        if (t == T_LBRACE && (expect(p, T_STR, "expected a key") != EG_OK ||
                              expect(p, T_COLON, "expected ':'") != EG_OK))
            return p->err->code;
        int rc = skip_value(p, depth + 1);
        if (rc != EG_OK)
            return rc;
        tok s = next(p);
        if (s == close)
            return EG_OK;
        if (s != T_COMMA)
            return jp_fail(p, "expected ',' or a closing bracket");
    }
}

/* Iterate over an object's members: call with *first = 1 after '{';
 * returns 1 with the key in p->text (copied to key), 0 at '}', <0 on
 * error. */
static int member(jp *p, int *first, char *key, size_t cap)
{
    tok t = next(p);
    if (*first && t == T_RBRACE)
        return 0;
    if (!*first) {
        if (t == T_RBRACE)
            return 0;
        if (t != T_COMMA)
            return jp_fail(p, "expected ',' or '}'");
        t = next(p);
    }
    *first = 0;
    if (t != T_STR)
        return jp_fail(p, "expected a key");
    snprintf(key, cap, "%s", p->text.data);
    return expect(p, T_COLON, "expected ':'") == EG_OK ? 1 : -1;
}

/* Iterate over an array's elements: 1 before each, 0 at ']'. */
static int element(jp *p, int *first)
{
    tok t = peek(p);
    if (t == T_RBRACK) {
        next(p);
        return 0;
    }
    if (!*first) {
        if (next(p) != T_COMMA)
            return jp_fail(p, "expected ',' or ']'");
    }
    *first = 0;
    return 1;
}

static int read_u64(jp *p, uint64_t *v)
{
    if (next(p) != T_NUM || p->text.data[0] == '-')
        return jp_fail(p, "expected a number");
    char *end;
    errno = 0;
    unsigned long long x = strtoull(p->text.data, &end, 10);
    if (errno || *end)
        return jp_fail(p, "expected an integer");
    *v = x;
    return EG_OK;
}

static int read_str(jp *p, char *out, size_t cap)
{
    if (next(p) != T_STR)
        return jp_fail(p, "expected a string");
    if (p->text.len >= cap)
        return jp_fail(p, "string too long");
    memcpy(out, p->text.data, p->text.len + 1);
    return EG_OK;
}

static int read_bool(jp *p, int *v)
{
    tok t = next(p);
    if (t != T_TRUE && t != T_FALSE)
        return jp_fail(p, "expected true or false");
    *v = t == T_TRUE;
    return EG_OK;
}

static int read_pair(jp *p, uint64_t *a, uint64_t *b)
{
    int rc;
    if ((rc = expect(p, T_LBRACK, "expected [start,end]")) != EG_OK ||
        (rc = read_u64(p, a)) != EG_OK ||
        (rc = expect(p, T_COMMA, "expected [start,end]")) != EG_OK ||
        (rc = read_u64(p, b)) != EG_OK ||
        (rc = expect(p, T_RBRACK, "expected [start,end]")) != EG_OK)
        return rc;
    return *b < *a ? jp_fail(p, "a span ends before it starts") : EG_OK;
}

static int read_rule(jp *p, eg_op_settings *s)
{
    int rc = expect(p, T_LBRACE, "expected a rule object"), first = 1, k;
    char key[32], val[32];
    eg_op_settings tmp;
    eg__op_settings_init(&tmp, EG_OP_REDACT);
    int have_op = 0;
    while (rc == EG_OK && (k = member(p, &first, key, sizeof key)) == 1) {
        if (!strcmp(key, "op")) {
            rc = read_str(p, val, sizeof val);
            int op = rc == EG_OK ? eg__op_from_name(val) : 0;
            if (op < 0)
                rc = jp_fail(p, "unknown operator");
            else if (rc == EG_OK) {
                /* settings read so far stay: op comes first anyway */
                tmp.op = (eg_op_kind)op;
                have_op = 1;
            }
        } else if (!strcmp(key, "keep_region")) {
            rc = read_bool(p, &tmp.keep_region);
        } else if (!strcmp(key, "keep_issuer")) {
            rc = read_bool(p, &tmp.keep_issuer);
        } else if (!strcmp(key, "as_of")) {
            int y = 0, mo = 0, d = 0;
            char extra;
            rc = read_str(p, val, sizeof val);
            if (rc == EG_OK &&
                (sscanf(val, "%4d-%2d-%2d%c", &y, &mo, &d, &extra) != 3 ||
                 !eg__date_real(y, mo, d)))
                rc = jp_fail(p, "as_of is not a date");
            tmp.as_of_ymd = y * 10000 + mo * 100 + d;
        } else {
            rc = skip_value(p, 1);
        }
    }
    if (rc == EG_OK && k < 0)
        rc = p->err->code;
    if (rc == EG_OK && !have_op)
        rc = jp_fail(p, "a rule without an operator");
    if (rc == EG_OK)
        *s = tmp;
    return rc;
}

static int read_policy(jp *p, eg_report_entry *e)
{
    int rc = expect(p, T_LBRACE, "expected the policy object"), first = 1, k;
    char key[64];
    while (rc == EG_OK && (k = member(p, &first, key, sizeof key)) == 1) {
        if (strcmp(key, "rules") != 0) {
            rc = skip_value(p, 1);
            continue;
        }
        int rfirst = 1, rk;
        char type[64];
        if ((rc = expect(p, T_LBRACE, "expected the rules")) != EG_OK)
            break;
        while (rc == EG_OK &&
               (rk = member(p, &rfirst, type, sizeof type)) == 1) {
            int t = eg_type_from_id(type);
            if (t < 0) {
                rc = skip_value(p, 1); /* a type of a newer catalog */
                continue;
            }
            rc = read_rule(p, &e->set[t]);
            e->have_set[t] = rc == EG_OK;
        }
        if (rc == EG_OK && rk < 0)
            rc = p->err->code;
    }
    if (rc == EG_OK && k < 0)
        rc = p->err->code;
    return rc;
}

static int read_span(jp *p, eg_mspan *s)
{
    int rc = expect(p, T_LBRACE, "expected a span"), first = 1, k;
    char key[32], val[64];
    int have = 0;
    memset(s, 0, sizeof *s);
    while (rc == EG_OK && (k = member(p, &first, key, sizeof key)) == 1) {
        if (!strcmp(key, "out")) {
            rc = read_pair(p, &s->out_start, &s->out_end);
            have |= 1;
        } else if (!strcmp(key, "in")) {
            rc = read_pair(p, &s->in_start, &s->in_end);
        } else if (!strcmp(key, "type")) {
            rc = read_str(p, val, sizeof val);
            int t = rc == EG_OK ? eg_type_from_id(val) : 0;
            if (t < 0)
                rc = jp_fail(p, "unknown type");
            s->type = (uint8_t)t;
            have |= 2;
        } else if (!strcmp(key, "op")) {
            rc = read_str(p, val, sizeof val);
            int op = rc == EG_OK ? eg__op_from_name(val) : 0;
            if (op < 0)
                rc = jp_fail(p, "unknown operator");
            s->op = (uint8_t)op;
            have |= 4;
        } else if (!strcmp(key, "enc")) {
            rc = read_str(p, val, sizeof val);
            int enc = rc == EG_OK ? eg__span_enc_from_name(val) : 0;
            if (enc < 0)
                rc = jp_fail(p, "unknown span encoding");
            s->enc = (uint8_t)enc;
        } else if (!strcmp(key, "fallback_from")) {
            s->flags |= EG_SPAN_FALLBACK;
            rc = skip_value(p, 1);
        } else {
            rc = skip_value(p, 1);
        }
    }
    if (rc == EG_OK && k < 0)
        rc = p->err->code;
    if (rc == EG_OK && have != 7)
        rc = jp_fail(p, "a span without out, type or op");
    return rc;
}

typedef struct input_seen {
    char sha[65];
    char status[16];
    char compression[8];
    char charset[16];
    uint64_t bytes;
    int have_bytes;
    eg_mspans spans;
} input_seen;

static int read_spans(jp *p, eg_mspans *spans)
{
    int rc = expect(p, T_LBRACK, "expected the spans"), first = 1, k;
    uint64_t last_end = 0;
    while (rc == EG_OK && (k = element(p, &first)) == 1) {
        eg_mspan s;
        if ((rc = read_span(p, &s)) != EG_OK)
            break;
        if (s.out_start < last_end)
            return jp_fail(p, "spans out of order or overlapping");
        last_end = s.out_end;
        if (eg__mspans_push(spans, &s) != EG_OK) {
            p->oom = 1;
            return jp_fail(p, "");
        }
    }
    if (rc == EG_OK && k < 0)
        rc = p->err->code;
    return rc;
}

static int read_input(jp *p, input_seen *in)
{
    int rc = expect(p, T_LBRACE, "expected an input object"), first = 1, k;
    char key[64];
    while (rc == EG_OK && (k = member(p, &first, key, sizeof key)) == 1) {
        if (!strcmp(key, "output_sha256"))
            rc = read_str(p, in->sha, sizeof in->sha);
        else if (!strcmp(key, "status"))
            rc = read_str(p, in->status, sizeof in->status);
        else if (!strcmp(key, "compression"))
            rc = read_str(p, in->compression, sizeof in->compression);
        else if (!strcmp(key, "charset"))
            rc = read_str(p, in->charset, sizeof in->charset);
        else if (!strcmp(key, "output_bytes")) {
            rc = read_u64(p, &in->bytes);
            in->have_bytes = 1;
        } else if (!strcmp(key, "spans"))
            rc = read_spans(p, &in->spans);
        else
            rc = skip_value(p, 1);
    }
    if (rc == EG_OK && k < 0)
        rc = p->err->code;
    return rc;
}

static int read_inputs(jp *p, const char *want_sha, uint64_t bytes,
                       eg_report_entry *e)
{
    int rc = expect(p, T_LBRACK, "expected the inputs"), first = 1, k;
    while (rc == EG_OK && (k = element(p, &first)) == 1) {
        input_seen in;
        memset(&in, 0, sizeof in);
        rc = read_input(p, &in);
        if (rc == EG_OK && !e->found && !strcmp(in.status, "ok") &&
            !strcmp(in.sha, want_sha) && in.have_bytes && in.bytes == bytes) {
            e->found = 1;
            snprintf(e->compression, sizeof e->compression, "%s",
                     in.compression[0] ? in.compression : "none");
            snprintf(e->charset, sizeof e->charset, "%s",
                     in.charset[0] ? in.charset : "utf-8");
            e->spans = in.spans;
        } else {
            eg__mspans_free(&in.spans);
        }
    }
    if (rc == EG_OK && k < 0)
        rc = p->err->code;
    return rc;
}

static int read_top(jp *p, const char *want_sha, uint64_t bytes,
                    eg_report_entry *e)
{
    int rc = expect(p, T_LBRACE, "expected a JSON object"), first = 1, k;
    char key[64], val[64];
    int kind_ok = 0;
    while (rc == EG_OK && (k = member(p, &first, key, sizeof key)) == 1) {
        if (!strcmp(key, "version")) {
            uint64_t v = 0;
            rc = read_u64(p, &v);
            if (rc == EG_OK && v != 1)
                rc = jp_fail(p, "unsupported report version");
        } else if (!strcmp(key, "kind")) {
            rc = read_str(p, val, sizeof val);
            kind_ok = rc == EG_OK && !strcmp(val, "egress-mask-report");
        } else if (!strcmp(key, "key_id")) {
            rc = read_str(p, e->key_id, sizeof e->key_id);
        } else if (!strcmp(key, "policy")) {
            rc = read_policy(p, e);
        } else if (!strcmp(key, "inputs")) {
            rc = read_inputs(p, want_sha, bytes, e);
        } else {
            rc = skip_value(p, 1);
        }
    }
    if (rc == EG_OK && k < 0)
        rc = p->err->code;
    if (rc == EG_OK && !kind_ok)
        rc = jp_fail(p, "no \"kind\":\"egress-mask-report\"");
    if (rc == EG_OK && next(p) != T_EOF)
        rc = jp_fail(p, "text after the report");
    return rc;
}

int eg__report_read(const char *path, const unsigned char sha[32],
                    uint64_t bytes, eg_report_entry *entry, eg_error *err)
{
    memset(entry, 0, sizeof *entry);
    FILE *f = fopen(path, "rb");
    if (!f)
        return eg__fail(err,
                        errno == ENOENT   ? EG_ENOTFOUND
                        : errno == EACCES ? EG_EPERM
                                          : EG_EIO,
                        "report %s: %s", path, strerror(errno));
    char want[65];
    eg__hex(sha, 32, want);
    jp p = {f, path, 1, {0}, T_EOF, 0, 0, err};
    int rc = read_top(&p, want, bytes, entry);
    if (rc == EG_OK && ferror(f))
        rc = eg__fail(err, EG_EIO, "report %s: read error", path);
    fclose(f);
    eg__buf_free(&p.text);
    if (rc != EG_OK)
        eg__report_entry_free(entry);
    return rc;
}

void eg__report_entry_free(eg_report_entry *e)
{
    eg__mspans_free(&e->spans);
}
