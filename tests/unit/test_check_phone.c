/*
 * test_check_phone.c: mainland mobile segments (data/mobile-segments.tsv)
 * and fixed-line area codes (data/area-codes.tsv plus the 4-digit rule).
 */
#include "check_testutil.h"
#include "eg_test.h"

/* The 11-digit number segment + "0" padding. */
static int mobile(const char *segment)
{
    char d[12] = "00000000000";
    memcpy(d, segment, strlen(segment));
    return eg__mobile_segment_ok(d);
}

static int area(const char *d)
{
    return eg__area_code_len(d, strlen(d));
}

EG_TEST(mobile_segments)
{
    static const char *const allocated[] = {
        "138",   "199",  "192", "162",  "145", "130", "133", "1340",
        "1348",  "1349", "147", "149",  "150", "153", "157", "165",
        "166",   "167",  "170", "1703", "171", "172", "173", "17400",
        "17405", "175",  "176", "177",  "178", "180", "184", "189",
        "190",   "191",  "193", "195",  "196", "197", "198"};
    static const char *const unallocated[] = {
        "154",   "140",  "100",  "120", "141", "143", "144", "146", "148",
        "160",   "161",  "163",  "164", "168", "169", "179", "194", "17406",
        "17412", "1741", "1749", "110", "200", "911", "099"};
    for (size_t i = 0; i < EG_ARRAY_LEN(allocated); i++)
        EG_CHECK_INT(mobile(allocated[i]), 1);
    for (size_t i = 0; i < EG_ARRAY_LEN(unallocated); i++)
        EG_CHECK_INT(mobile(unallocated[i]), 0);
}

/* Segments the evaluation corpus draws mobiles from (shared/eval/gen.py). */
EG_TEST(mobile_eval_segments)
{
    static const char *const segs[] = {
        "130", "131", "132", "133", "134", "135", "136", "137", "138",
        "139", "147", "150", "151", "152", "153", "155", "156", "157",
        "158", "159", "166", "176", "177", "180", "181", "182", "183",
        "184", "185", "186", "187", "188", "189", "198", "199"};
    for (size_t i = 0; i < EG_ARRAY_LEN(segs); i++)
        EG_CHECK_INT(mobile(segs[i]), 1);
}

EG_TEST(mobile_format)
{
    EG_CHECK_INT(eg__mobile_segment_ok("13800138000"), 1);
    EG_CHECK_INT(eg__mobile_segment_ok("1380013800A"), 0);
    EG_CHECK_INT(eg__mobile_segment_ok("138 0013800"), 0);
    EG_CHECK_INT(eg__mobile_segment_ok("13８00138000"), 0); /* not normal */
}

EG_TEST(area_code_lengths)
{
    EG_CHECK_INT(area("010"), 3);
    EG_CHECK_INT(area("01088886666"), 3);
    EG_CHECK_INT(area("01012345678"), 3); /* the findings.md example */
    EG_CHECK_INT(area("020"), 3);
    EG_CHECK_INT(area("02987654321"), 3);
    EG_CHECK_INT(area("0755"), 4);
    EG_CHECK_INT(area("075588886666"), 4);
    EG_CHECK_INT(area("0311"), 4);
    EG_CHECK_INT(area("03112345678"), 4);
    EG_CHECK_INT(area("0531"), 4);
    EG_CHECK_INT(area("0898"), 4);
    EG_CHECK_INT(area("0999"), 4);
    /* not in the file but a plausible 4-digit code: kept for recall */
    EG_CHECK_INT(area("0399"), 4);
    EG_CHECK_INT(area("0612"), 4);
    /* not area codes */
    EG_CHECK_INT(area("0000"), 0);
    EG_CHECK_INT(area("0100"), 0);         /* 010 then a 0 */
    EG_CHECK_INT(area("075501234567"), 0); /* 0755 then a 0 */
    EG_CHECK_INT(area("011"), 0);
    EG_CHECK_INT(area("0123"), 0);
    EG_CHECK_INT(area("0198"), 0);
    EG_CHECK_INT(area("026"), 0);
    EG_CHECK_INT(area("02612345678"), 0);
    EG_CHECK_INT(area("00852"), 0); /* international prefix */
    EG_CHECK_INT(area("075"), 0);   /* too short for 4 digits */
    EG_CHECK_INT(area("07"), 0);
    EG_CHECK_INT(area(""), 0);
    EG_CHECK_INT(area("7551234"), 0); /* no leading 0 */
    EG_CHECK_INT(area("07A5"), 0);
    EG_CHECK_INT(area("075A"), 0);
}

EG_TEST(area_code_names)
{
    EG_CHECK_STR(eg__area_code_name("010", 3), "北京");
    EG_CHECK_STR(eg__area_code_name("02112345678", 11), "上海");
    EG_CHECK_STR(eg__area_code_name("0755", 4), "深圳");
    EG_CHECK_STR(eg__area_code_name("0311", 4), "石家庄");
    EG_CHECK_STR(eg__area_code_name("0371", 4), "郑州");
    EG_CHECK_STR(eg__area_code_name("0532", 4), "青岛");
    EG_CHECK_STR(eg__area_code_name("0571", 4), "杭州");
    EG_CHECK_STR(eg__area_code_name("0592", 4), "厦门");
    EG_CHECK_STR(eg__area_code_name("0731", 4), "长沙");
    EG_CHECK_STR(eg__area_code_name("0991", 4), "乌鲁木齐");
    EG_CHECK(eg__area_code_name("0399", 4) == NULL);
    EG_CHECK(eg__area_code_name("0100", 4) == NULL);
    EG_CHECK(eg__area_code_name("026", 3) == NULL);
}

int main(void)
{
    eg_error err;
    EG_CHECK_INT(eg__check_init(&err), EG_OK);
    EG_RUN(mobile_segments);
    EG_RUN(mobile_eval_segments);
    EG_RUN(mobile_format);
    EG_RUN(area_code_lengths);
    EG_RUN(area_code_names);
    return EG_TEST_END();
}
