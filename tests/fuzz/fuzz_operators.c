/*
 * fuzz_operators.c: every operator on arbitrary values.  Input layout:
 * byte 0 picks the type, byte 1 the operator, byte 2 switches settings
 * (keep_region, keep_issuer, digits style, age bands), byte 3 a count
 * (keep_first, keep_last, decimals); the rest is the value, any bytes.
 * Invariants, checked with abort():
 *  - apply ends in EG_OK, EG_EINVAL (value refused) or EG_EUNSUPPORTED;
 *  - encrypt keeps the byte length and unmask restores the exact bytes;
 *  - an encrypted valid resident ID is still valid, an encrypted
 *    Luhn-valid card is still Luhn-valid with the same first 6 digits;
 *  - mask never returns a value with an ASCII letter or digit unchanged
 *    (it always masks at least one character of what it can mask).
 */
#include "detect/catalog.h"
#include "detect/check.h"
#include "protect/operators.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static eg_protector *prot;
static eg_op_worker *worker;

static void setup(void)
{
    unsigned char b[32] = {42};
    eg_key k;
    if (eg_key_from_bytes(&k, b, 32, NULL) != EG_OK ||
        eg__protector_new(&prot, &k, NULL) != EG_OK ||
        eg__op_worker_new(&worker, prot, NULL) != EG_OK ||
        eg__check_init(NULL) != EG_OK)
        abort();
}

static int luhn_ok(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2 && (v *= 2) > 9)
            v -= 9;
        sum += v;
    }
    return sum % 10 == 0;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Structural checks on an encrypted value that was plain ASCII. */
static void check_encrypted(int type, const eg_op_settings *s, const char *v,
                            size_t n, const char *e)
{
    int today = eg__today_ymd();
    if (type == EG_T_cn_resident_id && (n == 18 || n == 15) &&
        eg__check_resident_id(v, n, today, NULL) == EG_RID_VALID &&
        (n == 15 || v[17] != 'x') &&
        eg__check_resident_id(e, n, today, NULL) == EG_RID_INVALID)
        abort();
    if (type == EG_T_bank_card && n >= 13 && n <= 19 && all_digits(v, n) &&
        luhn_ok(v, n)) {
        if (!luhn_ok(e, n))
            abort();
        if (s->keep_issuer && memcmp(v, e, 6) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!prot)
        setup();
    if (size < 4 || size > 4096)
        return 0;
    int type = data[0] % EG_T_COUNT;
    eg_op_settings s;
    eg__op_settings_init(&s, (eg_op_kind)(data[1] % EG_OP_COUNT));
    s.keep_region = data[2] & 1;
    s.keep_issuer = (data[2] >> 1) & 1;
    s.style = (data[2] >> 2) & 1 ? EG_PSEUDO_DIGITS : EG_PSEUDO_TOKEN;
    s.dob = (data[2] >> 3) & 1 ? EG_DOB_AGE_BAND : EG_DOB_YEAR;
    s.keep_first = data[3] & 7;
    s.keep_last = (data[3] >> 3) & 7;
    s.decimals = data[3] % 11;
    const char *v = (const char *)data + 4;
    size_t n = size - 4;

    eg_buf out = {0}, back = {0};
    eg_error err;
    int rc = eg__op_apply(worker, type, &s, v, n, &out, &err);
    if (rc != EG_OK && rc != EG_EINVAL && rc != EG_EUNSUPPORTED &&
        rc != EG_ELIMIT)
        abort();
    if (rc == EG_OK && s.op == EG_OP_ENCRYPT) {
        if (out.len != n)
            abort();
        if (eg__op_reverse(worker, type, &s, out.data, out.len, &back, &err) !=
                EG_OK ||
            back.len != n || memcmp(back.data, v, n) != 0)
            abort();
        check_encrypted(type, &s, v, n, out.data);
    }
    if (rc == EG_OK && s.op == EG_OP_MASK && n > 0 && out.len == n &&
        memcmp(out.data, v, n) == 0) {
        /* unchanged is only right when nothing can be masked */
        for (size_t i = 0; i < n; i++)
            if ((v[i] >= '0' && v[i] <= '9') ||
                ((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'z'))
                abort();
    }
    eg__buf_free(&out);
    eg__buf_free(&back);
    return 0;
}
