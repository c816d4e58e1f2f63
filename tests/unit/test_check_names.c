/*
 * test_check_names.c: surnames at the start of UTF-8 text
 * (data/surnames.txt): single and compound, Simplified and Traditional,
 * the "common" flag, and text that must not match.
 */
#include "check_testutil.h"
#include "eg_test.h"

static int sur(const char *s)
{
    return eg__surname_len((const unsigned char *)s, strlen(s));
}

static int common(const char *s)
{
    return eg__surname_is_common((const unsigned char *)s, strlen(s));
}

EG_TEST(surname_lengths)
{
    EG_CHECK_INT(sur("欧阳"), 6);
    EG_CHECK_INT(sur("欧阳修"), 6);
    EG_CHECK_INT(sur("王"), 3);
    EG_CHECK_INT(sur("王小明"), 3);
    EG_CHECK_INT(sur("一"), 0);
    EG_CHECK_INT(sur("一万"), 0);
    EG_CHECK_INT(sur("欧"), 3); /* 欧 alone is a surname too */
    EG_CHECK_INT(sur("欧洲"), 3);
    EG_CHECK_INT(sur("司马懿"), 6);
    EG_CHECK_INT(sur("诸葛亮"), 6);
    EG_CHECK_INT(sur("上官婉儿"), 6);
    EG_CHECK_INT(sur("令狐冲"), 6);
    EG_CHECK_INT(sur("东方不败"), 6);
    EG_CHECK_INT(sur("西门"), 6);
    EG_CHECK_INT(sur("尉迟恭"), 6);
    EG_CHECK_INT(sur("第五条"), 0); /* 第五 left out on purpose */
    EG_CHECK_INT(sur("的"), 0);
}

EG_TEST(surname_traditional)
{
    static const char *const trad[] = {"陳", "張", "劉", "黃", "趙", "吳",
                                       "周", "楊", "鄭", "謝", "蕭", "葉"};
    for (size_t i = 0; i < EG_ARRAY_LEN(trad); i++) {
        EG_CHECK_INT(sur(trad[i]), 3);
        EG_CHECK_INT(common(trad[i]), 1);
    }
    EG_CHECK_INT(sur("歐陽"), 6);
    EG_CHECK_INT(sur("司馬"), 6);
    EG_CHECK_INT(sur("諸葛"), 6);
}

EG_TEST(surname_common)
{
    EG_CHECK_INT(common("王"), 1);
    EG_CHECK_INT(common("张三"), 1);
    EG_CHECK_INT(common("欧阳修"), 0); /* compound: not in the top 100 */
    EG_CHECK_INT(common("温"), 0);     /* a surname, not a top-100 one */
    EG_CHECK_INT(sur("温"), 3);
    EG_CHECK_INT(common("一"), 0);
    EG_CHECK_INT(common(""), 0);
}

/* The surname lists of the evaluation corpus (shared/eval/gen.py). */
EG_TEST(surname_eval_lists)
{
    static const char top[] =
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
        "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏"
        "韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
        "莫孔向汤";
    for (size_t i = 0; i + 3 <= sizeof top - 1; i += 3) {
        EG_CHECK_INT(eg__surname_len((const unsigned char *)top + i, 3), 3);
        EG_CHECK_INT(eg__surname_is_common((const unsigned char *)top + i, 3),
                     1);
    }
    static const char *const compound[] = {"欧阳", "司马", "上官", "诸葛",
                                           "东方", "皇甫", "慕容", "司徒"};
    for (size_t i = 0; i < EG_ARRAY_LEN(compound); i++)
        EG_CHECK_INT(sur(compound[i]), 6);
}

EG_TEST(surname_bad_input)
{
    EG_CHECK_INT(sur(""), 0);
    EG_CHECK_INT(sur("Wang"), 0);
    EG_CHECK_INT(eg__surname_len((const unsigned char *)"王", 2), 0);
    EG_CHECK_INT(eg__surname_len((const unsigned char *)"欧阳", 5), 3);
    EG_CHECK_INT(sur("\xE7\x8E"), 0);         /* truncated 王 */
    EG_CHECK_INT(sur("\xE7\x8E\x8E"), 0);     /* 玎 U+738E: not a surname */
    EG_CHECK_INT(sur("\xE7\x8E\x28"), 0);     /* bad continuation */
    EG_CHECK_INT(sur("\xF0\x9F\x98\x80"), 0); /* emoji */
    EG_CHECK_INT(sur("\xE3\x80\x80"), 0);     /* ideographic space */
    EG_CHECK_INT(sur("\xEF\xBC\x91"), 0);     /* full-width digit */
}

int main(void)
{
    eg_error err;
    EG_CHECK_INT(eg__check_init(&err), EG_OK);
    EG_RUN(surname_lengths);
    EG_RUN(surname_traditional);
    EG_RUN(surname_common);
    EG_RUN(surname_eval_lists);
    EG_RUN(surname_bad_input);
    return EG_TEST_END();
}
