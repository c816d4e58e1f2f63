/*
 * bench_count.c: link and count N distinct individuals through libegress
 * (not a test; run by bench/bench_count.sh).
 *
 * Each synthetic person appears twice, as a scan would deliver them: in
 * input 0 with a resident ID and a mobile number in one record, in input 1
 * with the same mobile and an e-mail address; so N people make 3N distinct
 * keys and 2N records, and union-find must join each person's three keys
 * across the two inputs.  Fingerprints are a keyed hash's stand-in: a
 * 64-bit mix of the person number, distinct per type.  Prints the time of
 * each phase; the script adds peak RSS from /usr/bin/time -v.
 *
 * usage: bench_count [N] [STATE_FILE]
 */
#include "egress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static void add(eg_state *st, uint32_t input, uint64_t record, int type,
                uint64_t fp, uint32_t birth)
{
    eg_finding f;
    memset(&f, 0, sizeof f);
    f.input_index = input;
    f.record = record;
    f.type = type;
    f.fp64 = fp;
    f.birth_ymd = birth;
    eg_error err;
    if (eg_state_add_finding(st, &f, &err) != EG_OK) {
        fprintf(stderr, "add: %s\n", err.message);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
    const char *path = argc > 2 ? argv[2] : NULL;
    int rid = eg_type_from_id("cn_resident_id");
    int mob = eg_type_from_id("cn_mobile");
    int mail = eg_type_from_id("email");
    eg_state_options o = EG_STATE_OPTIONS_INIT;
    o.key_id = "0123456789abcdef";
    eg_state *st;
    eg_error err;
    if (eg_state_new(&st, &o, &err) != EG_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t0 = now();
    for (uint64_t p = 0; p < n; p++) {
        uint32_t birth =
            (uint32_t)(19500101 + (p % 70) * 10000 + (p % 12) * 100 + p % 28);
        add(st, 0, p, rid, mix(p * 3), birth);
        add(st, 0, p, mob, mix(p * 3 + 1), 0);
    }
    for (uint64_t p = 0; p < n; p++) {
        uint64_t q = (p * 7919) % n; /* another order in the second input */
        add(st, 1, p, mob, mix(q * 3 + 1), 0);
        add(st, 1, p, mail, mix(q * 3 + 2), 0);
    }
    double t1 = now();
    eg_counts c;
    if (eg_state_count(st, 20250601, &c, &err) != EG_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t2 = now();
    printf("people          %llu\n", (unsigned long long)n);
    printf("individuals     %llu (%s)\n", (unsigned long long)c.individuals,
           c.exact ? "exact" : "estimate");
    printf("sensitive       %llu\n",
           (unsigned long long)c.sensitive_individuals);
    printf("minors          %llu\n", (unsigned long long)c.minors_under_14);
    printf("distinct keys   %llu\n", (unsigned long long)c.distinct_keys);
    printf("records         %llu\n", (unsigned long long)c.records_with_pi);
    printf("link (4N finds) %.2f s\n", t1 - t0);
    printf("count           %.2f s\n", t2 - t1);
    if (path) {
        if (eg_state_write(st, path, &err) != EG_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        double t3 = now();
        eg_state_free(st); /* measure the reader alone */
        st = NULL;
        eg_state *back;
        if (eg_state_read(&back, path, &err) != EG_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        double t4 = now();
        eg_counts d;
        eg_state_count(back, 20250601, &d, &err);
        printf("write           %.2f s\n", t3 - t2);
        printf("read            %.2f s\n", t4 - t3);
        printf("read back same  %s\n",
               memcmp(&c, &d, sizeof c) == 0 ? "yes" : "NO");
        eg_state_free(back);
    }
    int ok = c.individuals == n && c.exact;
    eg_state_free(st);
    return ok ? 0 : 1;
}
