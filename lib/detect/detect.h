/*
 * detect.h: the detection stage between the matcher and the sinks.
 *
 * A chunk of input is handed to eg__detect_chunk() together with the label
 * hits the matcher found in it.  Detectors walk cheap anchors (digit runs,
 * '@', full-width digits, cell starts, label and literal hits), build
 * candidates, and confirm each with its validator (check.h).  A candidate
 * that needs context (a weak type such as a passport number or a name) says
 * which context kinds would confirm it; context from the running text
 * (labels right before the value, tab-separated tables) is resolved here,
 * context from structure (CSV header, JSON key) later by the driver, which
 * owns the structure cursor.  The output is a list of candidates with
 * absolute offsets and normalized values in an arena: nothing raw leaves
 * the library, the driver turns them into fingerprints and masked previews.
 */
#ifndef EG_DETECT_H
#define EG_DETECT_H

#include "common/eg_common.h"
#include "detect/catalog.h"

/* ---- context kinds (bits), named in data/context-labels.tsv ---- */
#define EG_CTX_LIST(X)                                                         \
    X(NAME, name)                                                              \
    X(ADDR, addr)                                                              \
    X(DOB, dob)                                                                \
    X(PASSPORT, passport)                                                      \
    X(PERMIT, permit)                                                          \
    X(PERMIT_TW, permit_tw)                                                    \
    X(MOID, moid)                                                              \
    X(HKID, hkid)                                                              \
    X(TWID, twid)                                                              \
    X(IMEI, imei)                                                              \
    X(GEO, geo)                                                                \
    X(PHONE, phone)                                                            \
    X(IDCARD, idcard)                                                          \
    X(BANK, bank)                                                              \
    X(EMAIL, email)                                                            \
    X(VERSION, version)                                                        \
    X(IP, ip)                                                                  \
    X(ORDER, order)                                                            \
    X(NONE, none)

enum {
#define EG_CTX_BIT_(name, word) EG_CTXB_##name,
    EG_CTX_LIST(EG_CTX_BIT_)
#undef EG_CTX_BIT_
        EG_CTXB_COUNT
};
#define EG_CTX(name) ((uint32_t)1u << EG_CTXB_##name)

/* ---- the context table (detect_context.c) ---- */
typedef struct eg_context eg_context;

/** Parse data/context-labels.tsv.  Ownership: caller frees. */
int eg__context_new(eg_context **out, eg_error *err);
void eg__context_free(eg_context *ctx);
/** Number of text labels, and label i's UTF-8 word and kinds. */
size_t eg__context_label_count(const eg_context *ctx);
const char *eg__context_label_word(const eg_context *ctx, size_t i);
uint32_t eg__context_label_kinds(const eg_context *ctx, size_t i);
/** Kinds of a CSV header / JSON key (0 if none). */
uint32_t eg__context_key_kinds(const eg_context *ctx, const char *key);

/* ---- region names for addresses (detect_address.c) ---- */
typedef struct eg_regions eg_regions;
int eg__regions_new(eg_regions **out, eg_error *err);
void eg__regions_free(eg_regions *r);
/** Byte length of the longest administrative division name starting at
 *  `s` (at most `n` bytes), or 0. */
size_t eg__regions_match(const eg_regions *r, const unsigned char *s, size_t n);

/* ---- label and literal hits from the matcher ---- */
typedef enum eg_hit_kind {
    EG_HIT_LABEL = 0, /**< context label; `id` indexes the context table */
    EG_HIT_PLATE,     /**< province character + letter of a plate */
    EG_HIT_SECRET,    /**< 绝密/机密/秘密 followed by ★ */
    EG_HIT_MARK,      /**< a commercial-secret or internal-use mark */
    EG_HIT_PEM,       /**< "-----BEGIN " */
    EG_HIT_TOKEN,     /**< a credential prefix (AKIA, ghp_ ...) */
    EG_HIT_HONORIFIC, /**< 先生/女士/小姐 after a name */
} eg_hit_kind;

typedef struct eg_hit {
    uint32_t end;  /**< offset one past the hit, relative to the buffer */
    uint16_t kind; /**< eg_hit_kind */
    uint16_t id;   /**< label index or literal id */
} eg_hit;

/* ---- candidates ---- */
typedef struct eg_cand {
    uint64_t start, end; /**< absolute offsets of the written value */
    uint32_t norm_off;   /**< normalized value in the chunk's arena */
    uint16_t norm_len;
    uint8_t type;   /**< eg_type */
    uint8_t flags;  /**< EG_CAND_* */
    uint32_t need;  /**< context kinds, any of which confirms it */
    float conf;     /**< confidence without context */
    float conf_ctx; /**< confidence with context */
    uint32_t birth_ymd;
    uint32_t veto; /**< context kinds that rule it out */
    /* filled by the driver */
    uint64_t fp64;       /**< fingerprint, once computed */
    uint64_t record;     /**< record of the input */
    uint32_t lines;      /**< newlines between the chunk's own start and
                              the candidate */
    uint32_t field_off;  /**< field name in the driver's arena + 1, or 0 */
    uint32_t fflags;     /**< EG_FINDING_* flags */
    uint32_t masked_off; /**< masked preview in the arena + 1, or 0 */
    uint32_t text_off;   /**< the sink's rendering in the arena + 1, or 0 */
    uint32_t text_len;
} eg_cand;

#define EG_CAND_RESOLVED 0x1u /**< context decided (or none needed) */
#define EG_CAND_CELL 0x2u     /**< a whole CSV/JSON cell: needs a key */
#define EG_CAND_WEAK_REGION 0x4u
#define EG_CAND_DROPPED 0x8u
#define EG_CAND_CTX_OPTIONAL 0x10u /**< context only raises confidence */
#define EG_CAND_FP_DONE 0x20u      /**< fp64 computed */
/** Starts before the owned region: kept only to resolve overlaps, never
 *  emitted (its owner reports it). */
#define EG_CAND_FOREIGN 0x40u
/** Starts after the owned region (in the overlap tail): kept only to
 *  resolve overlaps, never emitted (the next chunk reports it).  With
 *  FOREIGN this makes overlap resolution at a chunk boundary see what a
 *  one-chunk scan sees. */
#define EG_CAND_AHEAD 0x80u

/** What the detectors need to know about the chunk and where they put
 *  their results.  Offsets in `buf` are relative; `base` is the absolute
 *  offset of buf[0]. */
typedef struct eg_chunk {
    const unsigned char *buf;
    size_t len;
    uint64_t base;
    size_t own_lo, own_hi; /**< candidates must start in [own_lo, own_hi) */
    eg_format format;
    int as_of_ymd;
    const eg_context *context;
    const eg_regions *regions;
    const uint8_t *type_enabled; /**< NULL = all */
    /* matcher output, sorted by end */
    const eg_hit *hits;
    size_t nhits;
    /* results */
    eg_cand *cands;
    size_t ncands, cap;
    eg_buf arena;
    int oom; /**< set when an allocation failed: the chunk is lost */
    /* the last line asked about by eg__line_has_tab() */
    size_t tab_ls, tab_le;
    int tab_has;
} eg_chunk;

/** Run every detector over the chunk; append candidates.  Text context is
 *  resolved; candidates that need structure context keep
 *  EG_CAND_RESOLVED clear.  Candidates are sorted by start and overlaps
 *  resolved (most specific type wins).  @return EG_OK or EG_ENOMEM. */
int eg__detect_chunk(eg_chunk *ch);

/** Finish a candidate's context with the kinds from structure (CSV header,
 *  JSON key): sets RESOLVED or DROPPED. */
void eg__detect_resolve(eg_cand *c, uint32_t kinds);
/** A candidate that needs no context but that a CSV column or JSON key of
 *  one of `veto` kinds rules out: in structured input it waits for the
 *  cursor (its FOREIGN/AHEAD flags kept, for chunk invariance).  No-op for
 *  NULL and in text, where the caller checks the label itself. */
void eg__cand_key_may_veto(const eg_chunk *ch, eg_cand *c, uint32_t veto);

/** Sort candidates and keep one per value (the longest; on a tie the more
 *  confident).  eg__detect_chunk() does this for text; for structured
 *  inputs the driver calls it after eg__detect_resolve(). */
void eg__detect_finish(eg_chunk *ch);

/** Release a chunk's result storage (not the buffer). */
void eg__chunk_reset(eg_chunk *ch);
void eg__chunk_free(eg_chunk *ch);

/* ---- helpers shared by the detector files ---- */
/** Or'ed into eg__cand_add's `need`: the context only raises confidence. */
#define EG_NEED_OPTIONAL 0x80000000u
#define EG_OPTIONAL(kinds) ((kinds) | EG_NEED_OPTIONAL)
int eg__cand_add(eg_chunk *ch, int type, size_t start, size_t end,
                 const char *norm, size_t norm_len, float conf, uint32_t need,
                 float conf_ctx, eg_cand **out);
/** 1 if a label of one of `kinds` ends within `window` bytes before `at`
 *  (not necessarily adjacent). */
int eg__label_near(const eg_chunk *ch, size_t at, size_t window,
                   uint32_t kinds);
/** 1 if the line holding relative offset `at` contains a tab (cached per
 *  line: dates in logs ask once per line). */
int eg__line_has_tab(eg_chunk *ch, size_t at);
/** 1 if the structured formats (CSV, TSV, JSON, JSONL) apply. */
int eg__chunk_structured(const eg_chunk *ch);
/** Context kinds from labels immediately before relative offset `at`
 *  (separators allowed between), from a tab-table header, or 0. */
uint32_t eg__text_context(const eg_chunk *ch, size_t at);

/* detector entry points, one per family (detect_*.c) */
size_t eg__detect_digits(eg_chunk *ch, size_t p);
/** 1 if the short digit run [p, e) (at most 5 digits, no letters around
 *  it) could start a value, judged from the bytes after it. */
int eg__short_run_may_matter(eg_chunk *ch, size_t p, size_t e);
size_t eg__detect_fullwidth(eg_chunk *ch, size_t p);
size_t eg__detect_email(eg_chunk *ch, size_t p);
size_t eg__detect_cell(eg_chunk *ch, size_t p);
int eg__detect_hit(eg_chunk *ch, const eg_hit *h);
/** An address around the house number at [num_start, num_end). */
size_t eg__detect_address(eg_chunk *ch, size_t num_start, size_t num_end);

/* UTF-8 Han helpers */
/** 1 if the 3 bytes at s are a CJK unified ideograph (U+4E00..U+9FFF). */
static inline int eg__is_han(const unsigned char *s, size_t avail)
{
    if (avail < 3 || s[0] < 0xE4 || s[0] > 0xE9)
        return 0;
    return (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80;
}

static inline int eg__is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static inline int eg__is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

#endif
