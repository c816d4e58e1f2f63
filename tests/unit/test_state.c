/*
 * test_state.c: linking and counting individuals (lib/state/).
 *
 * Findings are fed as the scan would deliver them.  The facts: one person
 * seen under different identifiers in different files counts once; chains
 * link; equal fingerprints of different types are different keys; records
 * without a key are reported, not guessed; sensitive PI and under-14s from
 * the birth date relative to the as-of date (14th birthday boundary, 29
 * February); two resident IDs are two people; a corpus split into 4 shards
 * and merged counts exactly as one state; estimates above the budget stay
 * within their error bound.
 */
#include "common/eg_common.h"
#include "egress.h"
#include "eg_test.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *KEY = "0123456789abcdef";
static int T_RID, T_MOBILE, T_EMAIL, T_PASSPORT, T_NAME, T_GEO, T_CARD, T_MARK,
    T_CRED;

static void init_types(void)
{
    T_RID = eg_type_from_id("cn_resident_id");
    T_MOBILE = eg_type_from_id("cn_mobile");
    T_EMAIL = eg_type_from_id("email");
    T_PASSPORT = eg_type_from_id("cn_passport");
    T_NAME = eg_type_from_id("person_name");
    T_GEO = eg_type_from_id("geo_coordinate");
    T_CARD = eg_type_from_id("bank_card");
    T_MARK = eg_type_from_id("confidential_marking");
    T_CRED = eg_type_from_id("credential");
}

static eg_state *new_state(uint64_t limit, uint32_t k)
{
    eg_state_options o = EG_STATE_OPTIONS_INIT;
    o.key_id = KEY;
    o.exact_key_limit = limit;
    o.sketch_k = k;
    eg_state *st = NULL;
    eg_error err;
    if (eg_state_new(&st, &o, &err) != EG_OK) {
        fprintf(stderr, "eg_state_new: %s\n", err.message);
        exit(1);
    }
    return st;
}

static void add(eg_state *st, uint32_t input, uint64_t record, int type,
                uint64_t fp, uint32_t birth)
{
    eg_finding f;
    memset(&f, 0, sizeof f);
    f.path = "test";
    f.input_index = input;
    f.record = record;
    f.type = type;
    f.fp64 = fp;
    f.birth_ymd = birth;
    eg_error err;
    EG_CHECK_INT(eg_state_add_finding(st, &f, &err), EG_OK);
}

static eg_counts count(const eg_state *st, int as_of)
{
    eg_counts c;
    eg_error err;
    EG_CHECK_INT(eg_state_count(st, as_of, &c, &err), EG_OK);
    return c;
}

EG_TEST(phone_then_id_and_phone_is_one_person)
{
    eg_state *st = new_state(0, 0);
    add(st, 0, 0, T_MOBILE, 111, 0);     /* file A: phone */
    add(st, 1, 0, T_RID, 222, 19491231); /* file B: ID + phone */
    add(st, 1, 0, T_MOBILE, 111, 0);
    eg_counts c = count(st, 20250601);
    EG_CHECK_INT(c.individuals, 1);
    EG_CHECK_INT(c.sensitive_individuals, 1); /* an ID document */
    EG_CHECK_INT(c.records_with_pi, 2);
    EG_CHECK_INT(c.unlinked_records, 0);
    EG_CHECK_INT(c.inputs_with_pi, 2);
    EG_CHECK_INT(c.distinct_keys, 2);
    EG_CHECK_INT(c.keys_by_type[T_MOBILE], 1);
    EG_CHECK_INT(c.keys_by_type[T_RID], 1);
    EG_CHECK_INT(c.findings_by_type[T_MOBILE], 2);
    EG_CHECK_INT(c.findings, 3);
    EG_CHECK_INT(c.exact, 1);
    eg_state_free(st);
}

EG_TEST(chain_across_three_files_is_one_person)
{
    eg_state *st = new_state(0, 0);
    add(st, 0, 0, T_MOBILE, 1, 0); /* A: phone1, id1 */
    add(st, 0, 0, T_RID, 2, 19800101);
    add(st, 1, 0, T_RID, 2, 19800101); /* B: id1, mail1 */
    add(st, 1, 0, T_EMAIL, 3, 0);
    add(st, 2, 0, T_EMAIL, 3, 0); /* C: mail1 */
    EG_CHECK_INT(count(st, 20250601).individuals, 1);
    /* The chain in the other order: C first, then B, then A. */
    eg_state *st2 = new_state(0, 0);
    add(st2, 0, 0, T_EMAIL, 3, 0);
    add(st2, 1, 0, T_RID, 2, 19800101);
    add(st2, 1, 0, T_EMAIL, 3, 0);
    add(st2, 2, 0, T_MOBILE, 1, 0);
    add(st2, 2, 0, T_RID, 2, 19800101);
    EG_CHECK_INT(count(st2, 20250601).individuals, 1);
    eg_state_free(st);
    eg_state_free(st2);
}

EG_TEST(records_split_people_and_types_split_keys)
{
    eg_state *st = new_state(0, 0);
    add(st, 0, 0, T_MOBILE, 5, 0);
    add(st, 0, 1, T_EMAIL, 5, 0); /* same fp64, another type: another key */
    add(st, 0, 2, T_MOBILE, 6, 0);
    add(st, 1, 2, T_MOBILE, 7, 0); /* record 2 of another input */
    eg_counts c = count(st, 20250601);
    EG_CHECK_INT(c.individuals, 4);
    EG_CHECK_INT(c.sensitive_individuals, 0);
    EG_CHECK_INT(c.records_with_pi, 4);
    eg_state_free(st);
}

EG_TEST(unlinked_records_are_reported_not_guessed)
{
    eg_state *st = new_state(0, 0);
    add(st, 0, 0, T_NAME, 10, 0); /* a name alone */
    add(st, 0, 1, T_GEO, 11, 0);  /* a location alone: sensitive */
    add(st, 0, 2, T_NAME, 12, 0); /* a name with a phone */
    add(st, 0, 2, T_MOBILE, 13, 0);
    add(st, 0, 3, T_CRED, 14, 0); /* not PI */
    add(st, 0, 3, T_MARK, 15, 0);
    eg_counts c = count(st, 20250601);
    EG_CHECK_INT(c.individuals, 1);
    EG_CHECK_INT(c.records_with_pi, 3);
    EG_CHECK_INT(c.unlinked_records, 2);
    EG_CHECK_INT(c.records_with_sensitive_pi, 1);
    EG_CHECK_INT(c.unlinked_sensitive_records, 1);
    EG_CHECK_INT(c.findings_by_category[EG_CAT_CONFIDENTIAL], 1);
    EG_CHECK_INT(c.findings_by_category[EG_CAT_CREDENTIAL], 1);
    EG_CHECK_INT(c.findings_by_category[EG_CAT_PI], 3);
    EG_CHECK_INT(c.findings_by_category[EG_CAT_SENSITIVE_PI], 1);
    eg_state_free(st);
}

EG_TEST(sensitive_non_key_findings_mark_the_person)
{
    eg_state *st = new_state(0, 0);
    add(st, 0, 0, T_GEO, 1, 0); /* location before the phone */
    add(st, 0, 0, T_MOBILE, 2, 0);
    add(st, 0, 1, T_MOBILE, 3, 0); /* location after the phone */
    add(st, 0, 1, T_GEO, 4, 0);
    add(st, 0, 2, T_MOBILE, 5, 0); /* no location */
    add(st, 0, 3, T_EMAIL, 6, 0);  /* linked later to a located phone */
    add(st, 1, 0, T_EMAIL, 6, 0);
    add(st, 1, 0, T_MOBILE, 2, 0);
    add(st, 1, 1, T_CARD, 7, 0); /* a bank card is sensitive itself */
    eg_counts c = count(st, 20250601);
    EG_CHECK_INT(c.individuals, 4);
    EG_CHECK_INT(c.sensitive_individuals, 3);
    EG_CHECK_INT(c.records_with_sensitive_pi, 3);
    EG_CHECK_INT(c.unlinked_sensitive_records, 0);
    eg_state_free(st);
}

EG_TEST(under_14_relative_to_the_as_of_date)
{
    eg_state *st = new_state(0, 0);
    add(st, 0, 0, T_RID, 1, 20111129); /* 14 on 2025-11-29 */
    add(st, 0, 1, T_RID, 2, 20000229); /* 14 on 2014-03-01 */
    add(st, 0, 2, T_RID, 3, 20100301); /* 14 on 2024-03-01 */
    add(st, 0, 3, T_MOBILE, 4, 0);
    EG_CHECK_INT(count(st, 20251128).minors_under_14, 1);
    EG_CHECK_INT(count(st, 20251129).minors_under_14, 0);
    EG_CHECK_INT(count(st, 20140228).minors_under_14, 3);
    EG_CHECK_INT(count(st, 20140301).minors_under_14, 2);
    EG_CHECK_INT(count(st, 20240229).minors_under_14, 2); /* leap day */
    EG_CHECK_INT(count(st, 20240301).minors_under_14, 1);
    /* a 29 February that does not exist is no birth date */
    add(st, 0, 4, T_RID, 5, 20020229);
    EG_CHECK_INT(count(st, 20140228).minors_under_14, 3);
    eg_counts c = count(st, 20251128);
    EG_CHECK_INT(c.individuals, 5);
    EG_CHECK_INT(c.sensitive_individuals, 4);
    /* A minor linked to a phone elsewhere is still one sensitive person. */
    add(st, 1, 0, T_MOBILE, 4, 0);
    add(st, 1, 0, T_RID, 1, 20111129);
    c = count(st, 20251128);
    EG_CHECK_INT(c.individuals, 4);
    EG_CHECK_INT(c.sensitive_individuals, 4);
    EG_CHECK_INT(c.minors_under_14, 1);
    eg_error err;
    EG_CHECK_INT(eg_state_count(st, 20250230, &c, &err), EG_EINVAL);
    eg_state_free(st);
}

EG_TEST(two_resident_ids_are_two_people)
{
    eg_state *st = new_state(0, 0);
    /* a guardian and a child in one record, with one phone */
    add(st, 0, 0, T_RID, 1, 19800101);
    add(st, 0, 0, T_RID, 2, 20150101);
    add(st, 0, 0, T_MOBILE, 3, 0);
    add(st, 0, 1, T_MOBILE, 3, 0);
    add(st, 0, 1, T_PASSPORT, 4, 0);
    eg_counts c = count(st, 20250601);
    EG_CHECK_INT(c.individuals, 2);
    EG_CHECK_INT(c.sensitive_individuals, 2);
    EG_CHECK_INT(c.minors_under_14, 1);
    EG_CHECK_INT(c.multi_id_groups, 1);
    eg_state_free(st);
}

EG_TEST(bad_arguments)
{
    eg_error err;
    eg_state *st = NULL;
    eg_state_options o = EG_STATE_OPTIONS_INIT;
    EG_CHECK_INT(eg_state_new(&st, &o, &err), EG_EINVAL); /* no key id */
    o.key_id = "0123456789ABCDEF";
    EG_CHECK_INT(eg_state_new(&st, &o, &err), EG_EINVAL);
    o.key_id = "0123";
    EG_CHECK_INT(eg_state_new(&st, &o, &err), EG_EINVAL);
    st = new_state(0, 0);
    eg_finding f;
    memset(&f, 0, sizeof f);
    f.type = 9999;
    EG_CHECK_INT(eg_state_add_finding(st, &f, &err), EG_EINVAL);
    EG_CHECK_STR(eg_state_key_id(st), KEY);
    eg_state_free(st);
    eg_state_free(NULL);
}

/* ---- a synthetic corpus with known answers ---- */

typedef struct synth_finding {
    uint32_t input;
    uint64_t record;
    int type;
    uint64_t fp;
    uint32_t birth;
} synth_finding;

typedef struct corpus {
    synth_finding *f;
    size_t n, cap;
    uint64_t persons, sensitive, minors, records;
} corpus;

static void push(corpus *c, uint32_t in, uint64_t rec, int type, uint64_t fp,
                 uint32_t birth)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->f = realloc(c->f, c->cap * sizeof *c->f);
    }
    synth_finding s = {in, rec, type, fp, birth};
    c->f[c->n++] = s;
}

static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

/* People with 1-4 identifiers spread over records in 8 inputs; each
 * record holds two consecutive identifiers of one person (a chain), so the
 * truth is known: persons, sensitive ones, minors at 2025-06-01. */
static corpus make_corpus(size_t people)
{
    corpus c = {0};
    const int types[] = {T_RID, T_MOBILE, T_EMAIL, T_PASSPORT};
    uint64_t next_record[8] = {0};
    for (size_t p = 0; p < people; p++) {
        int nkeys = 1 + (int)(rnd() % 4);
        uint64_t fps[4];
        int ts[4];
        bool sens = false, minor = false;
        uint32_t birth = 0;
        for (int k = 0; k < nkeys; k++) {
            ts[k] = types[(p + (size_t)k) % 4];
            fps[k] = rnd();
            if (ts[k] == T_RID || ts[k] == T_PASSPORT)
                sens = true;
            if (ts[k] == T_RID) {
                birth = (uint32_t)(19500101 + (rnd() % 70) * 10000 +
                                   (rnd() % 12) * 100 + rnd() % 28);
                minor = birth > 20110601;
            }
        }
        bool geo = rnd() % 10 == 0;
        int nrec = nkeys == 1 ? 1 : nkeys - 1;
        for (int r = 0; r < nrec; r++) {
            uint32_t in = (uint32_t)(rnd() % 8);
            uint64_t rec = next_record[in]++;
            int a = r, b = nkeys == 1 ? r : r + 1;
            push(&c, in, rec, T_NAME, rnd(), 0);
            push(&c, in, rec, ts[a], fps[a], ts[a] == T_RID ? birth : 0);
            if (b != a)
                push(&c, in, rec, ts[b], fps[b], ts[b] == T_RID ? birth : 0);
            if (geo && r == 0) {
                push(&c, in, rec, T_GEO, rnd(), 0);
                sens = true;
            }
            c.records++;
        }
        c.persons++;
        c.sensitive += sens;
        c.minors += minor;
    }
    return c;
}

static int cmp_synth(const void *a, const void *b)
{
    const synth_finding *x = a, *y = b;
    if (x->input != y->input)
        return x->input < y->input ? -1 : 1;
    if (x->record != y->record)
        return x->record < y->record ? -1 : 1;
    return 0;
}

static void feed(eg_state *st, const corpus *c, int shard, int nshards)
{
    for (size_t i = 0; i < c->n; i++)
        if (shard < 0 || (int)(c->f[i].input % (uint32_t)nshards) == shard)
            add(st, c->f[i].input, c->f[i].record, c->f[i].type, c->f[i].fp,
                c->f[i].birth);
}

static bool same_counts(const eg_counts *a, const eg_counts *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

EG_TEST(synthetic_corpus_counts_its_truth_and_shards_merge_exactly)
{
    corpus c = make_corpus(20000);
    /* stable sort keeps each record's findings in their order */
    for (size_t i = 1; i < c.n; i++) {
        synth_finding x = c.f[i];
        size_t j = i;
        while (j > 0 && cmp_synth(&c.f[j - 1], &x) > 0) {
            c.f[j] = c.f[j - 1];
            j--;
        }
        c.f[j] = x;
    }
    eg_state *one = new_state(0, 0);
    feed(one, &c, -1, 1);
    eg_counts whole = count(one, 20250601);
    EG_CHECK_INT(whole.individuals, c.persons);
    EG_CHECK_INT(whole.sensitive_individuals, c.sensitive);
    EG_CHECK_INT(whole.minors_under_14, c.minors);
    EG_CHECK_INT(whole.records_with_pi, c.records);
    EG_CHECK_INT(whole.unlinked_records, 0);

    /* four shards by input, merged in memory */
    eg_state *shard[4];
    for (int s = 0; s < 4; s++) {
        shard[s] = new_state(0, 0);
        feed(shard[s], &c, s, 4);
    }
    eg_state *merged = new_state(0, 0);
    eg_error err;
    for (int s = 3; s >= 0; s--)
        EG_CHECK_INT(eg_state_merge(merged, shard[s], &err), EG_OK);
    eg_counts m = count(merged, 20250601);
    EG_CHECK(same_counts(&m, &whole));

    /* the same through files: write, read the first, stream the rest */
    char paths[4][64];
    for (int s = 0; s < 4; s++) {
        snprintf(paths[s], sizeof paths[s], "/tmp/eg_test_shard_%d_%d.st",
                 (int)getpid(), s);
        EG_CHECK_INT(eg_state_write(shard[s], paths[s], &err), EG_OK);
    }
    eg_state *fromfiles = NULL;
    EG_CHECK_INT(eg_state_read(&fromfiles, paths[2], &err), EG_OK);
    EG_CHECK_INT(eg_state_merge_file(fromfiles, paths[0], &err), EG_OK);
    EG_CHECK_INT(eg_state_merge_file(fromfiles, paths[3], &err), EG_OK);
    EG_CHECK_INT(eg_state_merge_file(fromfiles, paths[1], &err), EG_OK);
    eg_counts f = count(fromfiles, 20250601);
    EG_CHECK(same_counts(&f, &whole));
    for (int y = 20100101; y <= 20300101; y += 50000)
        EG_CHECK_INT(count(fromfiles, y).minors_under_14,
                     count(one, y).minors_under_14);

    /* a scan may not be merged twice */
    EG_CHECK_INT(eg_state_merge_file(fromfiles, paths[1], &err), EG_EINVAL);
    EG_CHECK(strstr(err.message, "twice") != NULL);
    EG_CHECK_INT(eg_state_merge(merged, shard[0], &err), EG_EINVAL);
    eg_counts after = count(fromfiles, 20250601);
    EG_CHECK(same_counts(&after, &whole));

    /* the merged state written and read back counts the same */
    char out[64];
    snprintf(out, sizeof out, "/tmp/eg_test_merged_%d.st", (int)getpid());
    EG_CHECK_INT(eg_state_write(fromfiles, out, &err), EG_OK);
    eg_state *back = NULL;
    EG_CHECK_INT(eg_state_read(&back, out, &err), EG_OK);
    eg_counts b = count(back, 20250601);
    EG_CHECK(same_counts(&b, &whole));
    unlink(out);
    for (int s = 0; s < 4; s++) {
        unlink(paths[s]);
        eg_state_free(shard[s]);
    }
    eg_state_free(back);
    eg_state_free(fromfiles);
    eg_state_free(merged);
    eg_state_free(one);
    free(c.f);
}

EG_TEST(different_keys_refuse_to_merge)
{
    eg_state *a = new_state(0, 0);
    eg_state_options o = EG_STATE_OPTIONS_INIT;
    o.key_id = "fedcba9876543210";
    eg_state *b = NULL;
    eg_error err;
    EG_CHECK_INT(eg_state_new(&b, &o, &err), EG_OK);
    add(a, 0, 0, T_MOBILE, 1, 0);
    add(b, 0, 0, T_MOBILE, 1, 0);
    EG_CHECK_INT(eg_state_merge(a, b, &err), EG_EINVAL);
    EG_CHECK(strstr(err.message, "fedcba9876543210") != NULL);
    char path[64];
    snprintf(path, sizeof path, "/tmp/eg_test_key_%d.st", (int)getpid());
    EG_CHECK_INT(eg_state_write(b, path, &err), EG_OK);
    EG_CHECK_INT(eg_state_merge_file(a, path, &err), EG_EINVAL);
    EG_CHECK_INT(count(a, 20250601).individuals, 1);
    EG_CHECK_INT(eg_state_merge(a, a, &err), EG_EINVAL);
    unlink(path);
    eg_state_free(a);
    eg_state_free(b);
}

EG_TEST(empty_states_merge_and_round_trip)
{
    eg_state *a = new_state(0, 0), *b = new_state(0, 0);
    eg_error err;
    EG_CHECK_INT(eg_state_merge(a, b, &err), EG_OK);
    EG_CHECK_INT(eg_state_merge(a, b, &err), EG_OK); /* nothing to double */
    char path[64];
    snprintf(path, sizeof path, "/tmp/eg_test_empty_%d.st", (int)getpid());
    EG_CHECK_INT(eg_state_write(a, path, &err), EG_OK);
    eg_state *r = NULL;
    EG_CHECK_INT(eg_state_read(&r, path, &err), EG_OK);
    eg_counts c = count(r, 20250601);
    EG_CHECK_INT(c.individuals, 0);
    EG_CHECK_INT(c.records_with_pi, 0);
    EG_CHECK_INT(c.exact, 1);
    unlink(path);
    eg_state_free(r);
    eg_state_free(a);
    eg_state_free(b);
}

/* ---- estimation above the exact budget ---- */

static bool within(uint64_t est, uint64_t err, uint64_t truth)
{
    uint64_t lo = est > err ? est - err : 0;
    return truth >= lo && truth <= est + err;
}

EG_TEST(estimate_above_the_budget_is_within_its_bound)
{
    eg_state *st = new_state(1000, 1024);
    uint64_t persons = 60000, sens = 0;
    for (uint64_t p = 0; p < persons; p++) {
        add(st, 0, p, T_MOBILE, rnd(), 0);
        if (p % 5 == 0) {
            add(st, 0, p, T_GEO, rnd(), 0);
            sens++;
        }
    }
    eg_counts c = count(st, 20250601);
    EG_CHECK_INT(c.exact, 0);
    EG_CHECK(c.individuals_error > 0);
    EG_CHECK(within(c.individuals, c.individuals_error, persons));
    EG_CHECK(
        within(c.sensitive_individuals, c.sensitive_individuals_error, sens));
    EG_CHECK(c.individuals_error < persons / 5); /* ~9 % at k = 1024 */
    EG_CHECK(within(c.distinct_keys, c.distinct_keys / 5, persons));
    EG_CHECK_INT(c.records_with_pi, persons); /* counters stay exact */

    /* a second, disjoint estimate merges into a bound on the union */
    eg_state *st2 = new_state(1000, 1024);
    for (uint64_t p = 0; p < persons; p++)
        add(st2, 1, p, T_EMAIL, rnd(), 0);
    eg_error err;
    EG_CHECK_INT(eg_state_merge(st, st2, &err), EG_OK);
    c = count(st, 20250601);
    EG_CHECK(within(c.individuals, c.individuals_error, 2 * persons));
    EG_CHECK_INT(c.records_with_pi, 2 * persons);

    /* and survives a round trip through a file, count for count */
    char path[64];
    snprintf(path, sizeof path, "/tmp/eg_test_est_%d.st", (int)getpid());
    EG_CHECK_INT(eg_state_write(st, path, &err), EG_OK);
    eg_state *r = NULL;
    EG_CHECK_INT(eg_state_read(&r, path, &err), EG_OK);
    eg_counts d = count(r, 20250601);
    EG_CHECK(same_counts(&c, &d));
    /* an exact state merged into an estimate joins the estimate */
    eg_state *ex = new_state(0, 0);
    add(ex, 2, 0, T_RID, 42, 20150101);
    EG_CHECK_INT(eg_state_merge(r, ex, &err), EG_OK);
    EG_CHECK_INT(count(r, 20250601).exact, 0);
    unlink(path);
    eg_state_free(ex);
    eg_state_free(r);
    eg_state_free(st);
    eg_state_free(st2);
}

EG_TEST(small_estimate_without_sampling_is_exact_in_value)
{
    /* Switch at 10 keys with k = 1024: the sketch holds everything, so the
     * values are exact although linking from then on is approximate. */
    eg_state *st = new_state(10, 1024);
    for (uint64_t p = 0; p < 100; p++)
        add(st, 0, p, T_RID, 1000 + p, p < 30 ? 20150101 : 19700101);
    eg_counts c = count(st, 20250601);
    EG_CHECK_INT(c.exact, 0);
    EG_CHECK_INT(c.individuals, 100);
    EG_CHECK_INT(c.individuals_error, 0);
    EG_CHECK_INT(c.minors_under_14, 30);
    EG_CHECK_INT(c.sensitive_individuals, 100);
    EG_CHECK_INT(c.keys_by_type[T_RID], 100);
    eg_state_free(st);
}

/* One workflow touching every allocation of the module; returns the first
 * error or EG_OK. */
static int workflow(const char *path)
{
    eg_state_options o = EG_STATE_OPTIONS_INIT;
    o.key_id = KEY;
    o.exact_key_limit = 40; /* switch to estimation half-way */
    o.sketch_k = 16;
    eg_state *a = NULL, *b = NULL, *r = NULL;
    eg_error err;
    int rc = eg_state_new(&a, &o, &err);
    if (rc == EG_OK)
        rc = eg_state_new(&b, &o, &err);
    for (uint64_t p = 0; p < 80 && rc == EG_OK; p++) {
        eg_finding f;
        memset(&f, 0, sizeof f);
        f.record = p;
        f.type = p % 2 ? T_MOBILE : T_RID;
        f.fp64 = p * 7 + 1;
        f.birth_ymd = p % 2 ? 0 : 20100101;
        rc = eg_state_add_finding(p < 50 ? b : a, &f, &err);
    }
    eg_counts c;
    if (rc == EG_OK)
        rc = eg_state_count(a, 20250601, &c, &err);
    if (rc == EG_OK)
        rc = eg_state_write(b, path, &err);
    if (rc == EG_OK)
        rc = eg_state_merge_file(a, path, &err);
    if (rc == EG_OK)
        rc = eg_state_read(&r, path, &err);
    eg_state *d = NULL;
    if (rc == EG_OK)
        rc = eg_state_new(&d, &o, &err);
    for (uint64_t p = 0; p < 5 && rc == EG_OK; p++) {
        eg_finding f;
        memset(&f, 0, sizeof f);
        f.record = p;
        f.input_index = 9;
        f.type = T_EMAIL;
        f.fp64 = p;
        rc = eg_state_add_finding(d, &f, &err);
    }
    if (rc == EG_OK)
        rc = eg_state_merge(r, d, &err);
    eg_state_free(d);
    if (rc == EG_OK)
        rc = eg_state_count(r, 20250601, &c, &err);
    eg_state_free(a);
    eg_state_free(b);
    eg_state_free(r);
    return rc;
}

EG_TEST(allocation_failures_are_clean)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/eg_test_oom_%d.st", (int)getpid());
    eg__alloc_fail_at(0, false);
    EG_CHECK_INT(workflow(path), EG_OK);
    int enomem = 0;
    for (uint64_t n = 1; n < 400; n++) {
        eg__alloc_fail_at(n, true);
        int rc = workflow(path);
        eg__alloc_fail_at(0, false);
        if (rc == EG_ENOMEM)
            enomem++;
        else if (rc != EG_OK) {
            fprintf(stderr, "allocation %llu: rc %d\n", (unsigned long long)n,
                    rc);
            EG_CHECK(0);
        }
    }
    EG_CHECK(enomem > 20);
    unlink(path);
}

int main(void)
{
    init_types();
    EG_RUN(phone_then_id_and_phone_is_one_person);
    EG_RUN(chain_across_three_files_is_one_person);
    EG_RUN(records_split_people_and_types_split_keys);
    EG_RUN(unlinked_records_are_reported_not_guessed);
    EG_RUN(sensitive_non_key_findings_mark_the_person);
    EG_RUN(under_14_relative_to_the_as_of_date);
    EG_RUN(two_resident_ids_are_two_people);
    EG_RUN(bad_arguments);
    EG_RUN(synthetic_corpus_counts_its_truth_and_shards_merge_exactly);
    EG_RUN(different_keys_refuse_to_merge);
    EG_RUN(empty_states_merge_and_round_trip);
    EG_RUN(estimate_above_the_budget_is_within_its_bound);
    EG_RUN(small_estimate_without_sampling_is_exact_in_value);
    EG_RUN(allocation_failures_are_clean);
    return EG_TEST_END();
}
