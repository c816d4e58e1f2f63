/*
 * test_check_rid.c: GB/T 2260 region classes and the resident ID validator
 * (GB 11643): every row of shared/spec/test-vectors.md B5, then near
 * misses built around them (each wrong check character, bad regions, bad
 * and leap dates, dates just after "today").
 */
#include "check_testutil.h"
#include "eg_test.h"

/* region (6 digits) + YYYYMMDD + 3-digit sequence + computed check. */
static const char *make_rid(const char *region, long ymd, const char *seq)
{
    static char id[19];
    snprintf(id, sizeof id, "%s%08ld%s", region, ymd, seq);
    id[17] = eg__rid_check_char(id);
    id[18] = '\0';
    return id;
}

static eg_rid_result rid(const char *s)
{
    return eg__check_resident_id(s, strlen(s), AS_OF, NULL);
}

EG_TEST(region_classes)
{
    EG_CHECK_INT(eg__region_class("110105"), EG_REGION_COUNTY);
    EG_CHECK_INT(eg__region_class("440524"), EG_REGION_COUNTY); /* 1983-92 */
    EG_CHECK_INT(eg__region_class("110100"), EG_REGION_PREFECTURE);
    EG_CHECK_INT(eg__region_class("110000"), EG_REGION_PREFECTURE);
    EG_CHECK_INT(eg__region_class("440300"), EG_REGION_PREFECTURE);
    EG_CHECK_INT(eg__region_class("810000"), EG_REGION_SPECIAL);
    EG_CHECK_INT(eg__region_class("820000"), EG_REGION_SPECIAL);
    EG_CHECK_INT(eg__region_class("830000"), EG_REGION_SPECIAL);
    /* known prefecture 4403 (Shenzhen), county 99 in no table */
    EG_CHECK_INT(eg__region_class("440399"), EG_REGION_UNKNOWN_COUNTY);
    /* known province 11, plausible prefecture 50 */
    EG_CHECK_INT(eg__region_class("115001"), EG_REGION_UNKNOWN_COUNTY);
    EG_CHECK_INT(eg__region_class("990426"), EG_REGION_INVALID);
    EG_CHECK_INT(eg__region_class("000000"), EG_REGION_INVALID);
    EG_CHECK_INT(eg__region_class("119901"), EG_REGION_INVALID); /* pref 99 */
    EG_CHECK_INT(eg__region_class("110001"), EG_REGION_INVALID); /* pref 00 */
    EG_CHECK_INT(eg__region_class("115000"), EG_REGION_INVALID);
    EG_CHECK_INT(eg__region_class("910000"), EG_REGION_INVALID);
    EG_CHECK_INT(eg__region_class("81010X"), EG_REGION_INVALID);
    EG_CHECK_INT(eg__region_class("11 105"), EG_REGION_INVALID);
}

/* shared/spec/test-vectors.md B5, row by row. */
EG_TEST(rid_b5_vectors)
{
    uint32_t birth = 0;
    EG_CHECK_INT(eg__check_resident_id("11010519491231002X", 18, AS_OF, &birth),
                 EG_RID_VALID);
    EG_CHECK_INT(birth, 19491231);
    EG_CHECK_INT(rid(norm("11010519491231002x")), EG_RID_VALID);
    EG_CHECK_INT(rid("360426199101010071"), EG_RID_VALID);
    EG_CHECK_INT(rid("44011320141005001X"), EG_RID_VALID);
    EG_CHECK_INT(eg__check_resident_id("130503670401001", 15, AS_OF, &birth),
                 EG_RID_VALID);
    EG_CHECK_INT(birth, 19670401);
    EG_CHECK_INT(rid("130503671301001"), EG_RID_INVALID);
    EG_CHECK_INT(rid("110105194912310021"), EG_RID_INVALID);
    EG_CHECK_INT(rid("36042619910102009X"), EG_RID_INVALID);
    EG_CHECK_INT(rid("360426199113010079"), EG_RID_INVALID);
    EG_CHECK_INT(rid("110105194912000021"), EG_RID_INVALID);
    EG_CHECK_INT(rid("110105194902300020"), EG_RID_INVALID);
    EG_CHECK_INT(rid("110105190002290025"), EG_RID_INVALID);
    EG_CHECK_INT(rid("110105200002290021"), EG_RID_VALID);
    EG_CHECK_INT(rid("110105209901010020"), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("110105", 20241231, "002")), EG_RID_INVALID);
    EG_CHECK_INT(rid("990426199112010074"), EG_RID_INVALID);
    EG_CHECK_INT(rid("000000194912310027"), EG_RID_INVALID);
    EG_CHECK_INT(rid("110100194912310028"), EG_RID_VALID_WEAK_REGION);
    EG_CHECK_INT(rid("440524188001010014"), EG_RID_VALID);
    EG_CHECK_INT(rid("810000199001010019"), EG_RID_VALID);
    EG_CHECK_INT(rid("11010519491231 02X"), EG_RID_INVALID);
    EG_CHECK_INT(rid(norm("１１０１０５１９４９１２３１００２X")),
                 EG_RID_VALID);
    EG_CHECK_STR(norm("１１０１０５１９４９１２３１００２X"),
                 "11010519491231002X");
}

EG_TEST(rid_check_char)
{
    EG_CHECK_INT(eg__rid_check_char("11010519491231002"), 'X');
    EG_CHECK_INT(eg__rid_check_char("36042619910101007"), '1');
    EG_CHECK_INT(eg__rid_check_char("13050319670401001"), '6');
    /* the 15-digit upgrade of the B5 legacy row */
    EG_CHECK_INT(rid("130503196704010016"), EG_RID_VALID);
}

/* Every wrong check character of every valid vector is rejected. */
EG_TEST(rid_wrong_check_chars)
{
    static const char *const valid[] = {
        "11010519491231002X", "360426199101010071", "44011320141005001X",
        "110105200002290021", "440524188001010014", "810000199001010019"};
    static const char checks[] = "0123456789X";
    for (size_t i = 0; i < EG_ARRAY_LEN(valid); i++) {
        char id[19];
        memcpy(id, valid[i], 19);
        for (const char *c = checks; *c; c++) {
            id[17] = *c;
            EG_CHECK_INT(rid(id) != EG_RID_INVALID, *c == valid[i][17]);
        }
        id[17] = 'Y';
        EG_CHECK_INT(rid(id), EG_RID_INVALID);
    }
}

EG_TEST(rid_regions)
{
    EG_CHECK_INT(rid(make_rid("820000", 19900101, "001")), EG_RID_VALID);
    EG_CHECK_INT(rid(make_rid("830000", 19900101, "001")), EG_RID_VALID);
    EG_CHECK_INT(rid(make_rid("440399", 19900101, "001")),
                 EG_RID_VALID_WEAK_REGION);
    EG_CHECK_INT(rid(make_rid("115001", 19900101, "001")),
                 EG_RID_VALID_WEAK_REGION);
    EG_CHECK_INT(rid(make_rid("990426", 19900101, "001")), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("119901", 19900101, "001")), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("910000", 19900101, "001")), EG_RID_INVALID);
}

EG_TEST(rid_dates)
{
    /* leap years: 2000 and 2004 yes, 1900 and 2001 no */
    EG_CHECK_INT(rid(make_rid("110105", 20000229, "001")), EG_RID_VALID);
    EG_CHECK_INT(rid(make_rid("110105", 20040229, "001")), EG_RID_VALID);
    EG_CHECK_INT(rid(make_rid("110105", 19000229, "001")), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("110105", 20010229, "001")), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("110105", 19490431, "001")), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("110105", 19490430, "001")), EG_RID_VALID);
    EG_CHECK_INT(rid(make_rid("110105", 19490001, "001")), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("110105", 19491301, "001")), EG_RID_INVALID);
    EG_CHECK_INT(rid(make_rid("110105", 19491232, "001")), EG_RID_INVALID);
    /* the oldest allowed year, and one before it */
    EG_CHECK_INT(rid(make_rid("110105", 18500101, "001")), EG_RID_VALID);
    EG_CHECK_INT(rid(make_rid("110105", 18491231, "001")), EG_RID_INVALID);
    /* "today" is allowed, tomorrow is not */
    EG_CHECK_INT(rid(make_rid("110105", AS_OF, "001")), EG_RID_VALID);
    EG_CHECK_INT(rid(make_rid("110105", AS_OF + 1, "001")), EG_RID_INVALID);
    const char *late = make_rid("110105", 20241231, "001");
    EG_CHECK_INT(eg__check_resident_id(late, 18, 20241231, NULL), EG_RID_VALID);
    EG_CHECK_INT(eg__check_resident_id(late, 18, 20241230, NULL),
                 EG_RID_INVALID);
}

EG_TEST(rid_legacy15)
{
    uint32_t birth = 0;
    EG_CHECK_INT(eg__check_resident_id("110105680229001", 15, AS_OF, &birth),
                 EG_RID_VALID); /* 1968 is a leap year */
    EG_CHECK_INT(birth, 19680229);
    EG_CHECK_INT(rid("110105690229001"), EG_RID_INVALID);
    EG_CHECK_INT(rid("110105000229001"), EG_RID_INVALID); /* 1900 */
    EG_CHECK_INT(rid("110105000228001"), EG_RID_VALID);
    EG_CHECK_INT(rid("110100491231002"), EG_RID_VALID_WEAK_REGION);
    EG_CHECK_INT(rid("990426491231002"), EG_RID_INVALID);
    EG_CHECK_INT(rid("11010549123100X"), EG_RID_INVALID);
    EG_CHECK_INT(rid("1101054912310"), EG_RID_INVALID);
}

EG_TEST(rid_lengths_and_alphabet)
{
    EG_CHECK_INT(eg__check_resident_id("11010519491231002X", 17, AS_OF, NULL),
                 EG_RID_INVALID);
    EG_CHECK_INT(eg__check_resident_id("11010519491231002X", 16, AS_OF, NULL),
                 EG_RID_INVALID);
    EG_CHECK_INT(eg__check_resident_id("", 0, AS_OF, NULL), EG_RID_INVALID);
    EG_CHECK_INT(rid("X1010519491231002X"), EG_RID_INVALID);
    EG_CHECK_INT(rid("1101051949123100XX"), EG_RID_INVALID);
    uint32_t birth = 7;
    EG_CHECK_INT(eg__check_resident_id("110105194912310021", 18, AS_OF, &birth),
                 EG_RID_INVALID);
    EG_CHECK_INT(birth, 7); /* untouched on failure */
}

int main(void)
{
    eg_error err;
    EG_CHECK_INT(eg__check_init(&err), EG_OK);
    EG_RUN(region_classes);
    EG_RUN(rid_b5_vectors);
    EG_RUN(rid_check_char);
    EG_RUN(rid_wrong_check_chars);
    EG_RUN(rid_regions);
    EG_RUN(rid_dates);
    EG_RUN(rid_legacy15);
    EG_RUN(rid_lengths_and_alphabet);
    return EG_TEST_END();
}
