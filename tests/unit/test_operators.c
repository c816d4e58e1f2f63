/*
 * test_operators.c: the de-identification operators on written values.
 * redact and mask by example; pseudonyms against HMAC values computed
 * independently (Python hmac over the HKDF "pseudonym" subkey) and across
 * written forms of one number; encrypt round trips that must restore the
 * input byte for byte, with resident IDs that still pass the ID check
 * (ISO 7064 MOD 11-2 computed here, and the library's own validator),
 * bank cards that stay Luhn-valid with their issuer prefix, full-width
 * digits and separators kept in place; generalize by example; refusals
 * whose messages carry no value; allocation failures.
 */
#include "detect/check.h"
#include "protect/operators.h"
#include "detect/catalog.h"
#include "eg_test.h"

#include <stdlib.h>
#include <time.h>

static eg_protector *prot;
static eg_op_worker *wk;

static void setup(void)
{
    unsigned char b[32];
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)i;
    eg_key k;
    EG_CHECK_INT(eg_key_from_bytes(&k, b, 32, NULL), EG_OK);
    EG_CHECK_INT(eg__protector_new(&prot, &k, NULL), EG_OK);
    EG_CHECK_INT(eg__op_worker_new(&wk, prot, NULL), EG_OK);
    EG_CHECK_INT(eg__check_init(NULL), EG_OK);
}

/* Apply and return the output in a static buffer ("" plus rc on error). */
static const char *run(int type, const eg_op_settings *s, const char *in,
                       int *rc_out)
{
    static char res[4][512];
    static int k;
    k = (k + 1) % 4;
    eg_buf out = {0};
    eg_error err;
    int rc = eg__op_apply(wk, type, s, in, strlen(in), &out, &err);
    if (rc_out)
        *rc_out = rc;
    snprintf(res[k], sizeof res[k], "%s",
             rc == EG_OK && out.data ? out.data : "");
    if (rc != EG_OK && *in)
        EG_CHECK(strstr(err.message, in) == NULL); /* never the value */
    eg__buf_free(&out);
    return res[k];
}

static const char *apply_ok(int type, const eg_op_settings *s, const char *in)
{
    int rc;
    const char *r = run(type, s, in, &rc);
    EG_CHECK_INT(rc, EG_OK);
    return r;
}

static const char *reverse_ok(int type, const eg_op_settings *s, const char *in)
{
    static char res[2][512];
    static int k;
    k = (k + 1) % 2;
    eg_buf out = {0};
    EG_CHECK_INT(eg__op_reverse(wk, type, s, in, strlen(in), &out, NULL),
                 EG_OK);
    snprintf(res[k], sizeof res[k], "%s", out.data ? out.data : "");
    eg__buf_free(&out);
    return res[k];
}

static eg_op_settings op(eg_op_kind kind)
{
    eg_op_settings s;
    eg__op_settings_init(&s, kind);
    return s;
}

EG_TEST(names)
{
    EG_CHECK_STR(eg__op_name(EG_OP_PSEUDONYMIZE), "pseudonymize");
    EG_CHECK_INT(eg__op_from_name("generalize"), EG_OP_GENERALIZE);
    EG_CHECK_INT(eg__op_from_name("shred"), -1);
    EG_CHECK_STR(eg__op_pipl_status(EG_OP_ENCRYPT),
                 "de-identified (still personal information)");
    EG_CHECK_STR(eg__op_pipl_status(EG_OP_REDACT), "removed");
    EG_CHECK_STR(eg__op_pipl_status(EG_OP_KEEP), "personal information");
}

EG_TEST(redact_keep_drop)
{
    eg_op_settings s = op(EG_OP_REDACT);
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "13800138000"), "[cn_mobile]");
    snprintf(s.text, sizeof s.text, "<{category}:{type}>");
    EG_CHECK_STR(apply_ok(EG_T_cn_resident_id, &s, "11010519491231002X"),
                 "<sensitive_pi:cn_resident_id>");
    s = op(EG_OP_KEEP);
    EG_CHECK_STR(apply_ok(EG_T_email, &s, "a@b.cn"), "a@b.cn");
    EG_CHECK_STR(reverse_ok(EG_T_email, &s, "a@b.cn"), "a@b.cn");
    s = op(EG_OP_DROP);
    EG_CHECK_STR(apply_ok(EG_T_email, &s, "a@b.cn"), "");
}

EG_TEST(mask)
{
    eg_op_settings s = op(EG_OP_MASK); /* 3 and 4 */
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "13800138000"), "138****8000");
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "138 0013 8000"),
                 "138 **** 8000");
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "+86-138-0013-8000"),
                 "+86-1**-****-8000");
    /* full-width digits: counted as characters, kept ones stay full-width */
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "１３８００１３８０００"),
                 "１３８****８０００");
    s.keep_first = 1;
    s.keep_last = 0;
    EG_CHECK_STR(apply_ok(EG_T_person_name, &s, "张三丰"), "张**");
    EG_CHECK_STR(apply_ok(EG_T_person_name, &s, "欧阳·娜娜"), "欧*·**");
    EG_CHECK_STR(apply_ok(EG_T_email, &s, "zhang.san@example.com"),
                 "z****.***@*******.***");
    snprintf(s.mask_char, sizeof s.mask_char, "●");
    EG_CHECK_STR(apply_ok(EG_T_person_name, &s, "张三"), "张●");
    /* keeps never reveal everything: at least half is masked */
    EG_CHECK_STR(apply_ok(EG_T_person_name, &s, "李"), "●");
    s = op(EG_OP_MASK);
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "12345"), "12***");
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "1234567"), "123****");
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "12345678"), "123*5678");
    /* an invalid UTF-8 byte is one maskable unit */
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s,
                          "138\xff"
                          "0013800"),
                 "138****3800");
    /* mask is not reversible */
    eg_buf out = {0};
    EG_CHECK_INT(
        eg__op_reverse(wk, EG_T_cn_mobile, &s, "138****8000", 11, &out, NULL),
        EG_EUNSUPPORTED);
    eg__buf_free(&out);
}

EG_TEST(normalize)
{
    static const struct {
        int type;
        const char *in, *norm;
    } rows[] = {
        {EG_T_cn_mobile, "+86 138-0013-8000", "13800138000"},
        {EG_T_cn_mobile, "0086 13800138000", "13800138000"},
        {EG_T_cn_mobile, "１３８ ００１３ ８０００", "13800138000"},
        {EG_T_cn_resident_id, "11010519491231002x", "11010519491231002X"},
        {EG_T_cn_resident_id, "130503670401001", "130503196704010016"},
        {EG_T_cn_resident_id, "１１０１０５１９４９１２３１００２X",
         "11010519491231002X"},
        {EG_T_bank_card, "6212 3456 7890 1232", "6212345678901232"},
        {EG_T_hk_id, "a123456(3)", "A1234563"},
        {EG_T_email, "Zhang.San@Example.COM", "zhang.san@example.com"},
        {EG_T_ipv4, "192.168.1.10", "192.168.1.10"},
        {EG_T_person_name, "张三", "张三"},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(rows); i++) {
        eg_buf b = {0};
        EG_CHECK_INT(
            eg__op_normalize(rows[i].type, rows[i].in, strlen(rows[i].in), &b),
            EG_OK);
        EG_CHECK_STR(b.data ? b.data : "", rows[i].norm);
        eg__buf_free(&b);
    }
}

EG_TEST(pseudonymize_token)
{
    eg_op_settings s = op(EG_OP_PSEUDONYMIZE);
    /* HMAC-SHA256(HKDF(key 00..1f, "egress/pseudonym"), normalized)[:8] */
    const char *a = apply_ok(EG_T_cn_mobile, &s, "13800138000");
    EG_CHECK_STR(a, "cn_mobile_5ed8dfb70b9200ba");
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "+86 138 0013 8000"), a);
    EG_CHECK_STR(apply_ok(EG_T_cn_mobile, &s, "１３８００１３８０００"), a);
    EG_CHECK_STR(apply_ok(EG_T_cn_resident_id, &s, "130503670401001"),
                 "cn_resident_id_ab5f53b8ad8a0c50");
    EG_CHECK_STR(apply_ok(EG_T_cn_resident_id, &s, "130503196704010016"),
                 "cn_resident_id_ab5f53b8ad8a0c50");
    EG_CHECK_STR(apply_ok(EG_T_email, &s, "Zhang.San@example.com"),
                 "email_3276bf26e79f176a");
    EG_CHECK(strcmp(apply_ok(EG_T_cn_mobile, &s, "13800138001"),
                    "cn_mobile_5ed8dfb70b9200ba") != 0);
    s.hex_digits = 32;
    EG_CHECK_INT(strlen(apply_ok(EG_T_cn_mobile, &s, "13800138000")),
                 strlen("cn_mobile_") + 32);

    /* another key, another pseudonym */
    eg_key k2;
    EG_CHECK_INT(eg_key_generate(&k2, NULL), EG_OK);
    eg_protector *p2;
    eg_op_worker *w2;
    EG_CHECK_INT(eg__protector_new(&p2, &k2, NULL), EG_OK);
    EG_CHECK_INT(eg__op_worker_new(&w2, p2, NULL), EG_OK);
    eg_buf out = {0};
    s.hex_digits = 16;
    EG_CHECK_INT(
        eg__op_apply(w2, EG_T_cn_mobile, &s, "13800138000", 11, &out, NULL),
        EG_OK);
    EG_CHECK(strcmp(out.data, "cn_mobile_5ed8dfb70b9200ba") != 0);
    eg__buf_free(&out);
    eg__op_worker_free(w2);
    eg__protector_free(p2);
}

static int count_digits(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s >= '0' && *s <= '9';
    return n;
}

EG_TEST(pseudonymize_digits)
{
    eg_op_settings s = op(EG_OP_PSEUDONYMIZE);
    s.style = EG_PSEUDO_DIGITS;
    const char *a = apply_ok(EG_T_cn_mobile, &s, "138 0013 8000");
    EG_CHECK_INT(strlen(a), 13);
    EG_CHECK(a[3] == ' ' && a[8] == ' ');
    EG_CHECK_INT(count_digits(a), 11);
    EG_CHECK(strcmp(a, "138 0013 8000") != 0);
    /* deterministic, and the same for another written form */
    char first[64];
    snprintf(first, sizeof first, "%s", a);
    const char *b = apply_ok(EG_T_cn_mobile, &s, "13800138000");
    EG_CHECK(strncmp(b, first, 3) == 0 && strncmp(b + 3, first + 4, 4) == 0);
    /* full-width stays full-width */
    const char *c = apply_ok(EG_T_cn_mobile, &s, "１３８００１３８０００");
    EG_CHECK_INT(strlen(c), 33);
    EG_CHECK(strncmp(c, "\xef\xbc", 2) == 0);
    /* a resident ID's X becomes a digit too */
    EG_CHECK_INT(
        count_digits(apply_ok(EG_T_cn_resident_id, &s, "11010519491231002X")),
        18);
    /* not for types that are not digit strings */
    EG_CHECK(!eg__op_supported(&s, EG_T_email));
    int rc;
    run(EG_T_email, &s, "a@b.cn", &rc);
    EG_CHECK_INT(rc, EG_EUNSUPPORTED);
}

/* ---------------------------------------------------------- encrypt */

static void round_trip(int type, const eg_op_settings *s, const char *in,
                       char *enc, size_t cap)
{
    const char *e = apply_ok(type, s, in);
    snprintf(enc, cap, "%s", e);
    EG_CHECK(strcmp(e, in) != 0);
    EG_CHECK_INT(strlen(e), strlen(in)); /* same bytes: same widths */
    EG_CHECK_STR(reverse_ok(type, s, enc), in);
}

EG_TEST(encrypt_generic)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    char e[256];
    round_trip(EG_T_cn_mobile, &s, "13800138000", e, sizeof e);
    EG_CHECK_INT(count_digits(e), 11);
    round_trip(EG_T_cn_mobile, &s, "+86 138-0013-8000", e, sizeof e);
    EG_CHECK(strncmp(e, "+86 ", 4) == 0 && e[7] == '-' && e[12] == '-');
    round_trip(EG_T_cn_mobile, &s, "１３８００１３８０００", e, sizeof e);
    EG_CHECK(strncmp(e, "\xef\xbc", 2) == 0);
    /* equal digits of different types encrypt differently (tweak) */
    char f[256];
    round_trip(EG_T_cn_landline, &s, "13800138000", f, sizeof f);
    round_trip(EG_T_cn_mobile, &s, "13800138000", e, sizeof e);
    EG_CHECK(strcmp(e, f) != 0);
    /* letters stay letters of the same case, Han stays Han */
    round_trip(EG_T_cn_passport, &s, "E12345678", e, sizeof e);
    EG_CHECK(e[0] >= 'A' && e[0] <= 'Z' && count_digits(e) == 8);
    round_trip(EG_T_email, &s, "zhang.san@example.com", e, sizeof e);
    EG_CHECK(e[5] == '.' && e[9] == '@' && e[17] == '.');
    for (const char *p = e; *p; p++)
        EG_CHECK((*p >= 'a' && *p <= 'z') || *p == '.' || *p == '@');
    round_trip(EG_T_person_name, &s, "张三丰", e, sizeof e);
    round_trip(EG_T_cn_address, &s, "北京市朝阳区建国路88号", e, sizeof e);
    round_trip(EG_T_hk_id, &s, "A123456(3)", e, sizeof e);
    EG_CHECK(e[1] != '\0' && e[7] == '(' && e[9] == ')');
    round_trip(EG_T_geo_coordinate, &s, "39.904211, 116.407395", e, sizeof e);
    round_trip(EG_T_credential, &s, "AKIAIOSFODNN7EXAMPLE", e, sizeof e);
    EG_CHECK(strncmp(e, "AKIA", 4) != 0);
}

EG_TEST(encrypt_small_domains_refused)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    int rc;
    run(EG_T_cn_mobile, &s, "12345", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_ipv4, &s, "1.2.3.4", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_person_name, &s, "李", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_email, &s, "a@b.cn", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_email, &s, "@.", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_cn_mobile, &s, "", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
}

/* The check character computed here, independently of the library. */
static char mod11_2(const char *d17)
{
    static const int w[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                              3, 7, 9,  10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d17[i] - '0') * w[i];
    int c = (12 - sum % 11) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

static int luhn_ok(const char *d)
{
    int n = (int)strlen(d), sum = 0;
    for (int i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const regions[] = {"110105", "110108", "440305", "360426",
                                      "130503", "310104", "510107", "650102",
                                      "810000", "440524"};

/* A synthetic valid 18-character ID born between y0 and y1. */
static void make_id(char *id, int y0, int y1)
{
    int y, m, d;
    do {
        y = y0 + (int)(rnd() % (uint64_t)(y1 - y0 + 1));
        m = 1 + (int)(rnd() % 12);
        d = 1 + (int)(rnd() % 31);
    } while (!eg__date_real(y, m, d));
    snprintf(id, 19, "%s%04d%02d%02d%03u",
             regions[rnd() % EG_ARRAY_LEN(regions)], y, m, d,
             (unsigned)(rnd() % 1000));
    id[17] = mod11_2(id);
    id[18] = '\0';
}

static void check_valid_id(const char *e, const char *orig, int keep_region)
{
    EG_CHECK_INT(strlen(e), 18);
    EG_CHECK_INT(strspn(e, "0123456789"), e[17] == 'X' ? 17 : 18);
    EG_CHECK(e[17] == mod11_2(e));
    uint32_t birth = 0;
    EG_CHECK(eg__check_resident_id(e, 18, eg__today_ymd(), &birth) ==
             EG_RID_VALID);
    if (keep_region) {
        EG_CHECK(memcmp(e, orig, 6) == 0);
        int y = atoi((char[5]){e[6], e[7], e[8], e[9], 0});
        int yo = atoi((char[5]){orig[6], orig[7], orig[8], orig[9], 0});
        EG_CHECK((y - 1850) / 4 == (yo - 1850) / 4); /* same block */
    } else {
        EG_CHECK(memcmp(e + 6, orig + 6, 8) == 0); /* date kept */
    }
}

EG_TEST(encrypt_resident_id)
{
    for (int keep = 0; keep <= 1; keep++) {
        eg_op_settings s = op(EG_OP_ENCRYPT);
        s.keep_region = keep;
        int bad_before = eg_test_failures;
        for (int i = 0; i < 2000 && eg_test_failures == bad_before; i++) {
            char id[19], e[64];
            make_id(id, 1900, 2019);
            const char *r = apply_ok(EG_T_cn_resident_id, &s, id);
            snprintf(e, sizeof e, "%s", r);
            check_valid_id(e, id, keep);
            EG_CHECK_STR(reverse_ok(EG_T_cn_resident_id, &s, e), id);
        }
    }
}

EG_TEST(encrypt_resident_id_forms)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    char e[128];
    /* the standard's example, with a check X */
    round_trip(EG_T_cn_resident_id, &s, "11010519491231002X", e, sizeof e);
    check_valid_id(e, "11010519491231002X", 0);
    /* lower-case x comes back as x, and still a valid ID (normalized) */
    for (int keep = 0; keep <= 1; keep++) {
        s.keep_region = keep;
        round_trip(EG_T_cn_resident_id, &s, "11010519491231002x", e, sizeof e);
        EG_CHECK_INT(e[17], 'x');
        e[17] = 'X';
        check_valid_id(e, "11010519491231002X", keep);
    }
    s.keep_region = 0;
    /* separators and full-width digits stay where they were */
    round_trip(EG_T_cn_resident_id, &s, "110105 19491231 002X", e, sizeof e);
    EG_CHECK(e[6] == ' ' && e[15] == ' ');
    EG_CHECK(memcmp(e + 7, "19491231", 8) == 0);
    round_trip(EG_T_cn_resident_id, &s, "１１０１０５１９４９１２３１００２X",
               e, sizeof e);
    EG_CHECK(strncmp(e, "\xef\xbc", 2) == 0);
    /* legacy 15-digit IDs: region + sequence, date kept */
    round_trip(EG_T_cn_resident_id, &s, "130503670401001", e, sizeof e);
    EG_CHECK_INT(strspn(e, "0123456789"), 15);
    EG_CHECK(memcmp(e + 6, "670401", 6) == 0);
    EG_CHECK(eg__check_resident_id(e, 15, eg__today_ymd(), NULL) ==
             EG_RID_VALID);
    s.keep_region = 1;
    round_trip(EG_T_cn_resident_id, &s, "130503670401001", e, sizeof e);
    EG_CHECK(memcmp(e, "130503", 6) == 0);
    EG_CHECK(eg__check_resident_id(e, 15, eg__today_ymd(), NULL) ==
             EG_RID_VALID);
    /* an ID with a wrong check keeps its residue and decrypts exactly */
    s.keep_region = 0;
    round_trip(EG_T_cn_resident_id, &s, "110105194912310021", e, sizeof e);
    EG_CHECK(e[17] != mod11_2(e));
}

EG_TEST(encrypt_resident_id_refusals)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    int rc;
    /* region in no table: cannot stay valid without keeping the region */
    run(EG_T_cn_resident_id, &s, "990426199112010074", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_cn_resident_id, &s, "1101051949", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_cn_resident_id, &s, "11010519491231002A", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    /* keeping the region: a birth date in the open 4-year block */
    s.keep_region = 1;
    s.as_of_ymd = 20250601; /* block 2022-2025 is still open */
    char id[19];
    snprintf(id, sizeof id, "11010520230105001");
    id[17] = mod11_2(id);
    id[18] = '\0';
    run(EG_T_cn_resident_id, &s, id, &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    s.as_of_ymd = 20260101; /* closed now: accepted, and stays in 2022-25 */
    char e[64];
    round_trip(EG_T_cn_resident_id, &s, id, e, sizeof e);
    EG_CHECK(memcmp(e + 6, "202", 3) == 0);
    /* not a real date: refused when the date is what gets encrypted */
    run(EG_T_cn_resident_id, &s, "110105194902300020", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
}

EG_TEST(encrypt_bank_card)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    static const char *const cards[] = {"6212345678901232", "4111111111111111",
                                        "6205500000000000004",
                                        "6200000000000005"};
    char e[64];
    for (size_t i = 0; i < EG_ARRAY_LEN(cards); i++) {
        round_trip(EG_T_bank_card, &s, cards[i], e, sizeof e);
        EG_CHECK(luhn_ok(e));
        EG_CHECK(memcmp(e, cards[i], 6) == 0);
    }
    round_trip(EG_T_bank_card, &s, "6212 3456 7890 1232", e, sizeof e);
    EG_CHECK(e[4] == ' ' && e[9] == ' ' && e[14] == ' ');
    EG_CHECK(memcmp(e, "6212 34", 7) == 0);
    /* a Luhn-invalid number keeps its residue and still decrypts */
    round_trip(EG_T_bank_card, &s, "6212345678901234", e, sizeof e);
    EG_CHECK(!luhn_ok(e));
    /* without the issuer prefix, still Luhn-valid */
    s.keep_issuer = 0;
    round_trip(EG_T_bank_card, &s, "6212345678901232", e, sizeof e);
    EG_CHECK(luhn_ok(e));
    /* IMEI: Luhn kept */
    round_trip(EG_T_imei, &s, "490154203237518", e, sizeof e);
    EG_CHECK(luhn_ok(e));
    int rc;
    run(EG_T_bank_card, &s, "62123456789A", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    s.keep_issuer = 1;
    run(EG_T_bank_card, &s, "621234567890", &rc); /* 12 digits: 5 inside */
    EG_CHECK_INT(rc, EG_EINVAL);
}

/* A mobile-typed value of 13 or 15 digits without a country code never
 * comes out with one (86..., 0086...), which decryption would keep: found
 * by fuzz_operators. */
EG_TEST(encrypt_mobile_never_gains_a_prefix)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    int bad = 0;
    for (int r = 0; r < 4000; r++) {
        char v[16], e[64];
        size_t len = r % 2 ? 13 : 15;
        for (size_t i = 0; i < len; i++)
            v[i] = (char)('0' + rnd() % 10);
        v[len] = '\0';
        if ((len == 13 && memcmp(v, "86", 2) == 0) ||
            (len == 15 && memcmp(v, "0086", 4) == 0))
            continue;
        snprintf(e, sizeof e, "%s", apply_ok(EG_T_cn_mobile, &s, v));
        bad += (len == 13 && memcmp(e, "86", 2) == 0) ||
               (len == 15 && memcmp(e, "0086", 4) == 0);
        bad += strcmp(reverse_ok(EG_T_cn_mobile, &s, e), v) != 0;
    }
    EG_CHECK_INT(bad, 0);
}

/* 10^4 random values of digits, letters, Han, separators and widths round
 * trip exactly. */
EG_TEST(encrypt_random_round_trips)
{
    static const char *const pieces[] = {
        "0", "1", "7",  "9",  "a",  "q",  "Z",  "K",  "-",  " ",  ".",
        "@", "(", "张", "三", "路", "号", "０", "９", "ａ", "Ｚ", "·"};
    static const int types[] = {EG_T_cn_mobile,  EG_T_cn_passport,
                                EG_T_email,      EG_T_cn_address,
                                EG_T_credential, EG_T_geo_coordinate};
    eg_op_settings s = op(EG_OP_ENCRYPT);
    int ok = 0, refused = 0, bad = 0;
    for (int r = 0; r < 10000; r++) {
        char v[400] = "";
        int n = 1 + (int)(rnd() % 40);
        for (int i = 0; i < n; i++)
            strcat(v, pieces[rnd() % EG_ARRAY_LEN(pieces)]);
        int type = types[rnd() % EG_ARRAY_LEN(types)];
        eg_buf e = {0}, d = {0};
        int rc = eg__op_apply(wk, type, &s, v, strlen(v), &e, NULL);
        if (rc == EG_EINVAL) {
            refused++;
            continue;
        }
        if (rc != EG_OK ||
            eg__op_reverse(wk, type, &s, e.data, e.len, &d, NULL) != EG_OK ||
            e.len != strlen(v) || strcmp(d.data, v) != 0)
            bad++;
        else
            ok++;
        eg__buf_free(&e);
        eg__buf_free(&d);
    }
    EG_CHECK_INT(bad, 0);
    EG_CHECK(ok > 8000);
    fprintf(stderr, "  random round trips: %d exact, %d refused (domain)\n", ok,
            refused);
}

/* -------------------------------------------------------- generalize */

EG_TEST(generalize)
{
    eg_op_settings s = op(EG_OP_GENERALIZE);
    EG_CHECK_STR(apply_ok(EG_T_geo_coordinate, &s, "39.904211, 116.407395"),
                 "39.90, 116.40");
    EG_CHECK_STR(apply_ok(EG_T_geo_coordinate, &s, "-33.8688,151.2093"),
                 "-33.86,151.20");
    s.decimals = 0;
    EG_CHECK_STR(apply_ok(EG_T_geo_coordinate, &s, "39.904211, 116.407395"),
                 "39, 116");
    s = op(EG_OP_GENERALIZE);
    EG_CHECK_STR(apply_ok(EG_T_date_of_birth, &s, "1990-05-17"), "1990");
    EG_CHECK_STR(apply_ok(EG_T_date_of_birth, &s, "1990年5月17日"), "1990");
    EG_CHECK_STR(apply_ok(EG_T_date_of_birth, &s, "19900517"), "1990");
    s.dob = EG_DOB_AGE_BAND;
    s.as_of_ymd = 20250516;
    EG_CHECK_STR(apply_ok(EG_T_date_of_birth, &s, "1990-05-17"), "30-39");
    s.as_of_ymd = 20250517;
    EG_CHECK_STR(apply_ok(EG_T_date_of_birth, &s, "1990/5/17"), "30-39");
    s.band_years = 5;
    EG_CHECK_STR(apply_ok(EG_T_date_of_birth, &s, "1990.05.17"), "35-39");
    s.as_of_ymd = 20250516;
    EG_CHECK_STR(apply_ok(EG_T_date_of_birth, &s, "1990.05.17"), "30-34");
    int rc;
    run(EG_T_date_of_birth, &s, "五月十七日", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);

    s = op(EG_OP_GENERALIZE);
    EG_CHECK_STR(apply_ok(EG_T_cn_resident_id, &s, "11010519491231002X"),
                 "1101051949********");
    EG_CHECK_STR(apply_ok(EG_T_cn_resident_id, &s, "130503670401001"),
                 "1305031967*****");

    static const struct {
        const char *in, *out;
    } addr[] = {
        {"广东省广州市天河区体育西路103号", "广东省广州市"},
        {"北京市朝阳区建国路88号", "北京市"},
        {"新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区乌鲁木齐市"},
        {"吉林省延边朝鲜族自治州延吉市", "吉林省延边朝鲜族自治州"},
        {"内蒙古自治区锡林郭勒盟锡林浩特市", "内蒙古自治区锡林郭勒盟"},
        {"黑龙江省大兴安岭地区加格达奇区", "黑龙江省大兴安岭地区"},
        {"浙江杭州西湖区文三路", "浙江杭州"},
        {"北京朝阳区建国路88号", "北京"},
        {"香港特别行政区中西区", "香港特别行政区"},
        {"江西省某某县某某镇", "江西省"},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(addr); i++)
        EG_CHECK_STR(apply_ok(EG_T_cn_address, &s, addr[i].in), addr[i].out);
    run(EG_T_cn_address, &s, "建国路88号", &rc);
    EG_CHECK_INT(rc, EG_EINVAL);
    run(EG_T_cn_mobile, &s, "13800138000", &rc);
    EG_CHECK_INT(rc, EG_EUNSUPPORTED);
}

/* ------------------------------------------------------ robustness */

EG_TEST(errors_name_no_value)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    eg_buf out = {0};
    eg_error err;
    const char *v = "99042619911201007";
    EG_CHECK_INT(
        eg__op_apply(wk, EG_T_cn_resident_id, &s, v, strlen(v), &out, &err),
        EG_EINVAL);
    EG_CHECK(strstr(err.message, "cn_resident_id") != NULL);
    EG_CHECK(strstr(err.message, "990426") == NULL);
    EG_CHECK(out.len == 0);
    EG_CHECK_INT(eg__op_apply(wk, -1, &s, v, strlen(v), &out, &err), EG_EINVAL);
    EG_CHECK_INT(eg__op_apply(wk, EG_T_COUNT, &s, v, strlen(v), &out, &err),
                 EG_EINVAL);
    eg__buf_free(&out);
}

/* Fail every allocation in turn: each call ends in EG_OK or EG_ENOMEM,
 * and once allocations succeed, the result is the normal one. */
EG_TEST(out_of_memory)
{
    static const struct {
        int type;
        eg_op_kind op;
        const char *v;
    } calls[] = {
        {EG_T_cn_resident_id, EG_OP_ENCRYPT, "11010519491231002X"},
        {EG_T_cn_address, EG_OP_ENCRYPT,
         "北京市朝阳区建国路88号北京市朝阳区建国路88号北京市朝阳区建国路"
         "88号北京市朝阳区建国路88号北京市朝阳区建国路88号"},
        {EG_T_cn_mobile, EG_OP_PSEUDONYMIZE, "+86 138 0013 8000"},
        {EG_T_cn_mobile, EG_OP_MASK, "138 0013 8000"},
    };
    for (size_t c = 0; c < EG_ARRAY_LEN(calls); c++) {
        eg_op_settings s = op(calls[c].op);
        eg_buf ref = {0};
        eg_op_worker *w = NULL;
        EG_CHECK_INT(eg__op_worker_new(&w, prot, NULL), EG_OK);
        EG_CHECK_INT(eg__op_apply(w, calls[c].type, &s, calls[c].v,
                                  strlen(calls[c].v), &ref, NULL),
                     EG_OK);
        eg__op_worker_free(w);
        int done = 0;
        for (uint64_t n = 1; n < 200 && !done; n++) {
            eg_op_worker *w2 = NULL;
            eg_buf out = {0};
            eg__alloc_fail_at(n, false);
            int rc = eg__op_worker_new(&w2, prot, NULL);
            if (rc == EG_OK)
                rc = eg__op_apply(w2, calls[c].type, &s, calls[c].v,
                                  strlen(calls[c].v), &out, NULL);
            uint64_t used = eg__alloc_count();
            eg__alloc_fail_at(0, false);
            EG_CHECK(rc == EG_OK || rc == EG_ENOMEM);
            if (rc == EG_OK) {
                EG_CHECK_STR(out.data, ref.data);
                done = used < n; /* no failure was injected */
            }
            eg__buf_free(&out);
            eg__op_worker_free(w2);
        }
        EG_CHECK(done);
        eg__buf_free(&ref);
    }
}

EG_TEST(speed)
{
    eg_op_settings s = op(EG_OP_ENCRYPT);
    eg_buf out = {0};
    struct timespec t0, t1;
    int n = 20000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        out.len = 0;
        eg__op_apply(wk, EG_T_cn_resident_id, &s, "11010519491231002X", 18,
                     &out, NULL);
        eg__op_apply(wk, EG_T_cn_mobile, &s, "13800138000", 11, &out, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) +
                (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    fprintf(stderr, "  encrypt: %.0f values/s (ID + mobile pairs)\n",
            2 * n / dt);
    eg__buf_free(&out);
}

int main(void)
{
    setup();
    EG_RUN(names);
    EG_RUN(redact_keep_drop);
    EG_RUN(mask);
    EG_RUN(normalize);
    EG_RUN(pseudonymize_token);
    EG_RUN(pseudonymize_digits);
    EG_RUN(encrypt_generic);
    EG_RUN(encrypt_small_domains_refused);
    EG_RUN(encrypt_resident_id);
    EG_RUN(encrypt_resident_id_forms);
    EG_RUN(encrypt_resident_id_refusals);
    EG_RUN(encrypt_bank_card);
    EG_RUN(encrypt_mobile_never_gains_a_prefix);
    EG_RUN(encrypt_random_round_trips);
    EG_RUN(generalize);
    EG_RUN(errors_name_no_value);
    EG_RUN(out_of_memory);
    EG_RUN(speed);
    eg__op_worker_free(wk);
    eg__protector_free(prot);
    return EG_TEST_END();
}
