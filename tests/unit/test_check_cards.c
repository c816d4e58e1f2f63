/*
 * test_check_cards.c: Luhn on bank cards and IMEIs (shared/spec/
 * test-vectors.md B10) and the card issuer table (data/card-issuers.tsv):
 * every network's ranges at their edges, the lengths each allows, and the
 * bank BINs the evaluation corpus uses.
 */
#include "check_testutil.h"
#include "eg_test.h"

static int luhn(const char *s)
{
    return eg__luhn(s, strlen(s));
}

static eg_issuer issuer(const char *s)
{
    return eg__card_issuer(s, strlen(s));
}

EG_TEST(luhn_b10_vectors)
{
    EG_CHECK_INT(luhn("79927398713"), 1);
    EG_CHECK_INT(luhn("79927398710"), 0);
    EG_CHECK_INT(luhn("4111111111111111"), 1);
    EG_CHECK_INT(luhn("4111111111111112"), 0);
    EG_CHECK_INT(luhn("6200000000000005"), 1);
    EG_CHECK_INT(luhn("6205500000000000004"), 1);
    EG_CHECK_INT(luhn("6212345678901232"), 1);
    EG_CHECK_INT(luhn("6212345678901234"), 0);
    EG_CHECK_INT(luhn("490154203237518"), 1); /* IMEI */
    EG_CHECK_INT(luhn("490154203237517"), 0);
}

EG_TEST(luhn_edges)
{
    /* each other last digit of a valid number fails */
    char s[] = "79927398713";
    for (char c = '0'; c <= '9'; c++) {
        s[10] = c;
        EG_CHECK_INT(luhn(s), c == '3');
    }
    /* swapping two adjacent digits (not 0/9) is caught */
    EG_CHECK_INT(luhn("79927398731"), 0);
    EG_CHECK_INT(luhn(""), 0);
    EG_CHECK_INT(luhn("0"), 1);
    EG_CHECK_INT(luhn("4111 1111 1111 1111"), 0); /* separators: not normal */
    EG_CHECK_INT(luhn("411111111111111A"), 0);
}

EG_TEST(issuer_networks)
{
    EG_CHECK_INT(issuer("4111111111111111"), EG_ISSUER_VISA);
    EG_CHECK_INT(issuer("4222222222222"), EG_ISSUER_VISA);       /* 13 */
    EG_CHECK_INT(issuer("4111111111111111110"), EG_ISSUER_VISA); /* 19 */
    EG_CHECK_INT(issuer("411111111111111"), EG_ISSUER_NONE);     /* 15 */
    EG_CHECK_INT(issuer("6200000000000005"), EG_ISSUER_UNIONPAY);
    EG_CHECK_INT(issuer("6205500000000000004"), EG_ISSUER_UNIONPAY);
    EG_CHECK_INT(issuer("621234567890123"), EG_ISSUER_NONE); /* 15 */
    EG_CHECK_INT(issuer("8171999927660000"), EG_ISSUER_UNIONPAY);
    EG_CHECK_INT(issuer("5105105105105100"), EG_ISSUER_MASTERCARD);
    EG_CHECK_INT(issuer("5500000000000004"), EG_ISSUER_MASTERCARD);
    EG_CHECK_INT(issuer("5600000000000003"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("2221000000000009"), EG_ISSUER_MASTERCARD);
    EG_CHECK_INT(issuer("2720990000000007"), EG_ISSUER_MASTERCARD);
    EG_CHECK_INT(issuer("2220990000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("2721000000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("378282246310005"), EG_ISSUER_AMEX);
    EG_CHECK_INT(issuer("341111111111111"), EG_ISSUER_AMEX);
    EG_CHECK_INT(issuer("3782822463100050"), EG_ISSUER_NONE); /* 16 */
    EG_CHECK_INT(issuer("3530111333300000"), EG_ISSUER_JCB);
    EG_CHECK_INT(issuer("3589000000000000000"), EG_ISSUER_JCB);
    EG_CHECK_INT(issuer("3527000000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("3590000000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("6011111111111117"), EG_ISSUER_DISCOVER);
    EG_CHECK_INT(issuer("6445644564456445"), EG_ISSUER_DISCOVER);
    EG_CHECK_INT(issuer("6500000000000002"), EG_ISSUER_DISCOVER);
    EG_CHECK_INT(issuer("6430000000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("30569309025904"), EG_ISSUER_DINERS); /* 14 */
    EG_CHECK_INT(issuer("38520000023237"), EG_ISSUER_DINERS);
    EG_CHECK_INT(issuer("36000000000008"), EG_ISSUER_DINERS);
    EG_CHECK_INT(issuer("3095000000000000"), EG_ISSUER_DINERS);
    EG_CHECK_INT(issuer("30600000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("9559980868435018"), EG_ISSUER_OTHER_DOMESTIC);
    EG_CHECK_INT(issuer("9558800200135073266"), EG_ISSUER_OTHER_DOMESTIC);
    EG_CHECK_INT(issuer("955880020013507"), EG_ISSUER_NONE); /* 15 */
}

EG_TEST(issuer_rejects)
{
    EG_CHECK_INT(issuer("0000000000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("1234567890123456"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("7000000000000000"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("62000000000000A5"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("62"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("6"), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer(""), EG_ISSUER_NONE);
    EG_CHECK_INT(issuer("62000000000000000000000000000000005"), EG_ISSUER_NONE);
}

/* Bank BINs of the evaluation corpus (shared/eval/gen.py CARD_BINS). */
EG_TEST(issuer_bank_bins)
{
    static const struct {
        const char *bin;
        int len;
        eg_issuer want;
    } bins[] = {
        {"622202", 19, EG_ISSUER_UNIONPAY},
        {"621226", 19, EG_ISSUER_UNIONPAY},
        {"622848", 19, EG_ISSUER_UNIONPAY},
        {"621700", 19, EG_ISSUER_UNIONPAY},
        {"622700", 19, EG_ISSUER_UNIONPAY},
        {"621661", 19, EG_ISSUER_UNIONPAY},
        {"622262", 19, EG_ISSUER_UNIONPAY},
        {"623668", 19, EG_ISSUER_UNIONPAY},
        {"622588", 16, EG_ISSUER_UNIONPAY},
        {"621483", 16, EG_ISSUER_UNIONPAY},
        {"622609", 16, EG_ISSUER_UNIONPAY},
        {"625802", 16, EG_ISSUER_UNIONPAY},
        {"427010", 16, EG_ISSUER_VISA},
        {"438088", 16, EG_ISSUER_VISA},
        {"456351", 16, EG_ISSUER_VISA},
        {"404117", 16, EG_ISSUER_VISA},
        {"512315", 16, EG_ISSUER_MASTERCARD},
        {"524094", 16, EG_ISSUER_MASTERCARD},
        {"552599", 16, EG_ISSUER_MASTERCARD},
        {"535918", 16, EG_ISSUER_MASTERCARD},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(bins); i++) {
        char card[20];
        snprintf(card, sizeof card, "%s0000000000000", bins[i].bin);
        EG_CHECK_INT(eg__card_issuer(card, (size_t)bins[i].len), bins[i].want);
    }
}

int main(void)
{
    eg_error err;
    EG_CHECK_INT(eg__check_init(&err), EG_OK);
    EG_RUN(luhn_b10_vectors);
    EG_RUN(luhn_edges);
    EG_RUN(issuer_networks);
    EG_RUN(issuer_rejects);
    EG_RUN(issuer_bank_bins);
    return EG_TEST_END();
}
