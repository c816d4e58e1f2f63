/*
 * state_file.c: the state file (docs/internals/STATE_FORMAT.md): writing it
 * atomically, reading it, and merging it into a state in a streaming way.
 *
 * The format is fixed-width little-endian throughout, so that a state
 * written on one machine merges on any other.  A 96-byte header carries a
 * magic, a version, the fingerprint key id, the sizes and the body's
 * SHA-256, and is itself covered by a CRC-32.  Nothing is trusted before
 * it has been checked: the header first, the file size against it, then
 * the body is parsed and hashed in one pass, and a count is only ever
 * produced from a state whose whole body matched its checksum.  When the
 * structure of a body looks wrong, the reader still hashes to the end, so
 * that a flipped byte is reported as what it is (a checksum mismatch) with
 * the offset where it first showed.
 *
 * Merging a file into a state with content makes two passes: verify, then
 * apply, so that a bad file leaves the state untouched and memory stays
 * that of the union (plus 4 bytes per key of the file for its index map).
 */
#include "state/state_int.h"
#include "detect/catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define HDR_SIZE 96
#define FORMAT_VERSION 1
#define FLAG_ESTIMATE 0x1u
#define KEY_REC 20
#define SK_REC 16
#define RECORD_COUNTERS 8
#define MAX_SHARDS (1u << 20)

static const unsigned char MAGIC[8] = {0x89, 'E',  'G',  'S',
                                       'T',  '\r', '\n', 0x1a};

/* ------------------------------------------------- little-endian codec */

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ------------------------------------------------------------ emitting */

typedef struct emitter {
    eg__emit_fn emit;
    void *ctx;
    EVP_MD_CTX *prefix; /* hashes the body before the shard section */
    unsigned char buf[1 << 16];
    size_t len;
    int rc;
} emitter;

static void flush_out(emitter *e)
{
    if (e->rc == EG_OK && e->len && e->emit)
        e->rc = e->emit(e->buf, e->len, e->ctx);
    e->len = 0;
}

static void put(emitter *e, const void *data, size_t n)
{
    if (e->rc)
        return;
    if (e->prefix && !EVP_DigestUpdate(e->prefix, data, n))
        e->rc = EG_ERROR;
    const unsigned char *p = data;
    while (n && e->rc == EG_OK) {
        size_t room = sizeof e->buf - e->len;
        size_t k = n < room ? n : room;
        memcpy(e->buf + e->len, p, k);
        e->len += k;
        p += k;
        n -= k;
        if (e->len == sizeof e->buf)
            flush_out(e);
    }
}

static void put_u32(emitter *e, uint32_t v)
{
    unsigned char b[4];
    put32(b, v);
    put(e, b, 4);
}

static void put_u64(emitter *e, uint64_t v)
{
    unsigned char b[8];
    put64(b, v);
    put(e, b, 8);
}

static void emit_sketch(emitter *e, const eg__sk_entry *v, size_t n,
                        uint64_t thr, int sat)
{
    put_u64(e, thr);
    put_u32(e, sat ? 1 : 0);
    put_u32(e, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        unsigned char b[SK_REC];
        put64(b, v[i].h);
        put16(b + 8, v[i].type);
        put16(b + 10, v[i].flags);
        put32(b + 12, v[i].birth);
        put(e, b, SK_REC);
    }
}

static int emit_sketches(emitter *e, const eg_state *st, eg_error *err)
{
    eg__sk_entry pending, *v;
    size_t n;
    uint64_t thr;
    int sat;
    int has = eg__state_pending_person(st, &pending);
    put_u32(e, st->persons.k);
    int rc = eg__sketch_snapshot(&st->persons, has ? &pending : NULL, &v, &n,
                                 &thr, &sat, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        v[i].type = 0; /* persons carry no type */
    emit_sketch(e, v, n, thr, sat);
    eg__free(v);
    rc = eg__sketch_snapshot(&st->keyset, NULL, &v, &n, &thr, &sat, err);
    if (rc)
        return rc;
    emit_sketch(e, v, n, thr, sat);
    eg__free(v);
    return EG_OK;
}

int eg__state_emit_body(const eg_state *st, eg__emit_fn emit, void *ctx,
                        unsigned char leaf_id[EG__SHARD_BYTES],
                        uint64_t *key_count, eg_error *err)
{
    emitter *e = eg__malloc(sizeof *e);
    if (!e)
        return eg__fail(err, EG_ENOMEM, "out of memory writing a state");
    e->emit = emit;
    e->ctx = ctx;
    e->len = 0;
    e->rc = EG_OK;
    e->prefix = EVP_MD_CTX_new();
    if (!e->prefix || !EVP_DigestInit_ex(e->prefix, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(e->prefix);
        eg__free(e);
        return eg__fail(err, EG_ENOMEM, "cannot set up SHA-256");
    }
    /* types: catalog order, so a key's type index is its catalog index */
    for (int t = 0; t < EG_T_COUNT; t++) {
        const char *id = eg_type_id(t);
        unsigned char len = (unsigned char)strlen(id);
        put(e, &len, 1);
        put(e, id, len);
        put_u64(e, st->findings_by_type[t]);
    }
    uint64_t rec[RECORD_COUNTERS] = {
        st->records_with_pi, st->records_linked, st->records_with_spi,
        st->records_spi_linked, st->inputs_with_pi};
    for (int i = 0; i < RECORD_COUNTERS; i++)
        put_u64(e, rec[i]);
    for (size_t i = 0; i < st->nkeys; i++) {
        const eg__key_entry *k = &st->keys[i];
        unsigned char b[KEY_REC];
        put64(b, k->fp);
        put32(b + 8, k->parent);
        put16(b + 12, (uint16_t)(k->meta & EG__META_TYPE_MASK));
        put16(b + 14, (k->meta & EG__META_ATTACHED) ? 1 : 0);
        put32(b + 16, eg__state_unpack_birth(k->meta >> EG__META_BIRTH_SHIFT &
                                             EG__META_BIRTH_MASK));
        put(e, b, KEY_REC);
    }
    int rc = EG_OK;
    if (st->estimate)
        rc = emit_sketches(e, st, err);
    unsigned char md[32];
    if (rc == EG_OK && !EVP_DigestFinal_ex(e->prefix, md, NULL))
        rc = eg__fail(err, EG_ERROR, "SHA-256 failed");
    EVP_MD_CTX_free(e->prefix);
    e->prefix = NULL;
    if (rc == EG_OK) {
        memcpy(leaf_id, md, EG__SHARD_BYTES);
        bool leaf = st->nshards == 0 && eg__state_total_findings(st) > 0;
        put_u32(e, leaf ? 1 : (uint32_t)st->nshards);
        if (leaf)
            put(e, md, EG__SHARD_BYTES);
        else if (st->nshards)
            put(e, st->shards, st->nshards * EG__SHARD_BYTES);
        flush_out(e);
        if (e->rc)
            rc = e->rc == EG_EIO ? EG_EIO
                                 : eg__fail(err, e->rc, "writing state failed");
    }
    if (key_count)
        *key_count = st->nkeys;
    eg__free(e);
    return rc;
}

/* ------------------------------------------------------------- writing */

typedef struct file_sink {
    FILE *fp;
    EVP_MD_CTX *sha;
    uint64_t bytes;
} file_sink;

static int file_emit(const void *data, size_t n, void *ctx)
{
    file_sink *fs = ctx;
    if (fwrite(data, 1, n, fs->fp) != n)
        return EG_EIO;
    if (!EVP_DigestUpdate(fs->sha, data, n))
        return EG_ERROR;
    fs->bytes += n;
    return EG_OK;
}

static void build_header(unsigned char h[HDR_SIZE], const eg_state *st,
                         uint64_t keys, uint64_t body, const unsigned char *md)
{
    memset(h, 0, HDR_SIZE);
    memcpy(h, MAGIC, 8);
    put16(h + 8, FORMAT_VERSION);
    put32(h + 12, HDR_SIZE);
    put32(h + 16, st->estimate ? FLAG_ESTIMATE : 0);
    put32(h + 20, EG_T_COUNT);
    memcpy(h + 24, st->key_id, 16);
    put64(h + 40, keys);
    put64(h + 48, body);
    memcpy(h + 56, md, 32);
    put32(h + 92, (uint32_t)crc32(0L, h, 92));
}

/* fsync the directory holding `path`, which is overwritten (dirname() in
 * place): no allocation, so that a state renamed into place is never
 * followed by an out-of-memory error. */
static int sync_dir(char *path)
{
    int fd = open(dirname(path), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return EG_EIO;
    int rc = fsync(fd) == 0 || errno == EINVAL ? EG_OK : EG_EIO;
    close(fd);
    return rc;
}

int eg_state_write(const eg_state *st, const char *path, eg_error *err)
{
    if (!st || !path)
        return eg__fail(err, EG_EINVAL, "eg_state_write: NULL argument");
    if (st->broken)
        return eg__fail(err, EG_ENOMEM,
                        "state is unusable after an earlier failure");
    size_t plen = strlen(path);
    char *tmp = eg__malloc(plen + 16);
    if (!tmp)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        eg__free(tmp);
        return eg__fail(err, EG_EIO, "%s: cannot create a temporary file: %s",
                        path, strerror(e));
    }
    file_sink fs = {fdopen(fd, "wb"), EVP_MD_CTX_new(), 0};
    int rc = EG_OK;
    unsigned char hdr[HDR_SIZE] = {0}, md[32], leaf[EG__SHARD_BYTES];
    uint64_t keys = 0;
    if (!fs.fp || !fs.sha || !EVP_DigestInit_ex(fs.sha, EVP_sha256(), NULL)) {
        rc = eg__fail(err, EG_ENOMEM, "%s: cannot set up the writer", path);
        goto done;
    }
    if (fwrite(hdr, 1, HDR_SIZE, fs.fp) != HDR_SIZE) {
        rc = EG_EIO;
        goto done;
    }
    rc = eg__state_emit_body(st, file_emit, &fs, leaf, &keys, err);
    if (rc)
        goto done;
    if (!EVP_DigestFinal_ex(fs.sha, md, NULL)) {
        rc = eg__fail(err, EG_ERROR, "SHA-256 failed");
        goto done;
    }
    build_header(hdr, st, keys, fs.bytes, md);
    if (fseek(fs.fp, 0, SEEK_SET) != 0 ||
        fwrite(hdr, 1, HDR_SIZE, fs.fp) != HDR_SIZE || fflush(fs.fp) != 0 ||
        fsync(fileno(fs.fp)) != 0)
        rc = EG_EIO;
done:
    if (rc == EG_EIO)
        eg__fail(err, EG_EIO, "%s: writing the state failed: %s", path,
                 strerror(errno));
    if (fs.fp) {
        if (fclose(fs.fp) != 0 && rc == EG_OK)
            rc = eg__fail(err, EG_EIO, "%s: closing the state failed: %s", path,
                          strerror(errno));
    } else {
        close(fd);
    }
    EVP_MD_CTX_free(fs.sha);
    if (rc == EG_OK && rename(tmp, path) != 0)
        rc = eg__fail(err, EG_EIO, "%s: cannot rename the state into place: %s",
                      path, strerror(errno));
    if (rc != EG_OK)
        unlink(tmp);
    else if (sync_dir(tmp) != EG_OK) /* tmp's directory is path's */
        rc = eg__fail(err, EG_EIO, "%s: cannot sync its directory", path);
    eg__free(tmp);
    return rc;
}

/* ------------------------------------------------------------- reading */

typedef struct reader {
    const char *name;
    FILE *fp;                 /* or */
    const unsigned char *mem; /* with memlen */
    size_t memlen;
    uint64_t off;  /* file offset of the next byte */
    uint64_t size; /* whole file */
    EVP_MD_CTX *sha;
    unsigned char buf[1 << 16];
    size_t blen, bpos;
    /* first structural error, kept while the checksum is finished */
    int bad;
    uint64_t bad_off;
    char bad_msg[200];
} reader;

typedef struct header {
    uint32_t flags;
    uint32_t type_count;
    char key_id[17];
    uint64_t key_count;
    uint64_t body_size;
    unsigned char sha[32];
} header;

static int fill(reader *r)
{
    r->bpos = 0;
    if (r->mem) {
        size_t left = r->memlen - (size_t)r->off;
        r->blen = left < sizeof r->buf ? left : sizeof r->buf;
        memcpy(r->buf, r->mem + r->off, r->blen);
    } else {
        r->blen = fread(r->buf, 1, sizeof r->buf, r->fp);
    }
    /* Everything filled is body: hash it whole, not field by field. */
    if (r->blen && !EVP_DigestUpdate(r->sha, r->buf, r->blen))
        return EG_ERROR;
    return r->blen ? EG_OK : EG_EIO;
}

/* Read n body bytes into p (p may be NULL to skip); fill() hashes them. */
static int get(reader *r, void *p, size_t n, eg_error *err)
{
    unsigned char *out = p;
    while (n) {
        if (r->bpos == r->blen && fill(r) != EG_OK)
            return eg__fail(err, EG_ECORRUPT,
                            "%s: truncated: the file ends at offset %llu "
                            "(it changed while being read?)",
                            r->name, (unsigned long long)r->off);
        size_t k = r->blen - r->bpos;
        if (k > n)
            k = n;
        if (out) {
            memcpy(out, r->buf + r->bpos, k);
            out += k;
        }
        r->bpos += k;
        r->off += k;
        n -= k;
    }
    return EG_OK;
}

/* Note a structural error at `off`; the first one is kept. */
static int bad(reader *r, uint64_t off, const char *fmt, ...) EG_PRINTF(3, 4);
static int bad(reader *r, uint64_t off, const char *fmt, ...)
{
    if (!r->bad) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->bad_msg, sizeof r->bad_msg, fmt, ap);
        va_end(ap);
        r->bad = 1;
        r->bad_off = off;
    }
    return EG_ECORRUPT;
}

static int rewind_body(reader *r, eg_error *err)
{
    r->off = HDR_SIZE;
    r->blen = r->bpos = 0;
    r->bad = 0;
    if (r->fp && fseeko(r->fp, HDR_SIZE, SEEK_SET) != 0)
        return eg__fail(err, EG_EIO, "%s: cannot seek: %s", r->name,
                        strerror(errno));
    if (!EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL))
        return eg__fail(err, EG_ERROR, "SHA-256 failed");
    return EG_OK;
}

static bool hex_id(const char *p)
{
    for (int i = 0; i < 16; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    return true;
}

static int read_header(reader *r, header *h, eg_error *err)
{
    unsigned char b[HDR_SIZE];
    if (r->size < HDR_SIZE)
        return eg__fail(err, EG_ECORRUPT,
                        "%s: truncated: %llu bytes, a state header needs %d",
                        r->name, (unsigned long long)r->size, HDR_SIZE);
    if (r->mem) {
        memcpy(b, r->mem, HDR_SIZE);
    } else if (fread(b, 1, HDR_SIZE, r->fp) != HDR_SIZE) {
        return eg__fail(err, EG_EIO, "%s: cannot read the header", r->name);
    }
    r->off = HDR_SIZE;
    if (memcmp(b, MAGIC, 8) != 0)
        return eg__fail(err, EG_ECORRUPT,
                        "%s: not an egress state file (bad magic at offset 0)",
                        r->name);
    uint16_t version = get16(b + 8);
    if (version > FORMAT_VERSION)
        return eg__fail(err, EG_ECORRUPT,
                        "%s: state format version %u is newer than this "
                        "egress reads (%d): upgrade egress",
                        r->name, version, FORMAT_VERSION);
    if (version != FORMAT_VERSION)
        return eg__fail(err, EG_ECORRUPT,
                        "%s: bad state format version %u at offset 8", r->name,
                        version);
    if ((uint32_t)crc32(0L, b, 92) != get32(b + 92))
        return eg__fail(err, EG_ECORRUPT,
                        "%s: header checksum mismatch (CRC-32 of bytes 0-91 "
                        "against offset 92)",
                        r->name);
    if (get32(b + 12) != HDR_SIZE || get16(b + 10) != 0 || get32(b + 88) != 0)
        return eg__fail(err, EG_ECORRUPT,
                        "%s: bad header size or reserved field (offset 10-15 "
                        "or 88)",
                        r->name);
    h->flags = get32(b + 16);
    if (h->flags & ~FLAG_ESTIMATE)
        return eg__fail(err, EG_ECORRUPT, "%s: unknown flags at offset 16",
                        r->name);
    h->type_count = get32(b + 20);
    if (h->type_count == 0 || h->type_count > 255)
        return eg__fail(err, EG_ECORRUPT, "%s: bad type count at offset 20",
                        r->name);
    memcpy(h->key_id, b + 24, 16);
    h->key_id[16] = '\0';
    if (!hex_id(h->key_id))
        return eg__fail(err, EG_ECORRUPT, "%s: bad key id at offset 24",
                        r->name);
    h->key_count = get64(b + 40);
    h->body_size = get64(b + 48);
    memcpy(h->sha, b + 56, 32);
    uint64_t have = r->size - HDR_SIZE;
    if (h->body_size != have)
        return eg__fail(
            err, EG_ECORRUPT,
            "%s: %s: the header (offset 48) says the body has "
            "%llu bytes, the file holds %llu after the header",
            r->name, h->body_size > have ? "truncated" : "trailing data",
            (unsigned long long)h->body_size, (unsigned long long)have);
    if (h->key_count > h->body_size / KEY_REC ||
        ((h->flags & FLAG_ESTIMATE) && h->key_count != 0))
        return eg__fail(err, EG_ECORRUPT,
                        "%s: key count at offset 40 does not fit the body",
                        r->name);
    return EG_OK;
}

/* What a body holds besides its keys, applied only once it is verified. */
typedef struct body_extra {
    int map[256]; /* file type index -> catalog index */
    uint64_t findings[EG_COUNTS_MAX_TYPES];
    uint64_t rec[RECORD_COUNTERS];
    unsigned char (*shards)[EG__SHARD_BYTES];
    uint32_t nshards;
} body_extra;

/* Where keys go while parsing: nowhere (verify), into a fresh state
 * (identity), or into a state with content (index map). */
typedef struct apply {
    eg_state *dst;
    uint32_t *map; /* NULL: file index i must land at dense index i */
} apply;

static int parse_types(reader *r, const header *h, body_extra *x, eg_error *err)
{
    int seen[EG_COUNTS_MAX_TYPES] = {0};
    for (uint32_t i = 0; i < h->type_count; i++) {
        uint64_t at = r->off;
        unsigned char len;
        char id[256];
        unsigned char cnt[8];
        if (get(r, &len, 1, err) || get(r, id, len, err) || get(r, cnt, 8, err))
            return EG_ECORRUPT;
        id[len] = '\0';
        int t = (len && strlen(id) == len) ? eg_type_from_id(id) : -1;
        x->map[i] = t;
        if (t < 0) {
            bool plain = len > 0;
            for (unsigned j = 0; j < len; j++)
                if (!((id[j] >= 'a' && id[j] <= 'z') ||
                      (id[j] >= '0' && id[j] <= '9') || id[j] == '_'))
                    plain = false;
            if (!plain)
                return bad(r, at, "malformed type name");
            /* A well-formed name we do not know: a newer catalog.  Decided
             * after the checksum (a flipped byte also gives this). */
            x->map[i] = -2;
            continue;
        }
        if (seen[t]++)
            return bad(r, at, "type listed twice");
        x->findings[t] += get64(cnt);
    }
    return EG_OK;
}

static int parse_records(reader *r, body_extra *x, eg_error *err)
{
    unsigned char b[RECORD_COUNTERS * 8];
    uint64_t at = r->off;
    if (get(r, b, sizeof b, err))
        return EG_ECORRUPT;
    for (int i = 0; i < RECORD_COUNTERS; i++)
        x->rec[i] = get64(b + 8 * i);
    if (x->rec[1] > x->rec[0] || x->rec[2] > x->rec[0] ||
        x->rec[3] > x->rec[2] || x->rec[3] > x->rec[1] || x->rec[5] ||
        x->rec[6] || x->rec[7])
        return bad(r, at, "inconsistent record counters");
    return EG_OK;
}

static int parse_keys(reader *r, const header *h, const body_extra *x,
                      apply *ap, eg_error *err)
{
    for (uint64_t i = 0; i < h->key_count; i++) {
        unsigned char b[KEY_REC];
        uint64_t at = r->off;
        if (get(r, b, KEY_REC, err))
            return EG_ECORRUPT;
        uint64_t fp = get64(b);
        uint32_t parent = get32(b + 8);
        uint16_t ft = get16(b + 12), flags = get16(b + 14);
        uint32_t birth = get32(b + 16);
        int t = ft < h->type_count ? x->map[ft] : -1;
        if (t == -2)
            continue; /* reported as unsupported after the checksum */
        if (t < 0 || eg_type_key_strength(t) == 0)
            return bad(r, at, "bad key type");
        if (parent > i)
            return bad(r, at, "key parent after the key");
        if (flags & ~1u)
            return bad(r, at, "unknown key flags");
        if (birth && (t != EG_T_cn_resident_id || !eg__state_pack_birth(birth)))
            return bad(r, at, "bad birth date");
        if (!ap->dst || r->bad)
            continue;
        uint32_t meta = (flags ? EG__META_ATTACHED : 0) |
                        eg__state_pack_birth(birth) << EG__META_BIRTH_SHIFT;
        uint32_t d;
        int ins;
        int rc = eg__state_key_upsert(ap->dst, t, fp, meta, &d, &ins, err);
        if (rc)
            return rc;
        if (d == UINT32_MAX)
            return eg__fail(err, EG_ELIMIT, "%s: key budget exceeded", r->name);
        if (ap->map)
            ap->map[i] = d;
        else if (d != i)
            return bad(r, at, "duplicate key");
        if (parent != i)
            eg__state_union(ap->dst, d, ap->map ? ap->map[parent] : parent);
    }
    return EG_OK;
}

static int parse_sketch(reader *r, const header *h, const body_extra *x,
                        eg__sketch *dst, uint32_t k, bool persons,
                        eg_error *err)
{
    unsigned char b[16];
    uint64_t at = r->off;
    if (get(r, b, 16, err))
        return EG_ECORRUPT;
    uint64_t thr = get64(b);
    uint32_t sat = get32(b + 8), n = get32(b + 12);
    if (sat > 1 || n > k || (!sat && thr != UINT64_MAX))
        return bad(r, at, "bad sketch header");
    uint64_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned char e[SK_REC];
        at = r->off;
        if (get(r, e, SK_REC, err))
            return EG_ECORRUPT;
        uint64_t hv = get64(e);
        uint16_t ft = get16(e + 8), flags = get16(e + 10);
        uint32_t birth = get32(e + 12);
        if (hv == 0 || hv <= prev || hv >= thr)
            return bad(r, at, "sketch items out of order");
        prev = hv;
        int t = 0;
        if (persons) {
            if (ft != 0 || flags & ~1u ||
                (birth && !eg__state_pack_birth(birth)))
                return bad(r, at, "bad sketch item");
        } else {
            t = ft < h->type_count ? x->map[ft] : -1;
            if (t == -2)
                continue;
            if (t < 0 || eg_type_key_strength(t) == 0 || flags || birth)
                return bad(r, at, "bad sketch item");
        }
        if (dst && !r->bad) {
            int rc = eg__sketch_add(dst, hv, (uint16_t)t, flags, birth, err);
            if (rc)
                return rc;
        }
    }
    if (dst && !r->bad)
        eg__sketch_clip(dst, thr, (int)sat);
    return EG_OK;
}

static int parse_shards(reader *r, body_extra *x, eg_error *err)
{
    unsigned char b[4];
    uint64_t at = r->off;
    if (get(r, b, 4, err))
        return EG_ECORRUPT;
    uint32_t n = get32(b);
    if (n > MAX_SHARDS || (uint64_t)n * EG__SHARD_BYTES > r->size - r->off)
        return bad(r, at, "bad shard count");
    x->shards = eg__malloc((n ? n : 1) * (size_t)EG__SHARD_BYTES);
    if (!x->shards)
        return eg__fail(err, EG_ENOMEM, "out of memory for shard ids");
    x->nshards = n;
    for (uint32_t i = 0; i < n; i++) {
        at = r->off;
        if (get(r, x->shards[i], EG__SHARD_BYTES, err))
            return EG_ECORRUPT;
        if (i && memcmp(x->shards[i - 1], x->shards[i], EG__SHARD_BYTES) >= 0)
            return bad(r, at, "shard ids out of order");
    }
    return EG_OK;
}

/* Parse the body once, hashing it; apply keys and sketches to ap->dst if
 * set.  Returns EG_ECORRUPT with a message when the checksum or the
 * structure is wrong; hard errors (I/O, memory) as they are. */
static int parse_body(reader *r, const header *h, body_extra *x, apply *ap,
                      eg_error *err)
{
    memset(x, 0, sizeof *x);
    int rc = parse_types(r, h, x, err);
    /* A type this library does not know: verify to the end, apply nothing,
     * and say so then. */
    apply verify_only = {NULL, NULL};
    for (uint32_t i = 0; i < h->type_count; i++)
        if (x->map[i] == -2)
            ap = &verify_only;
    if (rc == EG_OK && !r->bad)
        rc = parse_records(r, x, err);
    if (rc == EG_OK && !r->bad)
        rc = parse_keys(r, h, x, ap, err);
    if (rc == EG_OK && !r->bad && (h->flags & FLAG_ESTIMATE)) {
        unsigned char b[4];
        uint64_t at = r->off;
        uint32_t k = 0;
        rc = get(r, b, 4, err);
        if (rc == EG_OK)
            k = get32(b);
        if (rc == EG_OK && (k < 16 || k > (1u << 20)))
            rc = bad(r, at, "bad sketch size");
        if (rc == EG_OK && ap->dst) {
            ap->dst->sketch_k = k;
            rc = eg__state_to_estimate(ap->dst, err);
        }
        if (rc == EG_OK)
            rc = parse_sketch(r, h, x, ap->dst ? &ap->dst->persons : NULL, k,
                              true, err);
        if (rc == EG_OK && !r->bad)
            rc = parse_sketch(r, h, x, ap->dst ? &ap->dst->keyset : NULL, k,
                              false, err);
    }
    if (rc == EG_OK && !r->bad)
        rc = parse_shards(r, x, err);
    if (rc == EG_OK && !r->bad && r->off != r->size)
        rc = bad(r, r->off, "unexpected bytes after the last section");
    if (rc != EG_OK && !r->bad)
        return rc; /* truncation, I/O or memory */
    /* Hash whatever is left, so that damage reads as damage. */
    while (r->off < r->size)
        if (get(r, NULL,
                (size_t)(r->size - r->off < (1 << 20) ? r->size - r->off
                                                      : (1 << 20)),
                err))
            return EG_ECORRUPT;
    unsigned char md[32];
    if (!EVP_DigestFinal_ex(r->sha, md, NULL))
        return eg__fail(err, EG_ERROR, "SHA-256 failed");
    if (memcmp(md, h->sha, 32) != 0) {
        if (r->bad)
            return eg__fail(err, EG_ECORRUPT,
                            "%s: body checksum mismatch (SHA-256 of bytes "
                            "96-%llu against offset 56); first damage seen "
                            "near offset %llu",
                            r->name, (unsigned long long)r->size - 1,
                            (unsigned long long)r->bad_off);
        return eg__fail(err, EG_ECORRUPT,
                        "%s: body checksum mismatch (SHA-256 of bytes 96-%llu "
                        "against offset 56)",
                        r->name, (unsigned long long)r->size - 1);
    }
    if (r->bad)
        return eg__fail(err, EG_ECORRUPT, "%s: %s at offset %llu", r->name,
                        r->bad_msg, (unsigned long long)r->bad_off);
    for (uint32_t i = 0; i < h->type_count; i++)
        if (x->map[i] == -2)
            return eg__fail(err, EG_EUNSUPPORTED,
                            "%s: the state names a finding type this egress "
                            "does not know (written by a newer version?)",
                            r->name);
    return EG_OK;
}

static int reader_open(reader *r, const char *path, eg_error *err)
{
    memset(r, 0, offsetof(reader, buf));
    r->blen = r->bpos = 0;
    r->bad = 0;
    r->name = path;
    r->fp = fopen(path, "rb");
    if (!r->fp)
        return eg__fail(err, errno == ENOENT ? EG_ENOTFOUND : EG_EIO,
                        "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(r->fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(r->fp);
        r->fp = NULL;
        return eg__fail(err, EG_EIO, "%s: not a regular file", path);
    }
    r->size = (uint64_t)sb.st_size;
    r->sha = EVP_MD_CTX_new();
    if (!r->sha || !EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL)) {
        fclose(r->fp);
        r->fp = NULL;
        EVP_MD_CTX_free(r->sha);
        return eg__fail(err, EG_ENOMEM, "cannot set up SHA-256");
    }
    return EG_OK;
}

static int reader_mem(reader *r, const void *data, size_t len, eg_error *err)
{
    memset(r, 0, offsetof(reader, buf));
    r->blen = r->bpos = 0;
    r->bad = 0;
    r->name = "<memory>";
    r->mem = data;
    r->memlen = len;
    r->size = len;
    r->sha = EVP_MD_CTX_new();
    if (!r->sha || !EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(r->sha);
        return eg__fail(err, EG_ENOMEM, "cannot set up SHA-256");
    }
    return EG_OK;
}

static void reader_close(reader *r)
{
    if (r->fp)
        fclose(r->fp);
    EVP_MD_CTX_free(r->sha);
}

static void apply_counters(eg_state *st, const body_extra *x)
{
    for (int t = 0; t < EG_T_COUNT; t++)
        st->findings_by_type[t] += x->findings[t];
    st->records_with_pi += x->rec[0];
    st->records_linked += x->rec[1];
    st->records_with_spi += x->rec[2];
    st->records_spi_linked += x->rec[3];
    st->inputs_with_pi += x->rec[4];
}

/* Read a whole state from an open reader into a new state, one pass. */
static int load_new(reader *r, eg_state **out, eg_error *err)
{
    *out = NULL;
    header h;
    int rc = read_header(r, &h, err);
    if (rc)
        return rc;
    eg_state *st;
    uint64_t limit = h.key_count > EG_STATE_DEFAULT_EXACT_KEYS
                         ? h.key_count
                         : EG_STATE_DEFAULT_EXACT_KEYS;
    rc = eg__state_alloc(&st, h.key_id, limit, 0, err);
    if (rc)
        return rc;
    /* zeroed: x->shards is freed below even when parse_body never ran */
    body_extra *x = eg__calloc(1, sizeof *x);
    if (!x) {
        eg_state_free(st);
        return eg__fail(err, EG_ENOMEM, "out of memory reading a state");
    }
    apply ap = {st, NULL};
    rc = eg__state_reserve(st, (size_t)h.key_count, err);
    if (rc == EG_OK)
        rc = parse_body(r, &h, x, &ap, err);
    if (rc == EG_OK) {
        apply_counters(st, x);
        st->shards = x->shards;
        st->nshards = x->nshards;
        x->shards = NULL;
        *out = st;
    } else {
        eg_state_free(st);
    }
    eg__free(x->shards);
    eg__free(x);
    return rc;
}

int eg_state_read(eg_state **out, const char *path, eg_error *err)
{
    if (!out || !path)
        return eg__fail(err, EG_EINVAL, "eg_state_read: NULL argument");
    *out = NULL;
    reader *r = eg__malloc(sizeof *r);
    if (!r)
        return eg__fail(err, EG_ENOMEM, "out of memory reading a state");
    int rc = reader_open(r, path, err);
    if (rc == EG_OK) {
        rc = load_new(r, out, err);
        reader_close(r);
    }
    eg__free(r);
    return rc;
}

int eg_state_read_buffer(eg_state **out, const void *data, size_t len,
                         eg_error *err)
{
    if (!out || (!data && len))
        return eg__fail(err, EG_EINVAL, "eg_state_read_buffer: NULL argument");
    *out = NULL;
    reader *r = eg__malloc(sizeof *r);
    if (!r)
        return eg__fail(err, EG_ENOMEM, "out of memory reading a state");
    int rc = reader_mem(r, data ? data : "", len, err);
    if (rc == EG_OK) {
        rc = load_new(r, out, err);
        reader_close(r);
    }
    eg__free(r);
    return rc;
}

/* Merge an exact file into an exact state with content: verify, then
 * apply. */
static int merge_stream(eg_state *dst, reader *r, const header *h,
                        eg_error *err)
{
    body_extra *x = eg__calloc(1, sizeof *x); /* x->shards freed always */
    if (!x)
        return eg__fail(err, EG_ENOMEM, "out of memory merging a state");
    apply verify = {NULL, NULL};
    int rc = parse_body(r, h, x, &verify, err);
    if (rc == EG_OK)
        rc = eg__state_shards_union(
            dst, (const unsigned char(*)[EG__SHARD_BYTES])x->shards, x->nshards,
            err);
    eg__free(x->shards);
    x->shards = NULL;
    uint32_t *map = NULL;
    if (rc == EG_OK && h->key_count) {
        map = eg__malloc((size_t)h->key_count * sizeof *map);
        if (!map)
            rc = eg__fail(err, EG_ENOMEM,
                          "out of memory for the index map of %llu keys",
                          (unsigned long long)h->key_count);
    }
    if (rc == EG_OK)
        rc = rewind_body(r, err);
    if (rc == EG_OK) {
        apply ap = {dst, map};
        rc = parse_body(r, h, x, &ap, err);
        if (rc == EG_OK)
            apply_counters(dst, x);
        else
            dst->broken = 1; /* the file changed between the passes */
    }
    eg__free(map);
    eg__free(x->shards);
    eg__free(x);
    return rc;
}

int eg_state_merge_file(eg_state *dst, const char *path, eg_error *err)
{
    if (!dst || !path)
        return eg__fail(err, EG_EINVAL, "eg_state_merge_file: NULL argument");
    if (dst->broken)
        return eg__fail(err, EG_ENOMEM,
                        "state is unusable after an earlier failure");
    reader *r = eg__malloc(sizeof *r);
    if (!r)
        return eg__fail(err, EG_ENOMEM, "out of memory merging a state");
    int rc = reader_open(r, path, err);
    if (rc) {
        eg__free(r);
        return rc;
    }
    header h;
    rc = read_header(r, &h, err);
    if (rc == EG_OK && strcmp(h.key_id, dst->key_id) != 0)
        rc = eg__fail(err, EG_EINVAL,
                      "%s: made with fingerprint key %s, the merged state "
                      "with %s: their fingerprints cannot be matched",
                      path, h.key_id, dst->key_id);
    if (rc == EG_OK && !dst->estimate && !(h.flags & FLAG_ESTIMATE) &&
        dst->nkeys + h.key_count <= dst->exact_limit) {
        rc = merge_stream(dst, r, &h, err);
        reader_close(r);
        eg__free(r);
        return rc;
    }
    reader_close(r);
    eg__free(r);
    if (rc)
        return rc;
    /* Estimation on either side, or a union that may outgrow the exact
     * budget: read the file whole and merge in memory, where the switch to
     * estimation is handled. */
    eg_state *src;
    rc = eg_state_read(&src, path, err);
    if (rc == EG_OK)
        rc = eg_state_merge(dst, src, err);
    eg_state_free(src);
    return rc;
}
