/*
 * assess_report.c: an assessment as JSON (for programs; keys are fixed and
 * documented in docs/internals/RULES.md) or as readable text in English or
 * Chinese.  Legal texts (rule titles, obligations, pathway names) come from
 * the rules file in both languages; only the labels around them live here.
 * The whole report is built in one buffer and written with one call, so a
 * failing writer never leaves half a JSON object behind.
 */
#include "assess/assess_int.h"

#include <stdio.h>
#include <string.h>

typedef struct labels {
    const char *scenario_outbound, *scenario_listing, *title, *regime, *as_of,
        *pathway, *undetermined, *individuals, *exact, *estimate, *sensitive,
        *minors, *records, *unlinked, *deciding, *possible, *because, *values,
        *obligations, *notes, *rules, *applies, *may_apply, *duty, *blocker,
        *note, *inputs, *yes, *no, *none, *processed, *always;
    const char *n_not_yet, *n_superseded, *n_not_in_force, *n_undecided,
        *n_estimate;
} labels;

static const labels EN = {
    "outbound data transfer",
    "overseas listing",
    "egress assessment",
    "Regime",
    "As of",
    "Pathway",
    "undetermined: the estimate cannot decide between",
    "Individuals",
    "exact",
    "estimate",
    "with sensitive PI",
    "under 14",
    "Records with PI",
    "not linkable to a person",
    "Deciding rule",
    "Possible rules",
    "because",
    "values",
    "Obligations",
    "Notes",
    "Rules",
    "applies",
    "may apply (estimate)",
    "duty",
    "BLOCKER",
    "note",
    "Facts",
    "yes",
    "no",
    "none",
    "people whose PI the processor holds",
    "always (no condition)",
    "Regime %s is not yet in force on %s (from %s): assessed as written.",
    "Regime %s was superseded after %s: assessed as written, for a past or "
    "what-if question.",
    "Rule %s is not in force until %s and was skipped.",
    "The counts are estimates and a threshold lies within their error "
    "bound: the pathway cannot be decided from the estimate. Count exactly "
    "(raise the exact budget) to decide.",
    "Counts are estimates from sketches: a person seen under different "
    "identifiers in different records may be counted more than once; the "
    "error bound covers sampling only.",
};

static const labels ZH = {
    "数据出境",
    "境外上市",
    "egress 评估",
    "适用制度",
    "评估日期",
    "路径",
    "无法确定：估计值无法在以下路径之间作出判断",
    "个人数量",
    "精确",
    "估计",
    "其中含敏感个人信息",
    "不满十四周岁",
    "含个人信息的记录",
    "无法关联到个人",
    "决定规则",
    "可能适用的规则",
    "条件",
    "取值",
    "义务",
    "说明",
    "规则来源",
    "适用",
    "可能适用（估计值）",
    "义务",
    "禁止",
    "说明",
    "事实",
    "是",
    "否",
    "无",
    "处理者掌握其个人信息的人数",
    "无条件适用",
    "制度%s在%s尚未施行（%s起施行），按其条文评估。",
    "制度%s已于%s后被取代，按其条文评估（适用于过去或假设情形）。",
    "规则%s自%s起施行，本次未适用。",
    "个人数量为估计值，且有门槛值落在其误差范围内，无法据此确定路径。"
    "请精确计数（提高精确计数的内存预算）后再评估。",
    "个人数量为基于抽样草图的估计值：在不同记录中以不同标识符出现的同一人"
    "可能被重复计数；误差范围仅反映抽样误差。",
};

/* ------------------------------------------------------------- helpers */

typedef struct out {
    eg_buf b;
    int rc;
} out;

static void puts_(out *o, const char *s)
{
    if (o->rc == EG_OK)
        o->rc = eg__buf_puts(&o->b, s);
}

static void printf_(out *o, const char *fmt, ...) EG_PRINTF(2, 3);
static void printf_(out *o, const char *fmt, ...)
{
    if (o->rc)
        return;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        o->rc = EG_EINVAL;
        return;
    }
    o->rc = eg__buf_reserve(&o->b, (size_t)n);
    if (o->rc == EG_OK) {
        vsnprintf(o->b.data + o->b.len, (size_t)n + 1, fmt, ap2);
        o->b.len += (size_t)n;
    }
    va_end(ap2);
}

static void json_str(out *o, const char *s)
{
    puts_(o, "\"");
    if (o->rc == EG_OK && s)
        o->rc = eg__buf_json_escape(&o->b, s, strlen(s));
    puts_(o, "\"");
}

static void date_str(char buf[11], int ymd)
{
    unsigned u = ymd > 0 ? (unsigned)ymd : 0;
    snprintf(buf, 11, "%04u-%02u-%02u", u / 10000 % 10000, u / 100 % 100,
             u % 100);
}

/* 1234567 -> "1,234,567" */
static void grouped(char buf[32], uint64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = digits[i];
    }
    buf[j] = '\0';
}

static void num_text(out *o, uint64_t v, uint64_t err)
{
    char a[32], b[32];
    grouped(a, v);
    if (err) {
        grouped(b, err);
        printf_(o, "%s ± %s", a, b);
    } else {
        puts_(o, a);
    }
}

static const char *tr(const text *t, bool zh)
{
    return zh ? t->zh : t->en;
}

/* A legal text with {variable} placeholders filled in. */
static void fill_text(out *o, const eg_assessment *a, const char *s)
{
    while (o->rc == EG_OK && *s) {
        const char *p = strchr(s, '{');
        if (!p) {
            puts_(o, s);
            return;
        }
        if (o->rc == EG_OK)
            o->rc = eg__buf_append(&o->b, s, (size_t)(p - s));
        const char *e = strchr(p, '}');
        if (!e) {
            puts_(o, p);
            return;
        }
        for (int i = 0; i < V_COUNT; i++) {
            const var_def *d = &eg__assess_vars[i];
            if (strlen(d->name) == (size_t)(e - p - 1) &&
                strncmp(d->name, p + 1, (size_t)(e - p - 1)) == 0) {
                const value *v = &a->vals[i];
                if (d->kind == VK_NUM)
                    num_text(o, v->num, v->err);
                else if (d->kind == VK_BOOL)
                    puts_(o, v->boolean ? "true" : "false");
                else
                    puts_(o, v->known && v->str ? v->str : "?");
            }
        }
        s = e + 1;
    }
}

static const char *pathway_name(const eg_assessment *a, const char *id, bool zh)
{
    for (size_t i = 0; i < a->rules->npathways; i++)
        if (strcmp(a->rules->pathways[i].id, id) == 0)
            return tr(&a->rules->pathways[i].name, zh);
    return id;
}

static void note_text(out *o, const labels *L, const note *n, int as_of)
{
    char d[11], f[11];
    date_str(d, n->date);
    switch (n->code) {
    case N_REGIME_NOT_YET:
        date_str(f, as_of);
        printf_(o, L->n_not_yet, n->ref, f, d);
        break;
    case N_REGIME_SUPERSEDED:
        printf_(o, L->n_superseded, n->ref, d);
        break;
    case N_RULE_NOT_IN_FORCE:
        printf_(o, L->n_not_in_force, n->ref, d);
        break;
    case N_ESTIMATE_UNDECIDED:
        puts_(o, L->n_undecided);
        break;
    case N_ESTIMATE:
        puts_(o, L->n_estimate);
        break;
    }
}

static const char *kind_label(const labels *L, const char *kind)
{
    if (strcmp(kind, "blocker") == 0)
        return L->blocker;
    if (strcmp(kind, "note") == 0)
        return L->note;
    return L->duty;
}

/* ---------------------------------------------------------------- JSON */

static void json_value(out *o, const eg_assessment *a, int var)
{
    const var_def *d = &eg__assess_vars[var];
    const value *v = &a->vals[var];
    if (d->kind == VK_NUM) {
        if (v->err)
            printf_(o, "{\"value\":%llu,\"error\":%llu}",
                    (unsigned long long)v->num, (unsigned long long)v->err);
        else
            printf_(o, "%llu", (unsigned long long)v->num);
    } else if (d->kind == VK_BOOL) {
        puts_(o, v->boolean ? "true" : "false");
    } else if (v->known && v->str) {
        json_str(o, v->str);
    } else {
        puts_(o, "null");
    }
}

static void json_rules(out *o, const eg_assessment *a, bool zh)
{
    puts_(o, "\"rules\":[");
    for (size_t i = 0; i < a->nfired; i++) {
        const rule *r = a->fired[i].r;
        char d[11];
        date_str(d, r->from);
        puts_(o, i ? ",{\"id\":" : "{\"id\":");
        json_str(o, r->id);
        puts_(o, ",\"status\":");
        json_str(o, a->fired[i].status == T_TRUE ? "fired" : "undecided");
        puts_(o, ",\"citation\":");
        json_str(o, r->citation);
        puts_(o, ",\"title\":");
        json_str(o, tr(&r->title, zh));
        puts_(o, ",\"pathway\":");
        json_str(o, r->pathway);
        printf_(o, ",\"effective_from\":\"%s\",\"condition\":", d);
        eg_buf c = {0};
        int rc = eg__cond_print(&c, &r->when, 1);
        if (rc && o->rc == EG_OK)
            o->rc = rc;
        json_str(o, c.data ? c.data : "always");
        eg__buf_free(&c);
        puts_(o, ",\"values\":{");
        int used[V_COUNT] = {0};
        eg__cond_vars(&r->when, used);
        bool first = true;
        for (int v = 0; v < V_COUNT; v++) {
            if (!used[v])
                continue;
            printf_(o, "%s\"%s\":", first ? "" : ",", eg__assess_vars[v].name);
            json_value(o, a, v);
            first = false;
        }
        puts_(o, "}}");
    }
    puts_(o, "]");
}

static void json_counts_detail(out *o, const eg_counts *c)
{
    printf_(o,
            ",\"records_with_pi\":%llu,\"unlinked_records\":%llu,"
            "\"records_with_sensitive_pi\":%llu,"
            "\"unlinked_sensitive_records\":%llu,\"inputs_with_pi\":%llu,"
            "\"distinct_keys\":%llu,\"multi_id_groups\":%llu,\"findings\":%llu",
            (unsigned long long)c->records_with_pi,
            (unsigned long long)c->unlinked_records,
            (unsigned long long)c->records_with_sensitive_pi,
            (unsigned long long)c->unlinked_sensitive_records,
            (unsigned long long)c->inputs_with_pi,
            (unsigned long long)c->distinct_keys,
            (unsigned long long)c->multi_id_groups,
            (unsigned long long)c->findings);
    const char *names[] = {"findings_by_type", "keys_by_type"};
    for (int k = 0; k < 2; k++) {
        printf_(o, ",\"%s\":{", names[k]);
        bool first = true;
        for (int t = 0; t < c->type_count && t < EG_COUNTS_MAX_TYPES; t++) {
            uint64_t v = k ? c->keys_by_type[t] : c->findings_by_type[t];
            if (!v || (k && eg_type_key_strength(t) == 0))
                continue;
            printf_(o, "%s\"%s\":%llu", first ? "" : ",", eg_type_id(t),
                    (unsigned long long)v);
            first = false;
        }
        puts_(o, "}");
    }
    puts_(o, ",\"findings_by_category\":{");
    for (int k = 0; k < EG_CAT_COUNT; k++)
        printf_(o, "%s\"%s\":%llu", k ? "," : "",
                eg_category_id((eg_category)k),
                (unsigned long long)c->findings_by_category[k]);
    puts_(o, "}");
}

static void write_json(out *o, const eg_assessment *a, bool zh, const labels *L)
{
    const eg_counts *c = &a->counts;
    char d[11];
    date_str(d, a->as_of);
    puts_(o, "{\"scenario\":");
    json_str(o, a->scenario);
    puts_(o, ",\"regime\":");
    json_str(o, a->reg->id);
    puts_(o, ",\"regime_title\":");
    json_str(o, tr(&a->reg->title, zh));
    printf_(o, ",\"as_of\":\"%s\",\"pathway\":", d);
    json_str(o, a->pathway);
    puts_(o, ",\"pathway_name\":");
    json_str(o, a->pathway_def ? tr(&a->pathway_def->name, zh) : NULL);
    printf_(o, ",\"decided\":%s", a->pathway_def ? "true" : "false");
    printf_(o,
            ",\"individuals\":%llu,\"sensitive_individuals\":%llu,"
            "\"minors_under_14\":%llu,\"counts_exact\":%s,"
            "\"error_bound\":{\"individuals\":%llu,"
            "\"sensitive_individuals\":%llu,\"minors_under_14\":%llu},"
            "\"counts_source\":\"%s\"",
            (unsigned long long)c->individuals,
            (unsigned long long)c->sensitive_individuals,
            (unsigned long long)c->minors_under_14, c->exact ? "true" : "false",
            (unsigned long long)c->individuals_error,
            (unsigned long long)c->sensitive_individuals_error,
            (unsigned long long)c->minors_error,
            a->counts_given ? "given" : "state");
    if (!a->counts_given)
        json_counts_detail(o, c);
    printf_(o, ",\"confidential_markings\":%llu",
            (unsigned long long)a->vals[V_MARKINGS].num);
    puts_(o, ",\"inputs\":{\"ciio\":");
    json_value(o, a, V_CIIO);
    puts_(o, ",\"important_data\":");
    json_value(o, a, V_IMPORTANT);
    puts_(o, ",\"exemption\":");
    json_value(o, a, V_EXEMPTION);
    puts_(o, ",\"venue\":");
    json_value(o, a, V_VENUE);
    puts_(o, ",\"platform\":");
    json_value(o, a, V_PLATFORM);
    puts_(o, ",\"processed_individuals\":");
    json_value(o, a, V_PROCESSED);
    puts_(o, "},");
    json_rules(o, a, zh);
    puts_(o, ",\"obligations\":[");
    for (size_t i = 0; i < a->nlisted; i++) {
        const obligation *ob = a->listed[i].o;
        puts_(o, i ? ",{\"id\":" : "{\"id\":");
        json_str(o, ob->id);
        puts_(o, ",\"kind\":");
        json_str(o, ob->kind);
        puts_(o, ",\"status\":");
        json_str(o, a->listed[i].status == T_TRUE ? "applies" : "may_apply");
        puts_(o, ",\"citation\":");
        json_str(o, ob->citation);
        puts_(o, ",\"text\":");
        out t = {{0}, EG_OK};
        fill_text(&t, a, tr(&ob->text, zh));
        if (t.rc && o->rc == EG_OK)
            o->rc = t.rc;
        json_str(o, t.b.data ? t.b.data : "");
        eg__buf_free(&t.b);
        puts_(o, "}");
    }
    puts_(o, "],\"notes\":[");
    for (size_t i = 0; i < a->nnotes; i++) {
        out t = {{0}, EG_OK};
        note_text(&t, L, &a->notes[i], a->as_of);
        if (t.rc && o->rc == EG_OK)
            o->rc = t.rc;
        if (i)
            puts_(o, ",");
        json_str(o, t.b.data ? t.b.data : "");
        eg__buf_free(&t.b);
    }
    puts_(o, "],\"rules_source\":");
    json_str(o, a->rules->source);
    puts_(o, ",\"rules_name\":");
    json_str(o, a->rules->name);
    puts_(o, "}\n");
}

/* ---------------------------------------------------------------- text */

static void text_rule(out *o, const eg_assessment *a, const fired *f, bool zh,
                      const labels *L)
{
    const rule *r = f->r;
    printf_(o, "  %s: %s [%s]", r->id, tr(&r->title, zh), r->citation);
    if (f->status == T_UNKNOWN)
        printf_(o, " (%s)", L->may_apply);
    puts_(o, "\n");
    eg_buf c = {0};
    if (eg__cond_print(&c, &r->when, 1) != EG_OK && o->rc == EG_OK)
        o->rc = EG_ENOMEM;
    printf_(o, "    %s: ", L->because);
    puts_(o, r->when.nkids == 0 ? L->always : c.data ? c.data : "");
    eg__buf_free(&c);
    puts_(o, "\n");
    int used[V_COUNT] = {0};
    eg__cond_vars(&r->when, used);
    bool first = true;
    for (int v = 0; v < V_COUNT; v++) {
        if (!used[v])
            continue;
        if (first)
            printf_(o, "    %s: ", L->values);
        printf_(o, "%s%s = ", first ? "" : ", ", eg__assess_vars[v].name);
        const value *x = &a->vals[v];
        if (eg__assess_vars[v].kind == VK_NUM)
            num_text(o, x->num, x->err);
        else if (eg__assess_vars[v].kind == VK_BOOL)
            puts_(o, x->boolean ? "true" : "false");
        else
            puts_(o, x->known && x->str ? x->str : "?");
        first = false;
    }
    if (!first)
        puts_(o, "\n");
}

static void write_text(out *o, const eg_assessment *a, bool zh, const labels *L)
{
    const eg_counts *c = &a->counts;
    char d[11];
    date_str(d, a->as_of);
    bool listing = strcmp(a->scenario, "listing") == 0;
    printf_(o, "%s: %s\n", L->title,
            listing ? L->scenario_listing : L->scenario_outbound);
    printf_(o, "%s: %s, %s\n", L->regime, a->reg->id, tr(&a->reg->title, zh));
    printf_(o, "%s: %s (%s)\n", L->as_of, d, tr(&a->reg->window, zh));
    if (a->pathway_def) {
        printf_(o, "%s: %s\n", L->pathway, tr(&a->pathway_def->name, zh));
    } else {
        printf_(o, "%s: %s", L->pathway, L->undetermined);
        for (size_t i = 0; i < a->nfired; i++)
            printf_(o, "%s%s", i ? "; " : " ",
                    pathway_name(a, a->fired[i].r->pathway, zh));
        puts_(o, "\n");
    }
    printf_(o, "%s: ", L->individuals);
    num_text(o, c->individuals, c->individuals_error);
    printf_(o, " (%s); %s: ", c->exact ? L->exact : L->estimate, L->sensitive);
    num_text(o, c->sensitive_individuals, c->sensitive_individuals_error);
    printf_(o, "; %s: ", L->minors);
    num_text(o, c->minors_under_14, c->minors_error);
    puts_(o, "\n");
    if (!a->counts_given) {
        char r1[32], r2[32];
        grouped(r1, c->records_with_pi);
        grouped(r2, c->unlinked_records);
        printf_(o, "%s: %s (%s: %s)\n", L->records, r1, L->unlinked, r2);
    }
    printf_(o, "%s: ciio=%s, important_data=%s, exemption=%s", L->inputs,
            a->vals[V_CIIO].boolean ? L->yes : L->no,
            a->vals[V_IMPORTANT].boolean ? L->yes : L->no,
            a->vals[V_EXEMPTION].str);
    if (listing)
        printf_(o, ", venue=%s, platform=%s", a->vals[V_VENUE].str,
                a->vals[V_PLATFORM].boolean ? L->yes : L->no);
    if (a->processed >= 0) {
        char p[32];
        grouped(p, (uint64_t)a->processed);
        printf_(o, ", %s=%s", L->processed, p);
    }
    puts_(o, "\n");
    printf_(o, "%s:\n",
            a->pathway_def && a->nfired == 1 ? L->deciding : L->possible);
    for (size_t i = 0; i < a->nfired; i++)
        text_rule(o, a, &a->fired[i], zh, L);
    if (a->nlisted)
        printf_(o, "%s:\n", L->obligations);
    for (size_t i = 0; i < a->nlisted; i++) {
        const obligation *ob = a->listed[i].o;
        printf_(o, "  [%s] ", kind_label(L, ob->kind));
        fill_text(o, a, tr(&ob->text, zh));
        printf_(o, " [%s]", ob->citation);
        if (a->listed[i].status == T_UNKNOWN)
            printf_(o, " (%s)", L->may_apply);
        puts_(o, "\n");
    }
    if (a->nnotes)
        printf_(o, "%s:\n", L->notes);
    for (size_t i = 0; i < a->nnotes; i++) {
        puts_(o, "  - ");
        note_text(o, L, &a->notes[i], a->as_of);
        puts_(o, "\n");
    }
    printf_(o, "%s: %s (%s", L->rules, a->rules->source, a->rules->name);
    if (a->rules->researched)
        printf_(o, "; %s", a->rules->researched);
    puts_(o, ")\n");
}

int eg_assessment_write(const eg_assessment *a, eg_report_format fmt,
                        const char *lang, eg_write_fn write, void *payload,
                        eg_error *err)
{
    if (!a || !write)
        return eg__fail(err, EG_EINVAL, "eg_assessment_write: NULL argument");
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "zh") != 0)
        return eg__fail(err, EG_EINVAL, "unknown language '%.20s' (en, zh)",
                        lang);
    if (fmt != EG_REPORT_JSON && fmt != EG_REPORT_TEXT)
        return eg__fail(err, EG_EINVAL, "unknown report format");
    bool zh = lang && strcmp(lang, "zh") == 0;
    const labels *L = zh ? &ZH : &EN;
    out o = {{0}, EG_OK};
    if (fmt == EG_REPORT_JSON)
        write_json(&o, a, zh, L);
    else
        write_text(&o, a, zh, L);
    int rc = o.rc;
    if (rc == EG_OK && write(o.b.data, o.b.len, payload) != 0)
        rc = eg__fail(err, EG_EIO, "writing the assessment failed");
    else if (rc)
        eg__fail(err, rc, "formatting the assessment failed");
    eg__buf_free(&o.b);
    return rc;
}
