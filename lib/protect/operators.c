/*
 * operators.c: the de-identification operators' common machinery and the
 * simple ones: redact, drop, keep, mask and pseudonymize.  Encryption is
 * in op_encrypt.c, generalization in op_generalize.c.
 *
 * Every operator works on the value's written form: the bytes the scan
 * reported, which may hold separators ("138 0013 8000"), full-width digits
 * ("１３８..."), a country code or a lower-case check character.  The value
 * is split into classified characters (operators_int.h) so that mask can
 * count characters rather than bytes and keep separators where they were,
 * and so that pseudonyms are computed on a normalized form: the same
 * person's number written two ways gets the same pseudonym, and joins
 * across files and tables still work.
 *
 * Pseudonyms: by default a token "<type>_<16 hex>" from HMAC-SHA256 under
 * the "pseudonym" subkey of the normalized value (64 bits: collisions stay
 * unlikely up to billions of distinct values).  The `digits` style instead
 * replaces every digit with a digit drawn from the same HMAC (a keyed,
 * deterministic stream), keeping separators, width and length, for columns
 * that must keep a numeric shape; it carries only ~3.3 bits per digit, so
 * an 11-digit mobile has ~10^11 pseudonyms and collisions become likely
 * around 10^5 distinct values.  Neither style is reversible: they are
 * de-identified data, still PI under PIPL Art 73 as long as the key exists.
 */
#include "protect/operators_int.h"

#include <string.h>

#include <openssl/crypto.h>

static const char *const op_names[EG_OP_COUNT] = {
    "redact", "mask", "pseudonymize", "encrypt", "generalize", "keep", "drop"};

const char *eg__op_name(eg_op_kind op)
{
    return (op >= 0 && op < EG_OP_COUNT) ? op_names[op] : "unknown";
}

int eg__op_from_name(const char *name)
{
    for (int i = 0; i < EG_OP_COUNT; i++)
        if (name && strcmp(name, op_names[i]) == 0)
            return i;
    return -1;
}

const char *eg__op_pipl_status(eg_op_kind op)
{
    switch (op) {
    case EG_OP_REDACT:
    case EG_OP_DROP:
        return "removed";
    case EG_OP_KEEP:
        return "personal information";
    default:
        return "de-identified (still personal information)";
    }
}

void eg__op_settings_init(eg_op_settings *s, eg_op_kind op)
{
    memset(s, 0, sizeof *s);
    s->op = op;
    strcpy(s->text, "[{type}]");
    s->keep_first = 3;
    s->keep_last = 4;
    strcpy(s->mask_char, "*");
    s->style = EG_PSEUDO_TOKEN;
    s->hex_digits = 16;
    s->keep_region = 0;
    s->keep_issuer = 1;
    s->decimals = 2;
    s->dob = EG_DOB_YEAR;
    s->band_years = 10;
    s->as_of_ymd = 0;
}

/* Types whose values are digit strings (an ID's check X aside): the only
 * ones the `digits` pseudonym style fits. */
static int digit_type(int type)
{
    switch (type) {
    case EG_T_cn_resident_id:
    case EG_T_cn_mobile:
    case EG_T_cn_landline:
    case EG_T_bank_card:
    case EG_T_imei:
    case EG_T_mo_id:
    case EG_T_ipv4:
    case EG_T_geo_coordinate:
        return 1;
    default:
        return 0;
    }
}

int eg__op_supported(const eg_op_settings *s, int type)
{
    if (!s || type < 0 || type >= EG_T_COUNT)
        return 0;
    switch (s->op) {
    case EG_OP_PSEUDONYMIZE:
        return s->style == EG_PSEUDO_TOKEN || digit_type(type);
    case EG_OP_GENERALIZE:
        return eg__op_generalize_supported(type);
    case EG_OP_REDACT:
    case EG_OP_MASK:
    case EG_OP_ENCRYPT:
    case EG_OP_KEEP:
    case EG_OP_DROP:
        return 1;
    default:
        return 0;
    }
}

/* -------------------------------------------------------------- units */

/* Decode one UTF-8 character at in[0..n); returns its length (1 for an
 * invalid or cut byte, with *cp = 0xFFFD). */
static size_t utf8_decode(const unsigned char *in, size_t n, uint32_t *cp)
{
    size_t len = eg__utf8_get(in, n, cp);
    if (len == 0 || len == EG_UTF8_CUT) {
        *cp = 0xFFFD;
        return 1;
    }
    return len;
}

static int is_separator(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
                 (cp >= 'A' && cp <= 'Z'));
    return cp == 0xA0 || cp == 0xB7 || (cp >= 0x2000 && cp <= 0x206F) ||
           (cp >= 0x3000 && cp <= 0x303F) || cp == 0x30FB ||
           (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

static void classify(eg_unit *u)
{
    uint32_t cp = u->cp;
    u->wide = 0;
    u->val = 0;
    if (u->len == 1 && cp == 0xFFFD) {
        u->cls = EG_U_OTHER; /* invalid byte */
    } else if (cp >= '0' && cp <= '9') {
        u->cls = EG_U_DIGIT, u->val = (uint16_t)(cp - '0');
    } else if (cp >= 'a' && cp <= 'z') {
        u->cls = EG_U_LOWER, u->val = (uint16_t)(cp - 'a');
    } else if (cp >= 'A' && cp <= 'Z') {
        u->cls = EG_U_UPPER, u->val = (uint16_t)(cp - 'A');
    } else if (cp >= 0xFF10 && cp <= 0xFF19) {
        u->cls = EG_U_DIGIT, u->val = (uint16_t)(cp - 0xFF10), u->wide = 1;
    } else if (cp >= 0xFF41 && cp <= 0xFF5A) {
        u->cls = EG_U_LOWER, u->val = (uint16_t)(cp - 0xFF41), u->wide = 1;
    } else if (cp >= 0xFF21 && cp <= 0xFF3A) {
        u->cls = EG_U_UPPER, u->val = (uint16_t)(cp - 0xFF21), u->wide = 1;
    } else if (cp >= EG_HAN_FIRST && cp < EG_HAN_FIRST + EG_HAN_COUNT) {
        u->cls = EG_U_HAN, u->val = (uint16_t)(cp - EG_HAN_FIRST);
    } else if (is_separator(cp)) {
        u->cls = EG_U_SEP;
    } else {
        u->cls = EG_U_OTHER;
    }
}

int eg__units_parse(eg_op_worker *w, const char *in, size_t n)
{
    w->nunits = 0;
    if (n > UINT32_MAX)
        return EG_ELIMIT;
    for (size_t i = 0; i < n;) {
        if (w->nunits == w->ucap) {
            size_t cap = w->ucap ? 2 * w->ucap : 64;
            eg_unit *u = eg__realloc(w->units, cap * sizeof *u);
            if (!u)
                return EG_ENOMEM;
            w->units = u;
            w->ucap = cap;
        }
        eg_unit *u = &w->units[w->nunits++];
        u->off = (uint32_t)i;
        u->len =
            (uint8_t)utf8_decode((const unsigned char *)in + i, n - i, &u->cp);
        classify(u);
        i += u->len;
    }
    return EG_OK;
}

static int put_cp(eg_buf *out, uint32_t cp)
{
    char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (char)cp, k = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    return eg__buf_append(out, b, k);
}

int eg__unit_put(eg_buf *out, int cls, int wide, unsigned val)
{
    switch (cls) {
    case EG_U_DIGIT:
        return put_cp(out, (wide ? 0xFF10u : '0') + val);
    case EG_U_LOWER:
        return put_cp(out, (wide ? 0xFF41u : 'a') + val);
    case EG_U_UPPER:
        return put_cp(out, (wide ? 0xFF21u : 'A') + val);
    case EG_U_HAN:
        return put_cp(out, EG_HAN_FIRST + val);
    default:
        return EG_EINVAL;
    }
}

/* ------------------------------------------------------ shared helpers */

int eg__op_as_of(const eg_op_settings *s)
{
    return s->as_of_ymd ? s->as_of_ymd : eg__today_ymd();
}

int eg__rid_check_value(const uint8_t d[17])
{
    static const int weights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                    3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += d[i] * weights[i];
    return (12 - sum % 11) % 11;
}

int eg__luhn_mod10(const uint8_t *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i];
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10;
}

/* --------------------------------------------------- keys and workers */

int eg__protector_new(eg_protector **out, const eg_key *key, eg_error *err)
{
    if (!out || !key)
        return eg__fail(err, EG_EINVAL, "protector: no key");
    *out = NULL;
    eg_protector *p = eg__calloc(1, sizeof *p);
    if (!p)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    unsigned char sub[32];
    int rc = eg_key_derive(key, "pseudonym", sub, sizeof sub, err);
    if (rc == EG_OK)
        rc = eg__hmac_init(&p->pseudo, sub, sizeof sub);
    if (rc == EG_OK)
        rc = eg_key_derive(key, "ff1", p->ff1_key, sizeof p->ff1_key, err);
    OPENSSL_cleanse(sub, sizeof sub);
    if (rc != EG_OK) {
        eg__protector_free(p);
        return rc;
    }
    *out = p;
    return EG_OK;
}

void eg__protector_free(eg_protector *p)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, sizeof *p);
    eg__free(p);
}

int eg__op_worker_new(eg_op_worker **out, const eg_protector *p, eg_error *err)
{
    if (!out || !p)
        return eg__fail(err, EG_EINVAL, "operator worker: no keys");
    *out = eg__calloc(1, sizeof **out);
    if (!*out)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    (*out)->p = p;
    return EG_OK;
}

void eg__op_worker_free(eg_op_worker *w)
{
    if (!w)
        return;
    eg__ff1_free(w->ff1);
    if (w->units)
        OPENSSL_cleanse(w->units, w->ucap * sizeof *w->units);
    eg__free(w->units);
    eg__free(w);
}

int eg__op_worker_ff1(eg_op_worker *w, eg__ff1 **out, eg_error *err)
{
    if (!w->ff1) {
        int rc = eg__ff1_new(&w->ff1, w->p->ff1_key, sizeof w->p->ff1_key, err);
        if (rc != EG_OK)
            return rc;
    }
    *out = w->ff1;
    return EG_OK;
}

/* ------------------------------------------------------------- redact */

static int op_redact(int type, const eg_op_settings *s, eg_buf *out)
{
    const char *t = s->text;
    while (*t) {
        int rc;
        if (strncmp(t, "{type}", 6) == 0) {
            rc = eg__buf_puts(out, eg_type_id(type));
            t += 6;
        } else if (strncmp(t, "{category}", 10) == 0) {
            rc = eg__buf_puts(out, eg_category_id(eg_type_category(type)));
            t += 10;
        } else {
            rc = eg__buf_append(out, t++, 1);
        }
        if (rc != EG_OK)
            return rc;
    }
    return EG_OK;
}

/* --------------------------------------------------------------- mask */

/* Keep counts that never reveal the whole value: when first + last would
 * cover every maskable character, at least half of them are masked. */
static void mask_bounds(size_t total, int kf, int kl, size_t *first,
                        size_t *last)
{
    size_t f = kf > 0 ? (size_t)kf : 0, l = kl > 0 ? (size_t)kl : 0;
    if (f + l >= total) {
        size_t allowed = total / 2;
        f = f < allowed ? f : allowed;
        l = l < allowed - f ? l : allowed - f;
    }
    *first = f;
    *last = l;
}

static int op_mask(eg_op_worker *w, const eg_op_settings *s, const char *in,
                   eg_buf *out)
{
    size_t total = 0;
    for (size_t i = 0; i < w->nunits; i++)
        total += w->units[i].cls != EG_U_SEP;
    size_t first, last;
    mask_bounds(total, s->keep_first, s->keep_last, &first, &last);
    size_t seen = 0;
    for (size_t i = 0; i < w->nunits; i++) {
        const eg_unit *u = &w->units[i];
        int clear = u->cls == EG_U_SEP;
        if (!clear) {
            clear = seen < first || seen >= total - last;
            seen++;
        }
        int rc = clear ? eg__buf_append(out, in + u->off, u->len)
                       : eg__buf_puts(out, s->mask_char);
        if (rc != EG_OK)
            return rc;
    }
    return EG_OK;
}

/* -------------------------------------------------------- normalization */

/* Separators carry meaning in these types ("1.2.3.4" is not "12.3.4"), so
 * normalization keeps them; the others are identifiers whose separators
 * are only layout. */
static int keeps_separators(int type)
{
    switch (type) {
    case EG_T_email:
    case EG_T_ipv4:
    case EG_T_ipv6:
    case EG_T_geo_coordinate:
    case EG_T_person_name:
    case EG_T_cn_address:
    case EG_T_date_of_birth:
    case EG_T_confidential_marking:
    case EG_T_credential:
        return 1;
    default:
        return 0;
    }
}

static int folds_to_lower(int type)
{
    return type == EG_T_email || type == EG_T_ipv6;
}

static int folds_to_upper(int type)
{
    return !keeps_separators(type);
}

/* Country code off a mobile: 86 + 11 digits, 0086 + 11 digits. */
static size_t mobile_prefix(const char *d, size_t n)
{
    if (n == 13 && memcmp(d, "86", 2) == 0)
        return 2;
    if (n == 15 && memcmp(d, "0086", 4) == 0)
        return 4;
    return 0;
}

static int rid_upgrade(eg_buf *b, size_t start)
{
    /* 15 digits -> 6 region + "19" + 6 date + 3 seq + check */
    char d[18];
    memcpy(d, b->data + start, 6);
    memcpy(d + 6, "19", 2);
    memcpy(d + 8, b->data + start + 6, 9);
    uint8_t v[17];
    for (int i = 0; i < 17; i++)
        v[i] = (uint8_t)(d[i] - '0');
    int c = eg__rid_check_value(v);
    d[17] = c == 10 ? 'X' : (char)('0' + c);
    b->len = start;
    return eg__buf_append(b, d, 18);
}

static int normalize_units(const eg_unit *units, size_t nunits, int type,
                           const char *in, eg_buf *out)
{
    size_t start = out->len;
    int keep_sep = keeps_separators(type);
    for (size_t i = 0; i < nunits; i++) {
        const eg_unit *u = &units[i];
        int rc;
        int cls = u->cls;
        if (cls == EG_U_SEP && !keep_sep)
            continue;
        if (cls == EG_U_LOWER && folds_to_upper(type))
            cls = EG_U_UPPER;
        else if (cls == EG_U_UPPER && folds_to_lower(type))
            cls = EG_U_LOWER;
        if (cls == EG_U_DIGIT || cls == EG_U_LOWER || cls == EG_U_UPPER)
            rc = eg__unit_put(out, cls, 0, u->val);
        else
            rc = eg__buf_append(out, in + u->off, u->len);
        if (rc != EG_OK)
            return rc;
    }
    size_t n = out->len - start;
    const char *d = out->data ? out->data + start : "";
    if (type == EG_T_cn_mobile) {
        size_t skip = mobile_prefix(d, n);
        if (skip) {
            memmove(out->data + start, d + skip, n - skip);
            out->len -= skip;
            out->data[out->len] = '\0';
        }
    } else if (type == EG_T_cn_resident_id && n == 15 &&
               strspn(d, "0123456789") == 15) {
        return rid_upgrade(out, start);
    }
    return EG_OK;
}

int eg__op_normalize(int type, const char *in, size_t n, eg_buf *out)
{
    eg_op_worker w;
    memset(&w, 0, sizeof w);
    int rc = eg__units_parse(&w, in, n);
    if (rc == EG_OK)
        rc = normalize_units(w.units, w.nunits, type, in, out);
    eg__free(w.units);
    return rc;
}

/* -------------------------------------------------------- pseudonymize */

static int op_pseudo_token(eg_op_worker *w, int type, const eg_op_settings *s,
                           const char *norm, size_t nn, eg_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[EG_HMAC_BYTES];
    eg__hmac_sha256(&w->p->pseudo, norm, nn, mac);
    int digits = s->hex_digits < 8    ? 8
                 : s->hex_digits > 64 ? 64
                                      : s->hex_digits;
    char tok[65];
    for (int i = 0; i < digits; i++)
        tok[i] = hex[(mac[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    int rc = eg__buf_puts(out, eg_type_id(type));
    if (rc == EG_OK)
        rc = eg__buf_append(out, "_", 1);
    if (rc == EG_OK)
        rc = eg__buf_append(out, tok, (size_t)digits);
    OPENSSL_cleanse(mac, sizeof mac);
    return rc;
}

/* A keyed digit stream: HMAC(pseudo, counter || "digits" || 0 || norm),
 * bytes below 250 taken mod 10 (unbiased). */
typedef struct digit_stream {
    const eg__hmac_ctx *mac;
    const char *norm;
    size_t nn;
    unsigned char block[EG_HMAC_BYTES];
    size_t pos;
    uint32_t counter;
    eg_buf msg;
} digit_stream;

static int next_digit(digit_stream *ds, unsigned *digit)
{
    for (;;) {
        if (ds->pos == sizeof ds->block) {
            unsigned char c[4] = {(unsigned char)(ds->counter >> 24),
                                  (unsigned char)(ds->counter >> 16),
                                  (unsigned char)(ds->counter >> 8),
                                  (unsigned char)ds->counter};
            ds->counter++;
            ds->msg.len = 0;
            if (eg__buf_append(&ds->msg, c, 4) != EG_OK ||
                eg__buf_append(&ds->msg, "digits", 7) != EG_OK ||
                eg__buf_append(&ds->msg, ds->norm, ds->nn) != EG_OK)
                return EG_ENOMEM;
            eg__hmac_sha256(ds->mac, ds->msg.data, ds->msg.len, ds->block);
            ds->pos = 0;
        }
        unsigned char b = ds->block[ds->pos++];
        if (b < 250) {
            *digit = b % 10u;
            return EG_OK;
        }
    }
}

static int op_pseudo_digits(eg_op_worker *w, int type, const char *in,
                            const char *norm, size_t nn, eg_buf *out)
{
    digit_stream ds = {.mac = &w->p->pseudo, .norm = norm, .nn = nn};
    ds.pos = sizeof ds.block;
    int rc = EG_OK;
    for (size_t i = 0; i < w->nunits && rc == EG_OK; i++) {
        const eg_unit *u = &w->units[i];
        /* an ID's check character X becomes a digit like the others */
        int is_check = type == EG_T_cn_resident_id && i == w->nunits - 1 &&
                       (u->cls == EG_U_UPPER || u->cls == EG_U_LOWER) &&
                       u->val == 'x' - 'a';
        if (u->cls == EG_U_DIGIT || is_check) {
            unsigned d;
            rc = next_digit(&ds, &d);
            if (rc == EG_OK)
                rc = eg__unit_put(out, EG_U_DIGIT, u->wide, d);
        } else {
            rc = eg__buf_append(out, in + u->off, u->len);
        }
    }
    OPENSSL_cleanse(ds.block, sizeof ds.block);
    if (ds.msg.data)
        OPENSSL_cleanse(ds.msg.data, ds.msg.cap);
    eg__buf_free(&ds.msg);
    return rc;
}

static int op_pseudonymize(eg_op_worker *w, int type, const eg_op_settings *s,
                           const char *in, eg_buf *out)
{
    eg_buf norm = {0};
    int rc = normalize_units(w->units, w->nunits, type, in, &norm);
    const char *nd = norm.data ? norm.data : "";
    if (rc == EG_OK && s->style == EG_PSEUDO_DIGITS)
        rc = op_pseudo_digits(w, type, in, nd, norm.len, out);
    else if (rc == EG_OK)
        rc = op_pseudo_token(w, type, s, nd, norm.len, out);
    if (norm.data)
        OPENSSL_cleanse(norm.data, norm.cap);
    eg__buf_free(&norm);
    return rc;
}

/* ------------------------------------------------------------ dispatch */

static int check_call(eg_op_worker *w, int type, const eg_op_settings *s,
                      const char *in, size_t n, eg_buf *out, eg_error *err)
{
    eg__error_clear(err);
    if (!w || !s || !out || (!in && n))
        return eg__fail(err, EG_EINVAL, "operator: NULL argument");
    if (type < 0 || type >= EG_T_COUNT)
        return eg__fail(err, EG_EINVAL, "operator: unknown type %d", type);
    if (!eg__op_supported(s, type))
        return eg__fail(err, EG_EUNSUPPORTED,
                        "operator %s does not apply to %s", eg__op_name(s->op),
                        eg_type_id(type));
    return EG_OK;
}

int eg__op_apply(eg_op_worker *w, int type, const eg_op_settings *s,
                 const char *in, size_t n, eg_buf *out, eg_error *err)
{
    int rc = check_call(w, type, s, in, n, out, err);
    if (rc != EG_OK)
        return rc;
    size_t mark = out->len;
    if (s->op != EG_OP_KEEP && s->op != EG_OP_DROP && s->op != EG_OP_REDACT &&
        (rc = eg__units_parse(w, in, n)) != EG_OK)
        return eg__fail(err, rc, "operator: out of memory");
    switch (s->op) {
    case EG_OP_KEEP:
        rc = eg__buf_append(out, in, n);
        break;
    case EG_OP_DROP:
        rc = EG_OK; /* nothing replaces the value */
        break;
    case EG_OP_REDACT:
        rc = op_redact(type, s, out);
        break;
    case EG_OP_MASK:
        rc = op_mask(w, s, in, out);
        break;
    case EG_OP_PSEUDONYMIZE:
        rc = op_pseudonymize(w, type, s, in, out);
        break;
    case EG_OP_ENCRYPT:
        rc = eg__op_encrypt(w, type, s, in, n, 0, out, err);
        break;
    case EG_OP_GENERALIZE:
        rc = eg__op_generalize(w, type, s, in, n, out, err);
        break;
    default:
        rc = EG_EUNSUPPORTED;
    }
    if (rc != EG_OK) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        if (rc == EG_ENOMEM)
            eg__fail(err, rc, "operator %s: out of memory", eg__op_name(s->op));
        else if (err && err->code == EG_OK) /* a callee left no message */
            eg__fail(err, rc, "operator %s failed on a %s value",
                     eg__op_name(s->op), eg_type_id(type));
    }
    return rc;
}

int eg__op_reverse(eg_op_worker *w, int type, const eg_op_settings *s,
                   const char *in, size_t n, eg_buf *out, eg_error *err)
{
    int rc = check_call(w, type, s, in, n, out, err);
    if (rc != EG_OK)
        return rc;
    if (s->op == EG_OP_KEEP)
        return eg__buf_append(out, in, n) == EG_OK
                   ? EG_OK
                   : eg__fail(err, EG_ENOMEM, "out of memory");
    if (s->op != EG_OP_ENCRYPT)
        return eg__fail(err, EG_EUNSUPPORTED, "operator %s is not reversible",
                        eg__op_name(s->op));
    if ((rc = eg__units_parse(w, in, n)) != EG_OK)
        return eg__fail(err, rc, "operator: out of memory");
    size_t mark = out->len;
    rc = eg__op_encrypt(w, type, s, in, n, 1, out, err);
    if (rc != EG_OK) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
    }
    return rc;
}
