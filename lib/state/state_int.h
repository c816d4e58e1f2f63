/*
 * state_int.h: the inside of eg_state, shared by state.c (linking and
 * counting), state_sketch.c (estimation above the exact budget) and
 * state_file.c (the versioned file format and streaming merge).
 *
 * Exact mode keeps the distinct keys in a dense array in insertion order
 * (16 bytes each: fingerprint, union-find parent, packed type/flags/birth)
 * and finds them through an open-addressing index of 4-byte slots.  The
 * union-find links the larger root under the smaller one, so every parent
 * index is <= its own index: that invariant lets counting and writing walk
 * the forest in array order without a find per key and without compressing
 * (state_count and state_write stay const).
 */
#ifndef EG_STATE_INT_H
#define EG_STATE_INT_H

#include "common/eg_common.h"

/* key_entry.meta: bits 0-7 type, bit 8 a sensitive non-key finding was in
 * a record of this key, bits 9-26 packed birth date (0 = none). */
#define EG__META_TYPE_MASK 0xffu
#define EG__META_ATTACHED 0x100u
#define EG__META_BIRTH_SHIFT 9
#define EG__META_BIRTH_MASK 0x3ffffu

typedef struct eg__key_entry {
    uint64_t fp;     /* the finding's fp64 */
    uint32_t parent; /* union-find parent, <= own index */
    uint32_t meta;
} eg__key_entry;

/* One sampled item of a bottom-k sketch.  flags: bit 0 sensitive. */
typedef struct eg__sk_entry {
    uint64_t h;
    uint16_t type;
    uint16_t flags;
    uint32_t birth; /* YYYYMMDD or 0 */
} eg__sk_entry;

#define EG__SK_SENSITIVE 0x1u

/* A bottom-k (KMV) sketch: the k smallest hashes seen, with attributes. */
typedef struct eg__sketch {
    uint32_t k;
    uint64_t threshold; /* only h < threshold is kept */
    int saturated;      /* items were dropped: counts are estimates */
    eg__sk_entry *tab;  /* open addressing on h, h == 0 never stored */
    size_t cap;         /* power of two, 4k */
    size_t n;
} eg__sketch;

#define EG__SHARD_BYTES 16

struct eg_state {
    char key_id[17];
    uint64_t exact_limit;
    uint32_t sketch_k;
    int broken;   /* an allocation or a merge apply failed half-way */
    int estimate; /* 0 exact, 1 sketches */

    /* exact mode */
    eg__key_entry *keys;
    size_t nkeys, keys_cap;
    uint32_t *index;
    size_t index_cap;
    unsigned index_bits; /* bits of a slot holding (dense index + 1) */

    /* estimate mode */
    eg__sketch persons; /* one item per resident ID or record stand-in */
    eg__sketch keyset;  /* one item per distinct key */

    /* counters, indexed by catalog type */
    uint64_t findings_by_type[EG_COUNTS_MAX_TYPES];
    uint64_t records_with_pi;
    uint64_t records_linked; /* with PI and at least one key */
    uint64_t records_with_spi;
    uint64_t records_spi_linked;
    uint64_t inputs_with_pi;

    /* scans merged into this state (sorted); empty for a fresh scan */
    unsigned char (*shards)[EG__SHARD_BYTES];
    size_t nshards;

    /* the record being received */
    int have_rec;
    uint32_t rec_input;
    uint64_t rec_no;
    int rec_pi, rec_spi, rec_key;
    uint32_t rec_first;   /* exact: dense index of its first key */
    int rec_pending_sens; /* exact: sensitive finding before any key */
    int have_pi_input;
    uint32_t last_pi_input;
    /* estimate: the record's stand-in when it holds no resident ID */
    int rec_rep_valid, rec_has_rid, rec_sens;
    int rec_rep_rank;
    uint64_t rec_rep_h;
};

/* ---- state.c ---- */
uint64_t eg__state_key_hash(int type, uint64_t fp);
uint32_t eg__state_pack_birth(uint32_t ymd);
uint32_t eg__state_unpack_birth(uint32_t packed);
bool eg__state_under14(uint32_t birth_ymd, int as_of_ymd);
int eg__state_alloc(eg_state **out, const char *key_id, uint64_t exact_limit,
                    uint32_t sketch_k, eg_error *err);
/* Find or insert the key; on insert meta is set, else OR-merged (attached
 * bit, birth if missing).  *idx receives its dense index, *inserted 1 when
 * new.  May switch the state to estimate mode: then returns EG_OK with
 * *idx = UINT32_MAX. */
int eg__state_key_upsert(eg_state *st, int type, uint64_t fp, uint32_t meta,
                         uint32_t *idx, int *inserted, eg_error *err);
/* Size an empty state for n keys at once (reading a file). */
int eg__state_reserve(eg_state *st, size_t n, eg_error *err);
/* Look a key up; UINT32_MAX when absent. */
uint32_t eg__state_key_find(const eg_state *st, int type, uint64_t fp);
void eg__state_union(eg_state *st, uint32_t a, uint32_t b);
/* Switch to estimate mode, moving the exact content into sketches. */
int eg__state_to_estimate(eg_state *st, eg_error *err);
/* Insert the exact content of `src` into the sketches `persons`, `keyset`
 * (src is unchanged; 5 bytes per key transiently). */
int eg__state_exact_to_sketches(const eg_state *src, eg__sketch *persons,
                                eg__sketch *keyset, eg_error *err);
/* Add src's shard ids (its effective ids) to dst after checking overlap. */
int eg__state_shards_union(eg_state *dst,
                           const unsigned char (*ids)[EG__SHARD_BYTES],
                           size_t n, eg_error *err);
int eg__state_effective_shards(const eg_state *st,
                               unsigned char (**ids)[EG__SHARD_BYTES],
                               size_t *n, eg_error *err);
uint64_t eg__state_total_findings(const eg_state *st);

/* ---- state_sketch.c ---- */
int eg__sketch_init(eg__sketch *s, uint32_t k, eg_error *err);
void eg__sketch_free(eg__sketch *s);
/* Offer an item; keeps it if among the k smallest so far. */
int eg__sketch_add(eg__sketch *s, uint64_t h, uint16_t type, uint16_t flags,
                   uint32_t birth, eg_error *err);
/* Lower the threshold to `t` (merging a sketch that saw less). */
void eg__sketch_clip(eg__sketch *s, uint64_t t, int saturated);
/* The sorted k smallest items (plus `extra` if not NULL), allocated;
 * *thr and *sat (may be NULL) receive the threshold and saturation that
 * describe exactly this sample. */
int eg__sketch_snapshot(const eg__sketch *s, const eg__sk_entry *extra,
                        eg__sk_entry **out, size_t *n, uint64_t *thr, int *sat,
                        eg_error *err);
/* Estimated distinct count of a snapshot and of a subset of it. */
typedef struct eg__sketch_est {
    uint64_t value;
    uint64_t error;
} eg__sketch_est;
eg__sketch_est eg__sketch_estimate(const eg__sketch *s, size_t n,
                                   const eg__sk_entry *sorted, size_t subset);

/* The record stand-in of estimate mode, as a pending sketch item. */
int eg__state_pending_person(const eg_state *st, eg__sk_entry *out);

/* ---- state_file.c ---- */
/* Emit the body of the state file; returns the leaf shard id (SHA-256 of
 * the body before the shard section) in leaf_id.  emit may be NULL. */
typedef int (*eg__emit_fn)(const void *data, size_t n, void *ctx);
int eg__state_emit_body(const eg_state *st, eg__emit_fn emit, void *ctx,
                        unsigned char leaf_id[EG__SHARD_BYTES],
                        uint64_t *key_count, eg_error *err);

#endif
