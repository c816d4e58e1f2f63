/*
 * fuzz_policy.c: the YAML policy parser on arbitrary bytes.  A policy is
 * configuration a user may get wrong in any way, so parsing must end in
 * EG_OK or a clean error whatever the bytes (no crash, leak, hang or
 * quadratic blow-up), and a policy that parses must resolve every type to
 * settings its operator supports.  Those settings are then applied to a
 * sample value of each type, which exercises every setting's effect
 * (mask characters, texts, decimals...) on the operators.
 */
#include "detect/catalog.h"
#include "protect/operators.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static eg_protector *prot;
static eg_op_worker *worker;

static void setup(void)
{
    unsigned char b[32] = {7};
    eg_key k;
    if (eg_key_from_bytes(&k, b, 32, NULL) != EG_OK ||
        eg__protector_new(&prot, &k, NULL) != EG_OK ||
        eg__op_worker_new(&worker, prot, NULL) != EG_OK)
        abort();
}

static const char *sample(int type)
{
    switch (type) {
    case EG_T_cn_resident_id:
        return "11010519491231002X";
    case EG_T_bank_card:
        return "6212 3456 7890 1232";
    case EG_T_geo_coordinate:
        return "39.904211, 116.407395";
    case EG_T_date_of_birth:
        return "1990-05-17";
    case EG_T_cn_address:
        return "广东省广州市天河区体育西路103号";
    case EG_T_person_name:
        return "欧阳娜娜";
    default:
        return "+86 138-0013-8000";
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!prot)
        setup();
    eg_policy *p = NULL;
    eg_error err;
    int rc = eg__policy_parse(&p, (const char *)data, size, "fuzz", &err);
    if (rc != EG_OK) {
        if (p || (rc != EG_EFORMAT && rc != EG_ELIMIT && rc != EG_ENOMEM))
            abort();
        return 0;
    }
    for (int t = 0; t < EG_T_COUNT; t++) {
        const eg_op_settings *s = eg__policy_resolve(p, t);
        if (!s || !eg__op_supported(s, t))
            abort();
        eg_buf out = {0};
        const char *v = sample(t);
        rc = eg__op_apply(worker, t, s, v, strlen(v), &out, &err);
        if (rc != EG_OK && rc != EG_EINVAL)
            abort();
        eg__buf_free(&out);
    }
    eg__policy_free(p);
    return 0;
}
