/*
 * test_check_uscc.c: Unified Social Credit Code (GB 32100-2015): the rows
 * of shared/spec/test-vectors.md B6, near misses, the GB 11714
 * organisation-code check inside it, and the 200 real codes of
 * shared/data/uscc-samples.txt (read through $EG_SHARED).
 */
#include "check_testutil.h"
#include "eg_test.h"

#include <stdlib.h>

static int uscc(const char *s)
{
    return strlen(s) == 18 && eg__check_uscc(s, NULL);
}

EG_TEST(uscc_b6_vectors)
{
    int org = -1;
    EG_CHECK_INT(eg__check_uscc("91110000600037341L", &org), 1);
    EG_CHECK_INT(org, 1);
    EG_CHECK_INT(uscc(norm("91 110000 600037341L")), 1);
    EG_CHECK_INT(uscc(norm("91110000600037341l")), 1);
    EG_CHECK_INT(uscc("91310115MA1K3BTP2B"), 1);
    EG_CHECK_INT(uscc("121200004013590816"), 1);
    EG_CHECK_INT(uscc("91110000600037341N"), 0);
    EG_CHECK_INT(uscc("9111000060003IOZSV"), 0);
    EG_CHECK_INT(uscc("12345"), 0);
    EG_CHECK_INT(uscc("A1110000600037341L"), 0);
    /* letter authority code with a correct check: accepted */
    EG_CHECK_INT(uscc("Y1110000600037341Y"), 1);
}

EG_TEST(uscc_check_char)
{
    EG_CHECK_INT(eg__uscc_check_char("91110000600037341"), 'L');
    EG_CHECK_INT(eg__uscc_check_char("91310115MA1K3BTP2"), 'B');
    EG_CHECK_INT(eg__uscc_check_char("12120000401359081"), '6');
    /* I, O, S, V, Z and lowercase are outside the alphabet */
    EG_CHECK_INT(eg__uscc_check_char("9111000060003IOZS"), 0);
    EG_CHECK_INT(eg__uscc_check_char("9111000060003734I"), 0);
    EG_CHECK_INT(eg__uscc_check_char("9111000060003734O"), 0);
    EG_CHECK_INT(eg__uscc_check_char("9111000060003734S"), 0);
    EG_CHECK_INT(eg__uscc_check_char("9111000060003734V"), 0);
    EG_CHECK_INT(eg__uscc_check_char("9111000060003734Z"), 0);
    EG_CHECK_INT(eg__uscc_check_char("9111000060003734a"), 0);
}

/* Changing any one of the 18 characters to another alphabet character
 * breaks the check (MOD 31 with weights coprime to 31). */
EG_TEST(uscc_single_substitutions)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char s[19];
    int accepted = 0;
    for (int pos = 0; pos < 18; pos++) {
        memcpy(s, "91310115MA1K3BTP2B", 19);
        for (const char *c = alphabet; *c; c++) {
            if (*c == "91310115MA1K3BTP2B"[pos])
                continue;
            s[pos] = *c;
            accepted += eg__check_uscc(s, NULL);
        }
    }
    EG_CHECK_INT(accepted, 0);
}

EG_TEST(uscc_orgcode)
{
    int org = -1;
    /* 600037341: 6*3+3*5+7*8+3*4+4*2 = 109, 11 - 109 % 11 = 1 */
    EG_CHECK_INT(eg__check_uscc("91110000600037341L", &org), 1);
    EG_CHECK_INT(org, 1);
    EG_CHECK_INT(eg__check_uscc("91310115MA1K3BTP2B", &org), 1);
    EG_CHECK_INT(org, 1);
    /* a wrong organisation check with a right USCC check: still valid,
     * flagged */
    char s[19] = "9111000060003734";
    s[16] = '2';
    s[17] = eg__uscc_check_char(s);
    EG_CHECK_INT(eg__check_uscc(s, &org), 1);
    EG_CHECK_INT(org, 0);
    /* organisation check 10 is written X */
    memcpy(s, "91110000MA000000", 16);
    for (char c = '0'; c <= '9'; c++) {
        s[15] = c;
        s[16] = 'X';
        s[17] = eg__uscc_check_char(s);
        eg__check_uscc(s, &org);
        if (org)
            break;
    }
    EG_CHECK_INT(org, 1);
    EG_CHECK_INT(s[16], 'X');
}

/* All 200 real codes of shared/data/uscc-samples.txt are valid. */
EG_TEST(uscc_samples_file)
{
    const char *shared = getenv("EG_SHARED");
    if (!shared) {
        fprintf(stderr, "EG_SHARED unset: skipping uscc-samples.txt\n");
        return;
    }
    char path[4096], line[256];
    snprintf(path, sizeof path, "%s/data/uscc-samples.txt", shared);
    FILE *f = fopen(path, "r");
    EG_CHECK(f != NULL);
    if (!f)
        return;
    int codes = 0, valid = 0, org_ok = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        int org = 0;
        codes++;
        valid += strlen(line) == 18 && eg__check_uscc(line, &org);
        org_ok += org;
    }
    fclose(f);
    EG_CHECK_INT(codes, 200);
    EG_CHECK_INT(valid, 200);
    EG_CHECK_INT(org_ok, 200); /* GB 11714 holds for all of them */
}

int main(void)
{
    eg_error err;
    EG_CHECK_INT(eg__check_init(&err), EG_OK);
    EG_RUN(uscc_b6_vectors);
    EG_RUN(uscc_check_char);
    EG_RUN(uscc_single_substitutions);
    EG_RUN(uscc_orgcode);
    EG_RUN(uscc_samples_file);
    return EG_TEST_END();
}
