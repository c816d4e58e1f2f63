/*
 * test_check_init.c: loading the validators' tables, lazily on first use
 * and concurrently from many threads, and the data-file reader the loaders
 * share (comments, CRLF, blank lines, field counts, headers).
 */
#include "detect/check_int.h"
#include "eg_test.h"

#include <pthread.h>
#include <string.h>

#define THREADS 8

/* Even threads call eg__check_init() first, odd ones go straight to the
 * validators, which must load the tables themselves.  Nobody has loaded
 * them before: this runs first. */
static void *first_use(void *arg)
{
    int *ok = arg;
    eg_error err;
    if (*ok % 2 == 0 && eg__check_init(&err) != EG_OK) {
        *ok = 0;
        return NULL;
    }
    *ok = eg__region_class("440524") == EG_REGION_COUNTY &&
          eg__mobile_segment_ok("13800138000") == 1 &&
          eg__card_issuer("6200000000000005", 16) == EG_ISSUER_UNIONPAY &&
          eg__area_code_len("0755", 4) == 4 &&
          eg__surname_len((const unsigned char *)"欧阳", 6) == 6;
    return NULL;
}

EG_TEST(concurrent_first_use)
{
    pthread_t t[THREADS];
    int ok[THREADS];
    for (int i = 0; i < THREADS; i++) {
        ok[i] = i;
        EG_CHECK_INT(pthread_create(&t[i], NULL, first_use, &ok[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        EG_CHECK_INT(ok[i], 1);
    }
    eg_error err;
    EG_CHECK_INT(eg__check_init(&err), EG_OK); /* idempotent */
}

static void open_text(eg_table *t, const char *text)
{
    eg__table_open(t, (const unsigned char *)text, strlen(text), "test.tsv");
}

EG_TEST(table_reader)
{
    eg_table t;
    eg_field f[3];
    eg_error err;
    open_text(&t, "# comment\r\n\nk\tv\r\n1\ttwo\r\n\n# x\n3\t\tlast\n4");
    EG_CHECK_INT(eg__table_header(&t, "k\tv", &err), EG_OK);
    EG_CHECK_INT(eg__table_next(&t, f, 3), 2);
    EG_CHECK(eg__field_is(f[0], "1") && eg__field_is(f[1], "two"));
    EG_CHECK_INT(t.line, 4);
    EG_CHECK_INT(eg__table_next(&t, f, 2), 3); /* counts all fields */
    EG_CHECK(eg__field_is(f[0], "3") && f[1].n == 0);
    EG_CHECK_INT(t.line, 7);
    EG_CHECK_INT(eg__table_next(&t, f, 3), 1); /* no final newline */
    EG_CHECK(eg__field_is(f[0], "4"));
    EG_CHECK_INT(eg__table_next(&t, f, 3), 0);
    EG_CHECK_INT(eg__table_next(&t, f, 3), 0);
}

EG_TEST(table_errors)
{
    eg_table t;
    eg_error err;
    open_text(&t, "# only comments\n");
    EG_CHECK_INT(eg__table_header(&t, "k\tv", &err), EG_EFORMAT);
    open_text(&t, "k\tw\n");
    EG_CHECK_INT(eg__table_header(&t, "k\tv", &err), EG_EFORMAT);
    EG_CHECK_STR(err.message, "embedded data/test.tsv, line 1: "
                              "unexpected header");
}

EG_TEST(field_numbers)
{
    uint32_t v = 0;
    EG_CHECK_INT(eg__field_uint((eg_field){"110105", 6}, 6, 6, &v), 1);
    EG_CHECK_INT(v, 110105);
    EG_CHECK_INT(eg__field_uint((eg_field){"11010", 5}, 6, 6, &v), 0);
    EG_CHECK_INT(eg__field_uint((eg_field){"1101a5", 6}, 6, 6, &v), 0);
    EG_CHECK_INT(eg__field_uint((eg_field){"", 0}, 0, 6, &v), 1);
    EG_CHECK_INT(v, 0);
    EG_CHECK_INT(eg__field_uint((eg_field){"1234567890", 10}, 1, 10, &v), 0);
}

int main(void)
{
    EG_RUN(concurrent_first_use);
    EG_RUN(table_reader);
    EG_RUN(table_errors);
    EG_RUN(field_numbers);
    return EG_TEST_END();
}
