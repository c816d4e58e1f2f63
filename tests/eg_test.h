/*
 * eg_test.h: the minimal unit-test harness shared by tests/unit/test_*.c.
 * Each test file defines its cases with EG_TEST(name) and lists them in
 * main() through EG_RUN(name); failures print file:line and the expression
 * and make the process exit non-zero.  Kept tiny on purpose: the tests
 * should read as tables of facts, not as framework code.
 */
#ifndef EG_TEST_H
#define EG_TEST_H
#include <stdio.h>
#include <string.h>

static int eg_test_failures;
static int eg_test_checks;

#define EG_CHECK(cond)                                                         \
    do {                                                                       \
        eg_test_checks++;                                                      \
        if (!(cond)) {                                                         \
            eg_test_failures++;                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define EG_CHECK_INT(a, b)                                                     \
    do {                                                                       \
        long long eg_a_ = (long long)(a), eg_b_ = (long long)(b);              \
        eg_test_checks++;                                                      \
        if (eg_a_ != eg_b_) {                                                  \
            eg_test_failures++;                                                \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n",        \
                    __FILE__, __LINE__, #a, eg_a_, #b, eg_b_);                 \
        }                                                                      \
    } while (0)

#define EG_CHECK_STR(a, b)                                                     \
    do {                                                                       \
        const char *eg_a_ = (a), *eg_b_ = (b);                                 \
        eg_test_checks++;                                                      \
        if (!eg_a_ || !eg_b_ || strcmp(eg_a_, eg_b_) != 0) {                   \
            eg_test_failures++;                                                \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n",          \
                    __FILE__, __LINE__, #a, eg_a_ ? eg_a_ : "(null)",          \
                    eg_b_ ? eg_b_ : "(null)");                                 \
        }                                                                      \
    } while (0)

#define EG_TEST(name) static void name(void)
#define EG_RUN(name)                                                           \
    do {                                                                       \
        int eg_before_ = eg_test_failures;                                     \
        name();                                                                \
        fprintf(stderr, "%s %s\n",                                             \
                eg_test_failures == eg_before_ ? "ok  " : "FAIL", #name);      \
    } while (0)
#define EG_TEST_END()                                                          \
    (fprintf(stderr, "%d checks, %d failed\n", eg_test_checks,                 \
             eg_test_failures),                                                \
     eg_test_failures ? 1 : 0)

#endif
