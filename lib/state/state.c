/*
 * state.c: linking identifiers into persons and counting them.
 *
 * A scan's findings arrive record by record.  Keys (types with a key
 * strength) of one record are joined by union-find; a sensitive non-key
 * finding (a precise location...) marks the record's person.  Records with
 * PI but no key are only counted: they cannot be deduplicated, and
 * guessing would be worse than saying so.  Everything is applied eagerly,
 * so the state is complete after every finding and nothing needs flushing
 * at the end of a record, an input or the scan.
 *
 * Counting walks the forest once in reverse array order (parents have lower
 * indices, see state_int.h), OR-ing flags and counting resident IDs into
 * each root with one transient byte per key.  Two distinct resident ID
 * numbers are two people, so a group holding n of them counts n persons:
 * a record naming a guardian and a child, or sender and receiver, does not
 * collapse them into one, which would undercount against a legal
 * threshold.  Minors are then simply the resident IDs whose holder is under
 * 14 on the assessment date, which is chosen at count time, not scan time.
 *
 * Budget: 16 bytes per key in the dense array + a 4-byte index slot at a
 * load of 0.57-0.85 (the index grows by 1.5x and is addressed by
 * multiply-shift, not masking, so its size need not be a power of two) =
 * 20.7-23.1 bytes per key.  Index slots carry spare hash bits as a tag, so
 * probing rarely touches the dense array of another key.
 */
#include "state/state_int.h"
#include "detect/catalog.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOAD_NUM 17 /* index load <= 17/20 = 0.85 */
#define MAX_LOAD_DEN 20
#define MAX_INDEX_SLOTS 0xffffffffull

_Static_assert(EG_T_COUNT <= EG_COUNTS_MAX_TYPES, "eg_counts too small");
_Static_assert(EG_T_COUNT <= 255, "type must fit 8 bits of key meta");

/* ------------------------------------------------------------ helpers */

uint64_t eg__state_key_hash(int type, uint64_t fp)
{
    /* splitmix64's finalizer: a bijection, so (type, fp) pairs that differ
     * only in type get unrelated hashes. */
    uint64_t z = fp ^ ((uint64_t)(type + 1) * 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t eg__state_pack_birth(uint32_t ymd)
{
    uint32_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    if (ymd == 0 || y < 1800 || y > 2311 ||
        !eg__date_real((int)y, (int)m, (int)d))
        return 0;
    return (y - 1800) << 9 | m << 5 | d;
}

uint32_t eg__state_unpack_birth(uint32_t p)
{
    if (!p)
        return 0;
    return ((p >> 9) + 1800) * 10000 + (p >> 5 & 15) * 100 + (p & 31);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool eg__state_under14(uint32_t birth_ymd, int as_of_ymd)
{
    if (!birth_ymd)
        return false;
    int y = (int)(birth_ymd / 10000) + 14;
    int md = (int)(birth_ymd % 10000);
    if (md == 229 && !leap(y))
        md = 301; /* 29 February: the birthday falls on 1 March */
    return as_of_ymd < y * 10000 + md;
}

static bool key_id_valid(const char *id)
{
    if (!id || strlen(id) != 16)
        return false;
    for (int i = 0; i < 16; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

static unsigned bit_width(uint64_t v)
{
    unsigned b = 0;
    while (v) {
        b++;
        v >>= 1;
    }
    return b;
}

static int meta_type(uint32_t meta)
{
    return (int)(meta & EG__META_TYPE_MASK);
}

static bool is_rid(int type)
{
    return type == EG_T_cn_resident_id;
}

static bool type_sensitive(int type)
{
    return eg_type_category(type) == EG_CAT_SENSITIVE_PI;
}

/* --------------------------------------------------------- lifecycle */

int eg__state_alloc(eg_state **out, const char *key_id, uint64_t exact_limit,
                    uint32_t sketch_k, eg_error *err)
{
    *out = NULL;
    if (!key_id_valid(key_id))
        return eg__fail(err, EG_EINVAL,
                        "state: a fingerprint key id of 16 lowercase hex "
                        "digits is required");
    eg_state *st = eg__calloc(1, sizeof *st);
    if (!st)
        return eg__fail(err, EG_ENOMEM, "out of memory for a state");
    memcpy(st->key_id, key_id, 17);
    if (exact_limit == 0)
        exact_limit = EG_STATE_DEFAULT_EXACT_KEYS;
    if (exact_limit > 3000000000ull)
        exact_limit = 3000000000ull; /* 32-bit parents and index slots */
    st->exact_limit = exact_limit;
    if (sketch_k == 0)
        sketch_k = EG_STATE_DEFAULT_SKETCH_K;
    if (sketch_k < 16)
        sketch_k = 16;
    if (sketch_k > (1u << 20))
        sketch_k = 1u << 20;
    st->sketch_k = sketch_k;
    *out = st;
    return EG_OK;
}

int eg_state_new(eg_state **out, const eg_state_options *opts, eg_error *err)
{
    if (!out)
        return eg__fail(err, EG_EINVAL, "eg_state_new: out is NULL");
    *out = NULL;
    if (!opts || opts->version != EG_STATE_OPTIONS_VERSION)
        return eg__fail(err, EG_EINVAL,
                        "eg_state_new: options missing or of another version");
    return eg__state_alloc(out, opts->key_id, opts->exact_key_limit,
                           opts->sketch_k, err);
}

void eg_state_free(eg_state *st)
{
    if (!st)
        return;
    eg__free(st->keys);
    eg__free(st->index);
    eg__sketch_free(&st->persons);
    eg__sketch_free(&st->keyset);
    eg__free(st->shards);
    eg__free(st);
}

const char *eg_state_key_id(const eg_state *st)
{
    return st ? st->key_id : NULL;
}

uint64_t eg__state_total_findings(const eg_state *st)
{
    uint64_t n = 0;
    for (int t = 0; t < EG_T_COUNT; t++)
        n += st->findings_by_type[t];
    return n;
}

/* ------------------------------------------------------ the key table */

static size_t slot_start(uint64_t h, size_t cap)
{
    return (size_t)(((h >> 32) * (uint64_t)cap) >> 32);
}

static uint32_t slot_tag(uint64_t h, unsigned bits)
{
    if (bits >= 32)
        return 0;
    return (uint32_t)h & ((1u << (32 - bits)) - 1);
}

static void index_place(uint32_t *index, size_t cap, unsigned bits, uint64_t h,
                        uint32_t idx)
{
    size_t s = slot_start(h, cap);
    while (index[s] != 0)
        s = s + 1 == cap ? 0 : s + 1;
    uint32_t tag = slot_tag(h, bits);
    index[s] = (bits >= 32 ? 0 : tag << bits) | (idx + 1);
}

static int index_grow(eg_state *st, eg_error *err)
{
    uint64_t cap = st->index_cap ? (uint64_t)st->index_cap * 3 / 2 : 64;
    if (cap > MAX_INDEX_SLOTS)
        cap = MAX_INDEX_SLOTS;
    if (cap <= st->index_cap)
        return eg__fail(err, EG_ELIMIT, "state: key index is full");
    uint32_t *index = eg__calloc((size_t)cap, sizeof *index);
    if (!index)
        return eg__fail(err, EG_ENOMEM,
                        "out of memory growing the key index "
                        "(%llu slots)",
                        (unsigned long long)cap);
    unsigned bits = bit_width(cap);
    for (size_t i = 0; i < st->nkeys; i++)
        index_place(
            index, (size_t)cap, bits,
            eg__state_key_hash(meta_type(st->keys[i].meta), st->keys[i].fp),
            (uint32_t)i);
    eg__free(st->index);
    st->index = index;
    st->index_cap = (size_t)cap;
    st->index_bits = bits;
    return EG_OK;
}

int eg__state_reserve(eg_state *st, size_t n, eg_error *err)
{
    if (st->nkeys || st->estimate || n <= st->keys_cap)
        return EG_OK;
    eg__key_entry *k = eg__realloc(st->keys, n * sizeof *k);
    if (!k)
        return eg__fail(err, EG_ENOMEM, "out of memory for %zu keys", n);
    st->keys = k;
    st->keys_cap = n;
    uint64_t cap = (uint64_t)n * MAX_LOAD_DEN / MAX_LOAD_NUM + 1;
    if (cap > MAX_INDEX_SLOTS)
        cap = MAX_INDEX_SLOTS;
    uint32_t *index = eg__calloc((size_t)cap, sizeof *index);
    if (!index)
        return eg__fail(err, EG_ENOMEM, "out of memory for the key index");
    eg__free(st->index);
    st->index = index;
    st->index_cap = (size_t)cap;
    st->index_bits = bit_width(cap);
    return EG_OK;
}

static int keys_grow(eg_state *st, eg_error *err)
{
    size_t cap = st->keys_cap ? st->keys_cap + st->keys_cap / 2 : 64;
    eg__key_entry *k = eg__realloc(st->keys, cap * sizeof *k);
    if (!k)
        return eg__fail(err, EG_ENOMEM,
                        "out of memory growing the key "
                        "array (%zu keys)",
                        cap);
    st->keys = k;
    st->keys_cap = cap;
    return EG_OK;
}

static uint32_t lookup(const eg_state *st, int type, uint64_t fp, uint64_t h,
                       size_t *free_slot)
{
    if (!st->index_cap)
        return UINT32_MAX;
    unsigned bits = st->index_bits;
    uint32_t tag = slot_tag(h, bits);
    uint32_t mask = bits >= 32 ? UINT32_MAX : (1u << bits) - 1;
    size_t s = slot_start(h, st->index_cap);
    for (;;) {
        uint32_t v = st->index[s];
        if (v == 0)
            break;
        if (bits >= 32 || (v >> bits) == tag) {
            uint32_t i = (v & mask) - 1;
            if (st->keys[i].fp == fp && meta_type(st->keys[i].meta) == type)
                return i;
        }
        s = s + 1 == st->index_cap ? 0 : s + 1;
    }
    if (free_slot)
        *free_slot = s;
    return UINT32_MAX;
}

uint32_t eg__state_key_find(const eg_state *st, int type, uint64_t fp)
{
    return lookup(st, type, fp, eg__state_key_hash(type, fp), NULL);
}

static void meta_merge(eg__key_entry *e, uint32_t meta)
{
    e->meta |= meta & EG__META_ATTACHED;
    if (!(e->meta >> EG__META_BIRTH_SHIFT & EG__META_BIRTH_MASK))
        e->meta |= meta & (EG__META_BIRTH_MASK << EG__META_BIRTH_SHIFT);
}

int eg__state_key_upsert(eg_state *st, int type, uint64_t fp, uint32_t meta,
                         uint32_t *idx, int *inserted, eg_error *err)
{
    uint64_t h = eg__state_key_hash(type, fp);
    size_t slot = 0;
    uint32_t i = lookup(st, type, fp, h, &slot);
    *inserted = 0;
    if (i != UINT32_MAX) {
        meta_merge(&st->keys[i], meta);
        *idx = i;
        return EG_OK;
    }
    if (st->nkeys >= st->exact_limit) {
        int rc = eg__state_to_estimate(st, err);
        *idx = UINT32_MAX;
        return rc;
    }
    if (st->nkeys == st->keys_cap) {
        int rc = keys_grow(st, err);
        if (rc)
            return rc;
    }
    if ((uint64_t)(st->nkeys + 1) * MAX_LOAD_DEN >
        (uint64_t)st->index_cap * MAX_LOAD_NUM) {
        int rc = index_grow(st, err);
        if (rc)
            return rc;
        lookup(st, type, fp, h, &slot);
    }
    i = (uint32_t)st->nkeys++;
    st->keys[i].fp = fp;
    st->keys[i].parent = i;
    st->keys[i].meta =
        ((uint32_t)type & EG__META_TYPE_MASK) | (meta & ~EG__META_TYPE_MASK);
    uint32_t tag = slot_tag(h, st->index_bits);
    st->index[slot] =
        (st->index_bits >= 32 ? 0 : tag << st->index_bits) | (i + 1);
    *idx = i;
    *inserted = 1;
    return EG_OK;
}

static uint32_t find_root(eg__key_entry *k, uint32_t x)
{
    while (k[x].parent != x) {
        k[x].parent = k[k[x].parent].parent; /* path halving */
        x = k[x].parent;
    }
    return x;
}

void eg__state_union(eg_state *st, uint32_t a, uint32_t b)
{
    uint32_t ra = find_root(st->keys, a), rb = find_root(st->keys, b);
    if (ra == rb)
        return;
    /* The lower index becomes the root: parents stay below children. */
    if (ra < rb)
        st->keys[rb].parent = ra;
    else
        st->keys[ra].parent = rb;
}

/* ------------------------------------------------- receiving findings */

static void begin_record(eg_state *st, const eg_finding *f)
{
    st->have_rec = 1;
    st->rec_input = f->input_index;
    st->rec_no = f->record;
    st->rec_pi = st->rec_spi = st->rec_key = 0;
    st->rec_pending_sens = 0;
    st->rec_rep_valid = st->rec_has_rid = st->rec_sens = 0;
}

/* Estimate mode: the record's stand-in goes into the persons sketch when
 * the record ends (resident IDs went in directly). */
static int end_record_estimate(eg_state *st, eg_error *err)
{
    eg__sk_entry e;
    if (!eg__state_pending_person(st, &e))
        return EG_OK;
    st->rec_rep_valid = 0;
    return eg__sketch_add(&st->persons, e.h, e.type, e.flags, 0, err);
}

int eg__state_pending_person(const eg_state *st, eg__sk_entry *out)
{
    if (!st->estimate || !st->have_rec || !st->rec_rep_valid || st->rec_has_rid)
        return 0;
    out->h = st->rec_rep_h ? st->rec_rep_h : 1;
    out->type = 0;
    out->flags = st->rec_sens ? EG__SK_SENSITIVE : 0;
    out->birth = 0;
    return 1;
}

static int add_key_estimate(eg_state *st, int type, uint64_t fp, uint32_t birth,
                            eg_error *err)
{
    uint64_t h = eg__state_key_hash(type, fp);
    int rc = eg__sketch_add(&st->keyset, h, (uint16_t)type, 0, 0, err);
    if (rc)
        return rc;
    if (type_sensitive(type))
        st->rec_sens = 1;
    if (is_rid(type)) {
        st->rec_has_rid = 1;
        return eg__sketch_add(&st->persons, h, (uint16_t)type, EG__SK_SENSITIVE,
                              birth, err);
    }
    int rank = eg_type_key_strength(type);
    if (!st->rec_rep_valid || rank < st->rec_rep_rank ||
        (rank == st->rec_rep_rank && h < st->rec_rep_h)) {
        st->rec_rep_valid = 1;
        st->rec_rep_rank = rank;
        st->rec_rep_h = h;
    }
    return EG_OK;
}

static int add_key_exact(eg_state *st, int type, uint64_t fp, uint32_t birth,
                         eg_error *err)
{
    uint32_t meta = eg__state_pack_birth(birth) << EG__META_BIRTH_SHIFT;
    if (!st->rec_key && st->rec_pending_sens)
        meta |= EG__META_ATTACHED;
    uint32_t idx;
    int inserted;
    int rc = eg__state_key_upsert(st, type, fp, meta, &idx, &inserted, err);
    if (rc)
        return rc;
    if (idx == UINT32_MAX) /* switched to estimate mode */
        return add_key_estimate(st, type, fp, birth, err);
    if (!st->rec_key)
        st->rec_first = idx;
    else
        eg__state_union(st, st->rec_first, idx);
    return EG_OK;
}

int eg_state_add_finding(eg_state *st, const eg_finding *f, eg_error *err)
{
    if (!st || !f)
        return eg__fail(err, EG_EINVAL, "eg_state_add_finding: NULL argument");
    if (st->broken)
        return eg__fail(err, EG_ENOMEM,
                        "state is unusable after an earlier failure");
    if (f->type < 0 || f->type >= EG_T_COUNT)
        return eg__fail(err, EG_EINVAL, "state: unknown finding type %d",
                        f->type);
    int type = f->type;
    if (!st->have_rec || f->input_index != st->rec_input ||
        f->record != st->rec_no) {
        if (st->estimate && st->have_rec) {
            int rc = end_record_estimate(st, err);
            if (rc) {
                st->broken = 1;
                return rc;
            }
        }
        begin_record(st, f);
    }
    st->findings_by_type[type]++;
    eg_category cat = eg_type_category(type);
    bool pi = cat == EG_CAT_PI || cat == EG_CAT_SENSITIVE_PI;
    bool spi = cat == EG_CAT_SENSITIVE_PI;
    bool key = eg_type_key_strength(type) > 0;
    if (!pi)
        return EG_OK;
    if (!st->rec_pi) {
        st->rec_pi = 1;
        st->records_with_pi++;
        if (!st->have_pi_input || st->last_pi_input != f->input_index) {
            st->have_pi_input = 1;
            st->last_pi_input = f->input_index;
            st->inputs_with_pi++;
        }
    }
    if (spi && !st->rec_spi) {
        st->rec_spi = 1;
        st->records_with_spi++;
        if (st->rec_key)
            st->records_spi_linked++;
    }
    if (key) {
        int rc = st->estimate
                     ? add_key_estimate(st, type, f->fp64, f->birth_ymd, err)
                     : add_key_exact(st, type, f->fp64, f->birth_ymd, err);
        if (rc) {
            st->broken = 1;
            return rc;
        }
        if (!st->rec_key) {
            st->rec_key = 1;
            st->records_linked++;
            if (st->rec_spi)
                st->records_spi_linked++;
        }
    } else if (spi) {
        if (st->estimate)
            st->rec_sens = 1;
        else if (st->rec_key)
            st->keys[find_root(st->keys, st->rec_first)].meta |=
                EG__META_ATTACHED;
        else
            st->rec_pending_sens = 1;
    }
    return EG_OK;
}

/* ----------------------------------------------------------- counting */

/* Per root: bits 0-1 resident IDs in the group (0, 1, 2 = two or more),
 * bit 2 sensitive. */
#define ACC_RID_MASK 3u
#define ACC_SENS 4u

static uint8_t *accumulate(const eg_state *st)
{
    size_t n = st->nkeys;
    uint8_t *acc = eg__malloc(n ? n : 1);
    if (!acc)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int t = meta_type(st->keys[i].meta);
        acc[i] = (uint8_t)((is_rid(t) ? 1u : 0u) |
                           ((type_sensitive(t) ||
                             (st->keys[i].meta & EG__META_ATTACHED))
                                ? ACC_SENS
                                : 0u));
    }
    for (size_t i = n; i-- > 0;) {
        uint32_t p = st->keys[i].parent;
        if (p == i)
            continue;
        unsigned rids = (acc[p] & ACC_RID_MASK) + (acc[i] & ACC_RID_MASK);
        acc[p] =
            (uint8_t)(((acc[p] | acc[i]) & ACC_SENS) | (rids > 2 ? 2 : rids));
    }
    return acc;
}

static int count_exact(const eg_state *st, int as_of, eg_counts *c,
                       eg_error *err)
{
    uint8_t *acc = accumulate(st);
    if (!acc)
        return eg__fail(err, EG_ENOMEM, "out of memory counting %zu keys",
                        st->nkeys);
    uint64_t rid_keys = 0;
    for (size_t i = 0; i < st->nkeys; i++) {
        const eg__key_entry *e = &st->keys[i];
        int t = meta_type(e->meta);
        c->keys_by_type[t]++;
        if (is_rid(t)) {
            rid_keys++;
            uint32_t b = eg__state_unpack_birth(
                e->meta >> EG__META_BIRTH_SHIFT & EG__META_BIRTH_MASK);
            if (eg__state_under14(b, as_of))
                c->minors_under_14++;
        }
        if (e->parent != i)
            continue;
        unsigned rids = acc[i] & ACC_RID_MASK;
        if (rids == 0) {
            c->individuals++;
            if (acc[i] & ACC_SENS)
                c->sensitive_individuals++;
        } else if (rids == 2) {
            c->multi_id_groups++;
        }
    }
    c->individuals += rid_keys;
    c->sensitive_individuals += rid_keys;
    c->distinct_keys = st->nkeys;
    eg__free(acc);
    return EG_OK;
}

static int count_estimate(const eg_state *st, int as_of, eg_counts *c,
                          eg_error *err)
{
    eg__sk_entry pending, *v = NULL, *w = NULL;
    size_t n, m;
    int has = eg__state_pending_person(st, &pending);
    int rc = eg__sketch_snapshot(&st->persons, has ? &pending : NULL, &v, &n,
                                 NULL, NULL, err);
    if (rc)
        return rc;
    size_t sens = 0, minors = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].flags & EG__SK_SENSITIVE)
            sens++;
        if (eg__state_under14(v[i].birth, as_of))
            minors++;
    }
    eg__sketch_est e = eg__sketch_estimate(&st->persons, n, v, n);
    c->individuals = e.value;
    c->individuals_error = e.error;
    e = eg__sketch_estimate(&st->persons, n, v, sens);
    c->sensitive_individuals = e.value;
    c->sensitive_individuals_error = e.error;
    e = eg__sketch_estimate(&st->persons, n, v, minors);
    c->minors_under_14 = e.value;
    c->minors_error = e.error;
    eg__free(v);

    rc = eg__sketch_snapshot(&st->keyset, NULL, &w, &m, NULL, NULL, err);
    if (rc)
        return rc;
    size_t by_type[EG_COUNTS_MAX_TYPES] = {0};
    for (size_t i = 0; i < m; i++)
        if (w[i].type < EG_COUNTS_MAX_TYPES)
            by_type[w[i].type]++;
    c->distinct_keys = eg__sketch_estimate(&st->keyset, m, w, m).value;
    for (int t = 0; t < EG_T_COUNT; t++)
        c->keys_by_type[t] =
            eg__sketch_estimate(&st->keyset, m, w, by_type[t]).value;
    eg__free(w);
    return EG_OK;
}

int eg_state_count(const eg_state *st, int as_of_ymd, eg_counts *out,
                   eg_error *err)
{
    if (!st || !out)
        return eg__fail(err, EG_EINVAL, "eg_state_count: NULL argument");
    if (st->broken)
        return eg__fail(err, EG_ENOMEM,
                        "state is unusable after an earlier failure");
    if (as_of_ymd == 0)
        as_of_ymd = eg__today_ymd();
    if (!eg__date_real(as_of_ymd / 10000, as_of_ymd / 100 % 100,
                       as_of_ymd % 100))
        return eg__fail(err, EG_EINVAL, "as-of date %d is not a real date",
                        as_of_ymd);
    eg_counts *c = out;
    memset(c, 0, sizeof *c);
    c->exact = !st->estimate;
    c->as_of_ymd = as_of_ymd;
    c->type_count = EG_T_COUNT;
    for (int t = 0; t < EG_T_COUNT; t++) {
        c->findings_by_type[t] = st->findings_by_type[t];
        c->findings_by_category[eg_type_category(t)] += st->findings_by_type[t];
        c->findings += st->findings_by_type[t];
    }
    c->records_with_pi = st->records_with_pi;
    c->unlinked_records = st->records_with_pi - st->records_linked;
    c->records_with_sensitive_pi = st->records_with_spi;
    c->unlinked_sensitive_records =
        st->records_with_spi - st->records_spi_linked;
    c->inputs_with_pi = st->inputs_with_pi;
    int rc = st->estimate ? count_estimate(st, as_of_ymd, c, err)
                          : count_exact(st, as_of_ymd, c, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ------------------------------------------------------- estimate mode */

static bool better(uint64_t h1, int r1, uint64_t h2, int r2)
{
    return r1 < r2 || (r1 == r2 && h1 < h2);
}

int eg__state_exact_to_sketches(const eg_state *src, eg__sketch *persons,
                                eg__sketch *keyset, eg_error *err)
{
    size_t n = src->nkeys;
    uint8_t *acc = accumulate(src);
    uint32_t *best = eg__malloc((n ? n : 1) * sizeof *best);
    if (!acc || !best) {
        eg__free(acc);
        eg__free(best);
        return eg__fail(err, EG_ENOMEM,
                        "out of memory converting %zu keys "
                        "to sketches",
                        n);
    }
    for (size_t i = 0; i < n; i++)
        best[i] = (uint32_t)i;
    for (size_t i = n; i-- > 0;) {
        uint32_t p = src->keys[i].parent;
        if (p == i)
            continue;
        const eg__key_entry *a = &src->keys[best[i]], *b = &src->keys[best[p]];
        int ta = meta_type(a->meta), tb = meta_type(b->meta);
        if (better(eg__state_key_hash(ta, a->fp), eg_type_key_strength(ta),
                   eg__state_key_hash(tb, b->fp), eg_type_key_strength(tb)))
            best[p] = best[i];
    }
    int rc = EG_OK;
    for (size_t i = 0; i < n && rc == EG_OK; i++) {
        const eg__key_entry *e = &src->keys[i];
        int t = meta_type(e->meta);
        uint64_t h = eg__state_key_hash(t, e->fp);
        rc = eg__sketch_add(keyset, h, (uint16_t)t, 0, 0, err);
        if (rc == EG_OK && is_rid(t))
            rc = eg__sketch_add(
                persons, h, (uint16_t)t, EG__SK_SENSITIVE,
                eg__state_unpack_birth(e->meta >> EG__META_BIRTH_SHIFT &
                                       EG__META_BIRTH_MASK),
                err);
        if (rc == EG_OK && e->parent == i && !(acc[i] & ACC_RID_MASK)) {
            const eg__key_entry *b = &src->keys[best[i]];
            int tb = meta_type(b->meta);
            rc = eg__sketch_add(persons, eg__state_key_hash(tb, b->fp), 0,
                                (acc[i] & ACC_SENS) ? EG__SK_SENSITIVE : 0, 0,
                                err);
        }
    }
    eg__free(acc);
    eg__free(best);
    return rc;
}

int eg__state_to_estimate(eg_state *st, eg_error *err)
{
    if (st->estimate)
        return EG_OK;
    int rc = eg__sketch_init(&st->persons, st->sketch_k, err);
    if (rc == EG_OK)
        rc = eg__sketch_init(&st->keyset, st->sketch_k, err);
    if (rc == EG_OK)
        rc = eg__state_exact_to_sketches(st, &st->persons, &st->keyset, err);
    if (rc) {
        eg__sketch_free(&st->persons);
        eg__sketch_free(&st->keyset);
        st->broken = 1;
        return rc;
    }
    /* The record being received continues in estimate mode; its keys so
     * far are in the sketches already. */
    st->rec_rep_valid = 0;
    st->rec_has_rid = 0;
    st->rec_sens = st->rec_pending_sens;
    st->estimate = 1;
    eg__free(st->keys);
    eg__free(st->index);
    st->keys = NULL;
    st->index = NULL;
    st->nkeys = st->keys_cap = st->index_cap = 0;
    st->index_bits = 0;
    return EG_OK;
}

/* ------------------------------------------------------------- merging */

static int cmp_shard(const void *a, const void *b)
{
    return memcmp(a, b, EG__SHARD_BYTES);
}

int eg__state_effective_shards(const eg_state *st,
                               unsigned char (**ids)[EG__SHARD_BYTES],
                               size_t *n, eg_error *err)
{
    *ids = NULL;
    *n = 0;
    size_t count = st->nshards;
    unsigned char leaf[EG__SHARD_BYTES];
    bool is_leaf = count == 0 && eg__state_total_findings(st) > 0;
    if (is_leaf) {
        int rc = eg__state_emit_body(st, NULL, NULL, leaf, NULL, err);
        if (rc)
            return rc;
        count = 1;
    }
    if (count == 0)
        return EG_OK;
    *ids = eg__malloc(count * EG__SHARD_BYTES);
    if (!*ids)
        return eg__fail(err, EG_ENOMEM, "out of memory for shard ids");
    if (is_leaf)
        memcpy((*ids)[0], leaf, EG__SHARD_BYTES);
    else
        memcpy(*ids, st->shards, count * EG__SHARD_BYTES);
    *n = count;
    return EG_OK;
}

static void hex16(const unsigned char *id, char out[33])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < EG__SHARD_BYTES; i++) {
        out[2 * i] = hx[id[i] >> 4];
        out[2 * i + 1] = hx[id[i] & 15];
    }
    out[32] = '\0';
}

int eg__state_shards_union(eg_state *dst,
                           const unsigned char (*ids)[EG__SHARD_BYTES],
                           size_t n, eg_error *err)
{
    unsigned char(*mine)[EG__SHARD_BYTES];
    size_t nm;
    int rc = eg__state_effective_shards(dst, &mine, &nm, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (nm && bsearch(ids[i], mine, nm, EG__SHARD_BYTES, cmp_shard)) {
            char hx[33];
            hex16(ids[i], hx);
            eg__free(mine);
            return eg__fail(err, EG_EINVAL,
                            "both states contain scan %s: merging would "
                            "count its records twice",
                            hx);
        }
    unsigned char(*all)[EG__SHARD_BYTES] =
        eg__realloc(mine, (nm + n + 1) * EG__SHARD_BYTES);
    if (!all) {
        eg__free(mine);
        return eg__fail(err, EG_ENOMEM, "out of memory for shard ids");
    }
    if (n)
        memcpy(all[nm], ids, n * EG__SHARD_BYTES);
    qsort(all, nm + n, EG__SHARD_BYTES, cmp_shard);
    eg__free(dst->shards);
    dst->shards = all;
    dst->nshards = nm + n;
    return EG_OK;
}

static void add_counters(eg_state *dst, const eg_state *src)
{
    for (int t = 0; t < EG_T_COUNT; t++)
        dst->findings_by_type[t] += src->findings_by_type[t];
    dst->records_with_pi += src->records_with_pi;
    dst->records_linked += src->records_linked;
    dst->records_with_spi += src->records_with_spi;
    dst->records_spi_linked += src->records_spi_linked;
    dst->inputs_with_pi += src->inputs_with_pi;
}

static int merge_sketch(eg__sketch *dst, const eg__sketch *src,
                        const eg__sk_entry *extra, eg_error *err)
{
    eg__sk_entry *v;
    size_t n;
    uint64_t thr;
    int sat;
    int rc = eg__sketch_snapshot(src, extra, &v, &n, &thr, &sat, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && rc == EG_OK; i++)
        rc =
            eg__sketch_add(dst, v[i].h, v[i].type, v[i].flags, v[i].birth, err);
    eg__free(v);
    if (rc == EG_OK)
        eg__sketch_clip(dst, thr, sat);
    return rc;
}

static int merge_exact(eg_state *dst, const eg_state *src, eg_error *err)
{
    for (size_t i = 0; i < src->nkeys; i++) {
        const eg__key_entry *e = &src->keys[i];
        int t = meta_type(e->meta);
        uint32_t d;
        int ins;
        int rc = eg__state_key_upsert(dst, t, e->fp, e->meta, &d, &ins, err);
        if (rc)
            return rc;
        if (d == UINT32_MAX) /* the union outgrew the exact budget */
            return eg__state_exact_to_sketches(src, &dst->persons, &dst->keyset,
                                               err);
        if (e->parent != i) {
            const eg__key_entry *p = &src->keys[e->parent];
            uint32_t dp = eg__state_key_find(dst, meta_type(p->meta), p->fp);
            eg__state_union(dst, d, dp);
        }
    }
    return EG_OK;
}

int eg_state_merge(eg_state *dst, const eg_state *src, eg_error *err)
{
    if (!dst || !src)
        return eg__fail(err, EG_EINVAL, "eg_state_merge: NULL argument");
    if (dst == src)
        return eg__fail(err, EG_EINVAL,
                        "eg_state_merge: a state cannot be "
                        "merged into itself");
    if (dst->broken || src->broken)
        return eg__fail(err, EG_ENOMEM,
                        "state is unusable after an earlier failure");
    if (strcmp(dst->key_id, src->key_id) != 0)
        return eg__fail(err, EG_EINVAL,
                        "states were made with different fingerprint keys "
                        "(%s and %s): their fingerprints cannot be matched",
                        dst->key_id, src->key_id);
    unsigned char(*ids)[EG__SHARD_BYTES];
    size_t nids;
    int rc = eg__state_effective_shards(src, &ids, &nids, err);
    if (rc)
        return rc;
    rc =
        eg__state_shards_union(dst, (const unsigned char(*)[16])ids, nids, err);
    eg__free(ids);
    if (rc)
        return rc;
    if (dst->estimate && !src->estimate) {
        rc = eg__state_exact_to_sketches(src, &dst->persons, &dst->keyset, err);
    } else if (src->estimate) {
        rc = eg__state_to_estimate(dst, err);
        eg__sk_entry pending;
        int has = eg__state_pending_person(src, &pending);
        if (rc == EG_OK)
            rc = merge_sketch(&dst->persons, &src->persons,
                              has ? &pending : NULL, err);
        if (rc == EG_OK)
            rc = merge_sketch(&dst->keyset, &src->keyset, NULL, err);
    } else {
        rc = merge_exact(dst, src, err);
    }
    if (rc) {
        dst->broken = 1;
        return rc;
    }
    add_counters(dst, src);
    return EG_OK;
}
