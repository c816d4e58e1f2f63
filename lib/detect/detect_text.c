/*
 * detect_text.c: values found from words rather than digits.
 *
 * The matcher (Vectorscan) reports label words, province characters of
 * plates, classification stars, secret marks, key headers and token
 * prefixes; each hit lands here.  Chinese names need context: a name label
 * before them (姓名：, 联系人, 乘客), an honorific after them (先生, 女士),
 * or a cell in a column whose header or key names them.  Names are a
 * surname from data/surnames.txt followed by one or two characters; a lone
 * surname (王先生) is not a name.  E-mail addresses are found from their
 * '@' anchor.
 */
#include "detect/check.h"
#include "detect/detect.h"

#include <string.h>
#include <strings.h>

#define U_XIAN_SHENG "\xE5\x85\x88\xE7\x94\x9F" /* 先生 */
#define U_NV_SHI "\xE5\xA5\xB3\xE5\xA3\xAB"     /* 女士 */
#define U_XIAO_JIE "\xE5\xB0\x8F\xE5\xA7\x90"   /* 小姐 */

/* Characters that often stand right before a name and are surnames too:
 * prefer the shorter name when one of them leads the longer reading. */
static int is_function_char(const unsigned char *s)
{
    static const char *const chars[] = {
        "向", "和", "与", "给", "对", "被", "让", "由", "从", "同", "跟",
        "于", "及", "把", "将", "在", "是", "的", "请", "叫", "为", "称",
        "位", "名", "者", "民", "人", "员", "友", "长", "师", "生", "户"};
    for (size_t i = 0; i < EG_ARRAY_LEN(chars); i++)
        if (!memcmp(s, chars[i], 3))
            return 1;
    return 0;
}

static int is_honorific(const unsigned char *s, size_t avail)
{
    return avail >= 6 && (!memcmp(s, U_XIAN_SHENG, 6) ||
                          !memcmp(s, U_NV_SHI, 6) || !memcmp(s, U_XIAO_JIE, 6));
}

/* Characters that never appear in a given name. */
static int is_stop_char(const unsigned char *s)
{
    static const char *const chars[] = {"的", "了", "是", "在", "和", "与",
                                        "说", "等", "先", "女", "您", "我",
                                        "你", "他", "她", "已", "将", "于"};
    for (size_t i = 0; i < EG_ARRAY_LEN(chars); i++)
        if (!memcmp(s, chars[i], 3))
            return 1;
    return 0;
}

static size_t han_run(const eg_chunk *ch, size_t p, size_t max_chars)
{
    size_t n = 0;
    while (n < max_chars &&
           eg__is_han(ch->buf + p + 3 * n, ch->len - p - 3 * n))
        n++;
    return n;
}

static int add_name(eg_chunk *ch, size_t s, size_t e, float conf, uint32_t need)
{
    eg_cand *c;
    eg__cand_add(ch, EG_T_person_name, s, e, (const char *)ch->buf + s, e - s,
                 need ? 0.3f : conf, need, conf, &c);
    return c != NULL;
}

/* A name starting at p (after a label).  Returns its byte length or 0. */
static size_t name_after_label(const eg_chunk *ch, size_t p, float *conf)
{
    const unsigned char *b = ch->buf;
    size_t run = han_run(ch, p, 6);
    if (run < 2)
        return 0;
    size_t sl = (size_t)eg__surname_len(b + p, ch->len - p);
    if (!sl)
        return 0;
    size_t sur = sl / 3, len = run;
    for (size_t k = sur; k < run; k++)
        if (is_honorific(b + p + 3 * k, ch->len - p - 3 * k) ||
            is_stop_char(b + p + 3 * k)) {
            len = k;
            break;
        }
    *conf = 0.85f;
    if (len > sur + 2) {
        len = sur + 2; /* glued to following text: best guess */
        *conf = 0.6f;
    }
    if (len < sur + 1 || len < 2)
        return 0;
    return len * 3;
}

static int name_from_label(eg_chunk *ch, size_t at)
{
    size_t p = at;
    while (p < ch->len) {
        unsigned char c = ch->buf[p];
        if (c == ':' || c == '=' || c == ' ' || c == '\t' || c == '"')
            p++;
        else if (p + 3 <= ch->len && (!memcmp(ch->buf + p, "：", 3) ||
                                      !memcmp(ch->buf + p, "　", 3)))
            p += 3;
        else
            break;
        if (p - at > 12)
            return EG_OK;
    }
    float conf;
    size_t len = name_after_label(ch, p, &conf);
    if (!len)
        return EG_OK;
    add_name(ch, p, p + len, conf, 0);
    /* a list after one label: 参会人员：张三、李四、王五 */
    for (int more = 0; more < 64 && conf > 0.7f; more++) {
        size_t q = p + len, sep = 0;
        /* only the enumeration comma: after "，" or a space comes the
         * next label as often as the next name (司机：万颖 车辆：…) */
        if (q + 3 <= ch->len && !memcmp(ch->buf + q, "、", 3))
            sep = 3;
        if (!sep)
            break;
        p = q + sep;
        len = name_after_label(ch, p, &conf);
        if (!len || conf <= 0.7f)
            break;
        add_name(ch, p, p + len, conf, 0);
    }
    return EG_OK;
}

/* An address after an address label, also without a house number
 * (地址：北京市朝阳区建国路): the run of Han characters and digits up to the
 * next punctuation, kept when it starts with a division name. */
static int address_from_label(eg_chunk *ch, size_t at)
{
    const unsigned char *b = ch->buf;
    size_t p = at;
    while (p < ch->len && (b[p] == ':' || b[p] == ' ' || b[p] == '='))
        p++;
    if (p + 3 <= ch->len && !memcmp(b + p, "：", 3))
        p += 3;
    size_t first = eg__regions_match(ch->regions, b + p, ch->len - p);
    if (!first)
        return EG_OK;
    size_t e = p, chars = 0;
    while (e < ch->len && chars < 60) {
        if (eg__is_han(b + e, ch->len - e) && memcmp(b + e, "的", 3) &&
            memcmp(b + e, "在", 3))
            e += 3;
        else if (eg__is_digit(b[e]) || b[e] == '-')
            e++;
        else
            break;
        chars++;
    }
    while (e > p && b[e - 1] == '-')
        e--;
    /* with a house number the digit anchor finds it, with its extent */
    for (size_t d = p; d + 3 < e; d++)
        if (eg__is_digit(b[d]) && !eg__is_digit(b[d + 1]) &&
            (!memcmp(b + d + 1, "号", 3) || !memcmp(b + d + 1, "弄", 3) ||
             !memcmp(b + d + 1, "组", 3) || !memcmp(b + d + 1, "號", 3)))
            return EG_OK;
    /* divisions alone are a place, not an address: want a street after */
    size_t q = p + first, l;
    while (q < e && (l = eg__regions_match(ch->regions, b + q, e - q)) > 0)
        q += l;
    if (e < q + 6)
        return EG_OK;
    return eg__cand_add(ch, EG_T_cn_address, p, e, (const char *)b + p, e - p,
                        0.75f, 0, 0.75f, NULL);
}

/* A name right before an honorific that starts at h. */
static int name_before_honorific(eg_chunk *ch, size_t h)
{
    const unsigned char *b = ch->buf;
    size_t valid[5] = {0};
    for (size_t k = 2; k <= 4; k++) {
        if (h < 3 * k)
            continue;
        size_t s = h - 3 * k;
        if (han_run(ch, s, k) != k)
            continue;
        size_t sl = (size_t)eg__surname_len(b + s, h - s);
        if (!sl || sl / 3 >= k || (k == 4 && sl != 6))
            continue; /* four characters only with a compound surname */
        int stop = 0;
        for (size_t q = s + sl; q < h; q += 3)
            stop |= is_stop_char(b + q);
        valid[k] = !stop;
    }
    size_t best = 0;
    if (valid[4])
        best = 4;
    else if (valid[3] && !(is_function_char(b + h - 9) && valid[2]))
        best = 3;
    else if (valid[2])
        best = 2;
    if (best)
        add_name(ch, h - 3 * best, h, 0.8f, 0);
    return EG_OK;
}

/* A whole table cell starting after the delimiter at p: a name if its
 * column says so (resolved by table or structure context). */
size_t eg__detect_cell(eg_chunk *ch, size_t p)
{
    const unsigned char *b = ch->buf;
    size_t s = p + 1, run = han_run(ch, s, 5);
    if (run < 2 || run > 4)
        return s;
    size_t e = s + 3 * run;
    if (e < ch->len && b[e] != ',' && b[e] != '"' && b[e] != '\t' &&
        b[e] != '\n' && b[e] != '\r')
        return s;
    size_t sl = (size_t)eg__surname_len(b + s, e - s);
    if (!sl || sl / 3 >= run || (run == 4 && sl != 6))
        return s;
    eg_cand *c;
    eg__cand_add(ch, EG_T_person_name, s, e, (const char *)b + s, e - s, 0.3f,
                 EG_CTX(NAME), 0.85f, &c);
    if (c)
        c->flags |= EG_CAND_CELL;
    return e;
}

/* ------------------------------------------------------------- plates */

static int is_plate_char(unsigned char c)
{
    return eg__is_digit(c) || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O');
}

static int plate_at(eg_chunk *ch, size_t end)
{
    const unsigned char *b = ch->buf;
    if (end < 4)
        return EG_OK;
    size_t s = end - 4, p = end;
    char norm[16];
    memcpy(norm, b + s, 4);
    size_t n = 4;
    if (p + 2 <= ch->len && b[p] == 0xC2 && b[p + 1] == 0xB7) /* · */
        p += 2;
    else if (p < ch->len && b[p] == ' ')
        p++;
    size_t t = 0, letters = 0, digits = 0;
    while (p + t < ch->len && t < 7 && is_plate_char(b[p + t])) {
        norm[n++] = (char)b[p + t];
        letters += !eg__is_digit(b[p + t]);
        digits += eg__is_digit(b[p + t]);
        t++;
    }
    /* driving-school, police, HK/Macao and trailer plates end in a Han
     * character after four alphanumerics: 浙A1234学 */
    static const char *const special[] = {"学", "警", "港", "澳",
                                          "挂", "领", "试", "超"};
    if (t == 4 && p + t + 3 <= ch->len)
        for (size_t i = 0; i < EG_ARRAY_LEN(special); i++)
            if (!memcmp(b + p + t, special[i], 3)) {
                memcpy(norm + n, special[i], 3);
                n += 3;
                if (digits < 3)
                    return EG_OK;
                return eg__cand_add(ch, EG_T_cn_license_plate, s, p + t + 3,
                                    norm, n, 0.85f, 0, 0.85f, NULL);
            }
    if (t != 5 && t != 6)
        return EG_OK;
    if (p + t < ch->len && eg__is_alnum(b[p + t]))
        return EG_OK;
    if (digits < 3 || (t == 5 && letters > 2) || (t == 6 && letters > 2))
        return EG_OK;
    return eg__cand_add(ch, EG_T_cn_license_plate, s, p + t, norm, n, 0.85f, 0,
                        0.85f, NULL);
}

/* ------------------------------------------------------ secret marks */

static int at_line_start(const eg_chunk *ch, size_t s)
{
    const unsigned char *b = ch->buf;
    while (s > 0) {
        unsigned char c = b[s - 1];
        if (c == '\n')
            return 1;
        if (c == ' ' || c == '\t' || c == '\r')
            s--;
        else if (s >= 3 && !memcmp(b + s - 3, "【", 3))
            s -= 3;
        else if (s >= 9 && !memcmp(b + s - 9, "密级：", 9))
            s -= 9;
        else if (s >= 7 && !memcmp(b + s - 7, "密级:", 7))
            s -= 7;
        else
            return 0;
    }
    return 1;
}

static int at_line_end(const eg_chunk *ch, size_t e)
{
    const unsigned char *b = ch->buf;
    while (e < ch->len) {
        unsigned char c = b[e];
        if (c == '\n' || c == '\r')
            return 1;
        if (c == ' ' || c == '\t')
            e++;
        else if (e + 3 <= ch->len && !memcmp(b + e, "】", 3))
            e += 3;
        else
            return 0;
    }
    return 1;
}

static size_t secret_term(const eg_chunk *ch, size_t p)
{
    static const char *const words[] = {"长期", "启用前", "公布前", "永久",
                                        "解密"};
    const unsigned char *b = ch->buf;
    while (p < ch->len && b[p] == ' ')
        p++;
    size_t q = p;
    while (q < ch->len && eg__is_digit(b[q]))
        q++;
    if (q > p) {
        if (q + 3 <= ch->len && !memcmp(b + q, "年", 3))
            return q + 3;
        if (q + 6 <= ch->len && !memcmp(b + q, "个月", 6))
            return q + 6;
        return p;
    }
    for (size_t i = 0; i < EG_ARRAY_LEN(words); i++) {
        size_t n = strlen(words[i]);
        if (p + n <= ch->len && !memcmp(b + p, words[i], n))
            return p + n;
    }
    return p;
}

static int secret_mark(eg_chunk *ch, size_t end)
{
    /* the hit ends after ★ or ☆; the level (6 bytes) precedes it */
    const unsigned char *b = ch->buf;
    size_t star = end - 3, s = star;
    while (s > 0 && b[s - 1] == ' ')
        s--;
    if (s < 6)
        return EG_OK;
    s -= 6;
    size_t e = secret_term(ch, end);
    return eg__cand_add(ch, EG_T_confidential_marking, s, e,
                        (const char *)b + s, e - s, 0.95f, 0, 0.95f, NULL);
}

static int other_mark(eg_chunk *ch, size_t end, size_t len)
{
    size_t s = end - len;
    if (!at_line_start(ch, s) || !at_line_end(ch, end))
        return EG_OK;
    return eg__cand_add(ch, EG_T_confidential_marking, s, end,
                        (const char *)ch->buf + s, len, 0.8f, 0, 0.8f, NULL);
}

/* ------------------------------------------------------- credentials */

static int pem_block(eg_chunk *ch, size_t end)
{
    const unsigned char *b = ch->buf;
    size_t s = end - 11; /* "-----BEGIN " */
    /* the header ends at its closing dashes: the block may sit in a JSON
     * string or a source literal with "\n" escapes rather than newlines */
    size_t lim = ch->len - end > 80 ? end + 80 : ch->len;
    const unsigned char *dash = memmem(b + end, lim - end, "-----", 5);
    if (!dash)
        return EG_OK;
    size_t hl = (size_t)(dash - b) + 5;
    int priv = 0;
    for (size_t p = end; p + 11 <= hl; p++)
        if (!memcmp(b + p, "PRIVATE KEY", 11))
            priv = 1;
    if (!priv)
        return EG_OK;
    size_t limit = ch->len - hl > 16384 ? hl + 16384 : ch->len;
    size_t e = hl;
    for (size_t p = hl; p + 9 <= limit; p++) {
        if (b[p] == '-' && !memcmp(b + p, "-----END ", 9)) {
            size_t l2 = ch->len - p > 80 ? p + 80 : ch->len;
            const unsigned char *d2 = memmem(b + p + 9, l2 - p - 9, "-----", 5);
            e = d2 ? (size_t)(d2 - b) + 5 : p + 9;
            break;
        }
    }
    if (e > s && b[e - 1] == '\r')
        e--;
    return eg__cand_add(ch, EG_T_credential, s, e, (const char *)b + s, e - s,
                        0.99f, 0, 0.99f, NULL);
}

typedef struct token_shape {
    const char *prefix;
    size_t min, max;      /* total length */
    const char *alphabet; /* allowed after the prefix; NULL = [A-Za-z0-9] */
} token_shape;

static const token_shape token_shapes[] = {
    {"AKIA", 20, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"},
    {"LTAI", 16, 30, NULL}, /* Alibaba Cloud AccessKey ID */
    {"AKID", 36, 36, NULL}, /* Tencent Cloud SecretId */
    {"ASIA", 20, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"},
    {"ghp_", 40, 40, NULL},
    {"gho_", 40, 40, NULL},
    {"ghs_", 40, 40, NULL},
    {"github_pat_", 40, 100, "_"},
    {"glpat-", 26, 26, "-_"},
    {"xoxb-", 20, 120, "-"},
    {"xoxp-", 20, 120, "-"},
    {"AIza", 39, 39, "-_"},
    {"sk_live_", 32, 120, NULL},
    {"rk_live_", 32, 120, NULL},
};

/* The id of a token-prefix hit indexes token_shapes. */
size_t eg__token_shape_count(void);
const char *eg__token_shape_prefix(size_t i);

size_t eg__token_shape_count(void)
{
    return EG_ARRAY_LEN(token_shapes);
}

const char *eg__token_shape_prefix(size_t i)
{
    return token_shapes[i].prefix;
}

static int token_char(const token_shape *t, unsigned char c)
{
    if (!t->alphabet)
        return eg__is_alnum(c);
    if (t->alphabet[0] == '-' || t->alphabet[0] == '_')
        return eg__is_alnum(c) || strchr(t->alphabet, c) != NULL;
    return c && strchr(t->alphabet, c) != NULL;
}

static int token_at(eg_chunk *ch, size_t end, size_t id)
{
    if (id >= EG_ARRAY_LEN(token_shapes))
        return EG_OK;
    const token_shape *t = &token_shapes[id];
    size_t pl = strlen(t->prefix), s = end - pl, p = end;
    if (s > 0 && (eg__is_alnum(ch->buf[s - 1]) || ch->buf[s - 1] == '_'))
        return EG_OK;
    while (p < ch->len && p - s < t->max && token_char(t, ch->buf[p]))
        p++;
    if (p - s < t->min || (p < ch->len && eg__is_alnum(ch->buf[p])))
        return EG_OK;
    return eg__cand_add(ch, EG_T_credential, s, p, (const char *)ch->buf + s,
                        p - s, 0.9f, 0, 0.9f, NULL);
}

/* --------------------------------------------------------------- e-mail */

static int email_local(unsigned char c)
{
    return eg__is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
           c == '-';
}

/* "icon@2x.png": an asset name, not an address. */
static int file_extension(const unsigned char *t, size_t n)
{
    static const char *const ext[] = {"png",  "jpg", "jpeg", "gif", "svg",
                                      "webp", "css", "js",   "ico", "bmp"};
    for (size_t i = 0; i < EG_ARRAY_LEN(ext); i++)
        if (strlen(ext[i]) == n && !strncasecmp((const char *)t, ext[i], n))
            return 1;
    return 0;
}

size_t eg__detect_email(eg_chunk *ch, size_t at)
{
    const unsigned char *b = ch->buf;
    size_t s = at;
    while (s > 0 && at - s < 64 && email_local(b[s - 1]))
        s--;
    while (s < at && (b[s] == '.' || b[s] == '-'))
        s++;
    if (s == at || b[at - 1] == '.')
        return at + 1;
    size_t e = at + 1, last_dot = 0;
    while (e < ch->len && e - at < 254 &&
           (eg__is_alnum(b[e]) || b[e] == '.' || b[e] == '-')) {
        if (b[e] == '.')
            last_dot = e;
        e++;
    }
    while (e > at + 1 && (b[e - 1] == '.' || b[e - 1] == '-'))
        e--;
    while (last_dot > at && (last_dot >= e || b[last_dot] != '.'))
        last_dot--;
    if (last_dot >= e - 1 || last_dot <= at + 1)
        return e;
    for (size_t p = last_dot + 1; p < e; p++)
        if (eg__is_digit(b[p]) || b[p] == '-')
            return e;
    if (e - last_dot - 1 < 2 ||
        file_extension(b + last_dot + 1, e - last_dot - 1))
        return e;
    /* "https://user:secret@host": URL user info, not a mailbox */
    if (s >= 3 && b[s - 1] == ':' &&
        memmem(b + (s > 64 ? s - 64 : 0), s - (s > 64 ? s - 64 : 0), "//", 2))
        return e;
    char norm[320];
    size_t n = e - s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = b[s + i];
        norm[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    eg__cand_add(ch, EG_T_email, s, e, norm, n, 0.95f, 0, 0.95f, NULL);
    return e;
}

/* ------------------------------------------------------------ dispatch */

int eg__detect_hit(eg_chunk *ch, const eg_hit *h)
{
    size_t end = h->end;
    switch (h->kind) {
    case EG_HIT_LABEL: {
        uint32_t k = eg__context_label_kinds(ch->context, h->id);
        if (k & EG_CTX(NAME))
            return name_from_label(ch, end);
        if (k & EG_CTX(ADDR))
            return address_from_label(ch, end);
        return EG_OK;
    }
    case EG_HIT_PLATE:
        return plate_at(ch, end);
    case EG_HIT_SECRET:
        return secret_mark(ch, end);
    case EG_HIT_MARK:
        return other_mark(ch, end, h->id);
    case EG_HIT_PEM:
        return pem_block(ch, end);
    case EG_HIT_TOKEN:
        return token_at(ch, end, h->id);
    case EG_HIT_HONORIFIC:
        return name_before_honorific(ch, end - 6);
    default:
        return EG_OK;
    }
}
