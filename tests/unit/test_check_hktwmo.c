/*
 * test_check_hktwmo.c: Hong Kong ID (B7), Taiwan ID and resident
 * certificate (B8), Macao ID format (B9) from shared/spec/test-vectors.md,
 * plus near misses.
 */
#include "check_testutil.h"
#include "eg_test.h"

static int hkid(const char *written)
{
    const char *s = norm(written);
    return eg__check_hkid(s, strlen(s));
}

static int twid(const char *written)
{
    const char *s = norm(written);
    return strlen(s) == 10 && eg__check_twid(s);
}

static int moid(const char *written)
{
    const char *s = norm(written);
    return strlen(s) == 8 && eg__check_moid(s);
}

EG_TEST(hkid_b7_vectors)
{
    EG_CHECK_INT(hkid("A123456(3)"), 1);
    EG_CHECK_INT(eg__check_hkid("A1234563", 8), 1);
    EG_CHECK_INT(hkid("a1234563"), 1);
    EG_CHECK_INT(hkid("C668668(9)"), 1);
    EG_CHECK_INT(hkid("G000000(A)"), 1);
    EG_CHECK_INT(hkid("Z683365(A)"), 1);
    EG_CHECK_INT(hkid("K000019(1)"), 1);
    EG_CHECK_INT(hkid("XY987654(8)"), 1);
    EG_CHECK_INT(hkid("WX123456(9)"), 1);
    EG_CHECK_INT(hkid("AB987654(3)"), 1);
    EG_CHECK_INT(hkid("A123456(4)"), 0);
    EG_CHECK_INT(hkid("AB987654(2)"), 0);
}

EG_TEST(hkid_near_misses)
{
    /* every other check character of a valid number fails */
    static const char checks[] = "0123456789A";
    char s[10] = "XY9876548";
    for (const char *c = checks; *c; c++) {
        s[8] = *c;
        EG_CHECK_INT(eg__check_hkid(s, 9), *c == '8');
    }
    EG_CHECK_INT(eg__check_hkid("A123456B", 8), 0);
    EG_CHECK_INT(eg__check_hkid("A123456", 7), 0);
    EG_CHECK_INT(eg__check_hkid("XYZ1234563", 10), 0);
    EG_CHECK_INT(eg__check_hkid("11234563", 8), 0);  /* digit for letter */
    EG_CHECK_INT(eg__check_hkid("AA1234563", 9), 0); /* not its check */
    EG_CHECK_INT(eg__check_hkid("A12E4563", 8), 0);  /* letter for digit */
    EG_CHECK_INT(eg__check_hkid("a1234563", 8), 0);  /* not normalized */
    EG_CHECK_INT(eg__check_hkid("A1234563", 9), 0);  /* length mismatch */
}

EG_TEST(twid_b8_vectors)
{
    EG_CHECK_INT(twid("A123456789"), 1);
    EG_CHECK_INT(twid("a123456789"), 1);
    EG_CHECK_INT(twid("A123456788"), 0);
    EG_CHECK_INT(twid("A323456789"), 0);
    EG_CHECK_INT(twid("F231234567"), 0);
    EG_CHECK_INT(twid("Z123456780"), 1);
    EG_CHECK_INT(twid("I123456781"), 1);
    EG_CHECK_INT(twid("O223456784"), 1);
    EG_CHECK_INT(twid("A800000005"), 1);
    EG_CHECK_INT(twid("A900000016"), 1);
    EG_CHECK_INT(twid("AA00000009"), 1);
}

EG_TEST(twid_near_misses)
{
    char s[11] = "A123456789";
    for (char c = '0'; c <= '9'; c++) {
        s[9] = c;
        EG_CHECK_INT(eg__check_twid(s), c == '9');
    }
    /* second character: only 1 2 8 9 A-D */
    EG_CHECK_INT(eg__check_twid("A023456789"), 0);
    EG_CHECK_INT(eg__check_twid("A723456789"), 0);
    EG_CHECK_INT(eg__check_twid("AE00000009"), 0);
    /* old ARC letters count as the units digit of their code: B = 11 */
    EG_CHECK_INT(eg__check_twid("AB00000001"), 1);
    EG_CHECK_INT(eg__check_twid("AD00000005"), 1);
    EG_CHECK_INT(eg__check_twid("1123456789"), 0);
    EG_CHECK_INT(eg__check_twid("a123456789"), 0); /* not normalized */
    EG_CHECK_INT(eg__check_twid("A12345678X"), 0);
    EG_CHECK_INT(eg__check_twid("A1234 6789"), 0);
}

EG_TEST(moid_b9_vectors)
{
    EG_CHECK_INT(moid("1234567(8)"), 1);
    EG_CHECK_INT(moid("5215299(8)"), 1);
    EG_CHECK_INT(moid("7123456(1)"), 1);
    EG_CHECK_INT(moid("3123456(7)"), 0);
    EG_CHECK_INT(moid("|1234567"), 0);
    /* the twinh/wei bracket-class bug: '|' anywhere is not a digit */
    EG_CHECK_INT(eg__check_moid("|1234567"), 0);
    EG_CHECK_INT(eg__check_moid("1|234567"), 0);
    EG_CHECK_INT(eg__check_moid("0123456X"), 0);
    EG_CHECK_INT(eg__check_moid("1234567A"), 0);
}

int main(void)
{
    eg_error err;
    EG_CHECK_INT(eg__check_init(&err), EG_OK);
    EG_RUN(hkid_b7_vectors);
    EG_RUN(hkid_near_misses);
    EG_RUN(twid_b8_vectors);
    EG_RUN(twid_near_misses);
    EG_RUN(moid_b9_vectors);
    return EG_TEST_END();
}
