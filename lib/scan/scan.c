/*
 * scan.c: the scan driver, the only file that joins read, match, detect
 * and the caller's sink.
 *
 * Streaming.  Each input is read into fixed chunks (1 MiB by default).  A
 * chunk's buffer starts OVERLAP bytes before the region it owns and ends
 * OVERLAP bytes after it (except at the end of the input), so a value that
 * crosses a chunk boundary, and the label before it, are seen whole by the
 * chunk that owns the value's first byte, and never by two chunks.  Memory
 * is bounded by the number of chunks in flight, whatever the input size:
 * a 1 GB line is just a thousand chunks.
 *
 * Parallelism.  The calling thread walks and reads the inputs and hands
 * chunks to worker threads (matching, detection, fingerprints); it then
 * emits finished chunks strictly in order, so the output is the same for
 * any number of threads.  Structured inputs (CSV, JSON) need their cursor
 * run over every chunk in order; the emitting thread does that too, since
 * it already visits chunks in order.  With one thread nothing is spawned.
 */
#include "scan/scan_int.h"

#include "crypto/crypto.h"
#include "detect/check.h"
#include "read/source.h"
#include "read/structure.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define OVERLAP 8192
#define DEFAULT_CHUNK ((size_t)1 << 20)
#define MIN_CHUNK (4 * OVERLAP)
#define SNIFF_BYTES 8192
/* eg_cand.fflags bit (not an EG_FINDING_* flag): first CSV row, held */
#define HELD_HEADER_ROW 0x80000000u

/* ---------------------------------------------------------------- engine */

int eg_engine_new(eg_engine **out, eg_error *err)
{
    eg__error_clear(err);
    if (!out)
        return eg__fail(err, EG_EINVAL, "eg_engine_new: out is NULL");
    *out = NULL;
    eg_engine *e = eg__calloc(1, sizeof *e);
    if (!e)
        return eg__fail(err, EG_ENOMEM, "out of memory creating the engine");
    int rc = eg__check_init(err);
    if (rc == EG_OK)
        rc = eg__context_new(&e->context, err);
    if (rc == EG_OK)
        rc = eg__regions_new(&e->regions, err);
    if (rc == EG_OK)
        rc = eg__matcher_new(&e->matcher, e->context, err);
    if (rc != EG_OK) {
        eg_engine_free(e);
        return rc;
    }
    *out = e;
    return EG_OK;
}

void eg_engine_free(eg_engine *e)
{
    if (!e)
        return;
    eg__matcher_free(e->matcher);
    eg__regions_free(e->regions);
    eg__context_free(e->context);
    eg__free(e);
}

/* ------------------------------------------------------------ run state */

typedef struct scan_input {
    char *path;
    uint32_t index;
    eg_format format;
    const char *compression;
    eg_cursor *cursor;
    uint64_t lines; /* newlines before the next chunk's own region,
                       counted by the reading thread */
    uint64_t findings;
    uint64_t bytes;
    int status;
    int capped; /* max_findings reached */
    int jobs;   /* chunks not yet emitted */
    int read_done;
    /* The finding the last emitted chunk reported across the end of its
     * own region (at most one: findings do not overlap).  The next chunk
     * sees it as a foreign candidate and, for structured inputs, cannot
     * ask the cursor about it again: what its owner decided is used. */
    uint64_t cross_start, cross_end;
    int cross_type;       /* -1: none */
    const char *charset;  /* "utf-8" or "gb18030" (static text) */
    uint64_t text_bytes;  /* of the decoded text (bytes: of the input) */
    uint64_t stray_leads; /* see eg_input_info */
} scan_input;

enum { JOB_FREE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

typedef struct job {
    scan_input *in;
    unsigned char *buf;
    size_t cap, len;
    uint64_t base;
    size_t own_lo, own_hi;
    int last; /* the input's final chunk */
    int state;
    int rc;
    eg_error err;
    eg_chunk ch;
    uint64_t line_base; /* newlines before the own region */
    eg_offmap map;      /* decoded GB18030: offsets in buf -> input bytes;
                           empty while they are the same */
} job;

typedef struct worker {
    struct run *run;
    eg_match_scratch *scratch;
    pthread_t thread;
} worker;

typedef struct run {
    const eg_engine *eng;
    eg_scan_options opt;
    const eg_sink *sink;
    void *payload;
    eg_scan_stats *stats;
    eg__hmac_ctx hmac;
    size_t chunk;
    int as_of;
    /* ring of jobs in submission order */
    job *ring;
    size_t nring, head, count;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    int shutdown;
    worker *workers;
    int nworkers;
    eg_match_scratch *inline_scratch;
    eg_buf field_arena;
    uint32_t next_index;
    int stopped;    /* sink asked to stop */
    int fatal;      /* EG_ENOMEM or similar: abandon the run */
    int fatal_code; /* its code, when the caller gave no eg_error */
    eg_error *err;
} run;

static void warn(run *r, const char *path, uint64_t off, int code,
                 const char *msg)
{
    if (r->sink && r->sink->warning)
        r->sink->warning(path, off, code, msg, r->payload);
}

/* ------------------------------------------------------------ the work */

static uint64_t count_newlines(const unsigned char *b, size_t n)
{
    uint64_t k = 0;
    size_t i = 0;
#if defined(__SSE2__)
    /* compare results are -1 per newline: subtract them into byte
     * counters, and fold the counters with SAD before they can wrap */
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i acc = zero;
        for (int r = 0; r < 255 && i + 16 <= n; r++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(b + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
        }
        __m128i sums = _mm_sad_epu8(acc, zero);
        k += (uint64_t)_mm_cvtsi128_si32(sums) +
             (uint64_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    }
#endif
    for (; i < n; i++)
        k += b[i] == '\n';
    return k;
}

/* Newlines between the own region's start and each candidate. */
static void count_lines(job *j)
{
    eg_chunk *ch = &j->ch;
    size_t pos = j->own_lo;
    uint64_t k = 0;
    for (size_t i = 0; i < ch->ncands; i++) {
        size_t at = (size_t)(ch->cands[i].start - j->base);
        if (at > pos) {
            k += count_newlines(j->buf + pos, at - pos);
            pos = at;
        }
        ch->cands[i].lines = (uint32_t)k;
    }
}

static void fingerprint(run *r, const job *j, eg_cand *c)
{
    if (c->flags & EG_CAND_FP_DONE)
        return;
    eg__fingerprint(&r->hmac, c->type, j->ch.arena.data + c->norm_off,
                    c->norm_len, &c->fp64, NULL);
    c->flags |= EG_CAND_FP_DONE;
}

/* The fingerprint and masked preview of a confirmed candidate, computed
 * where there is parallelism (workers) rather than on the emitting thread. */
static int finish_candidate(run *r, job *j, eg_cand *c)
{
    fingerprint(r, j, c);
    if (c->masked_off)
        return EG_OK;
    char masked[sizeof((eg_finding *)0)->masked];
    eg__mask_preview(c->type, j->ch.arena.data + c->norm_off, c->norm_len,
                     masked, sizeof masked);
    size_t off = j->ch.arena.len;
    if (eg__buf_append(&j->ch.arena, masked, strlen(masked) + 1) != EG_OK)
        return EG_ENOMEM;
    c->masked_off = (uint32_t)off + 1;
    return EG_OK;
}

/* Everything a finding says, from its candidate (the masked preview and
 * fingerprint must be computed). */
static void fill_finding(const run *r, const job *j, const eg_cand *c,
                         eg_finding *f)
{
    static const char hex[] = "0123456789abcdef";
    const scan_input *in = j->in;
    memset(f, 0, sizeof *f);
    f->path = in->path;
    f->text_start = c->start;
    f->text_end = c->end;
    f->start = eg__offmap_raw(&j->map, c->start); /* same if no map */
    f->end = eg__offmap_raw(&j->map, c->end);
    f->line = j->line_base + c->lines + 1;
    f->record = in->cursor ? c->record : f->line - 1;
    f->type = c->type;
    f->confidence = c->conf;
    f->field = c->field_off ? r->field_arena.data + c->field_off - 1 : NULL;
    const char *m = j->ch.arena.data + c->masked_off - 1;
    size_t ml = strnlen(m, sizeof f->masked - 1);
    memcpy(f->masked, m, ml);
    f->masked[ml] = '\0';
    f->fp64 = c->fp64;
    for (int i = 0; i < 16; i++)
        f->fingerprint[i] = hex[(c->fp64 >> (60 - 4 * i)) & 15];
    f->fingerprint[16] = '\0';
    f->birth_ymd = c->type == EG_T_cn_resident_id ? c->birth_ymd : 0;
    f->input_index = in->index;
    f->flags = c->fflags;
    if (c->flags & EG_CAND_WEAK_REGION)
        f->flags |= EG_FINDING_WEAK_REGION;
}

/* The sink's rendering of a finding, kept in the chunk's arena. */
static int render(const run *r, job *j, eg_cand *c, const eg_finding *f)
{
    char buf[8192];
    size_t n = r->sink->format(f, buf, sizeof buf, r->payload);
    if (n == 0 || n > sizeof buf)
        return EG_OK;
    size_t off = j->ch.arena.len;
    if (eg__buf_append(&j->ch.arena, buf, n) != EG_OK)
        return EG_ENOMEM;
    c->text_off = (uint32_t)off + 1;
    c->text_len = (uint32_t)n;
    return EG_OK;
}

/* Worker side: text inputs' findings are final here, so render them. */
static int render_final(run *r, job *j)
{
    /* inline (one thread): the emitter renders straight to its buffer */
    if (!r->sink || !r->sink->format || j->in->cursor || r->nworkers == 0)
        return EG_OK;
    for (size_t i = 0; i < j->ch.ncands; i++) {
        eg_cand *c = &j->ch.cands[i];
        if (!(c->flags & EG_CAND_RESOLVED) || (c->flags & EG_CAND_DROPPED))
            continue;
        eg_finding f;
        fill_finding(r, j, c, &f);
        if (render(r, j, c, &f) != EG_OK)
            return EG_ENOMEM;
    }
    return EG_OK;
}

static void process_job(run *r, job *j, eg_match_scratch *scratch)
{
    eg_chunk *ch = &j->ch;
    eg__chunk_reset(ch);
    ch->buf = j->buf;
    ch->len = j->len;
    ch->base = j->base;
    ch->own_lo = j->own_lo;
    ch->own_hi = j->own_hi;
    ch->format = j->in->format;
    ch->as_of_ymd = r->as_of;
    ch->context = r->eng->context;
    ch->regions = r->eng->regions;
    ch->type_enabled = r->opt.type_enabled;
    ch->oom = 0;
    ch->tab_ls = ch->tab_le = 0;
    j->rc = eg__matcher_scan(r->eng->matcher, scratch, j->buf, j->len,
                             &ch->hits, &ch->nhits, &j->err);
    if (j->rc == EG_OK && eg__detect_chunk(ch) != EG_OK)
        j->rc = eg__fail(&j->err, EG_ENOMEM, "out of memory in detection");
    if (j->rc != EG_OK)
        return;
    count_lines(j);
    for (size_t i = 0; i < ch->ncands; i++)
        if ((ch->cands[i].flags & EG_CAND_RESOLVED) &&
            finish_candidate(r, j, &ch->cands[i]) != EG_OK) {
            j->rc = eg__fail(&j->err, EG_ENOMEM, "out of memory");
            return;
        }
    if (render_final(r, j) != EG_OK)
        j->rc = eg__fail(&j->err, EG_ENOMEM, "out of memory");
    ch->hits = NULL; /* owned by the scratch */
    ch->nhits = 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    run *r = w->run;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        job *j = NULL;
        for (size_t i = 0; i < r->count; i++) {
            job *c = &r->ring[(r->head + i) % r->nring];
            if (c->state == JOB_QUEUED) {
                j = c;
                break;
            }
        }
        if (!j) {
            if (r->shutdown)
                break;
            pthread_cond_wait(&r->cv_work, &r->mu);
            continue;
        }
        j->state = JOB_RUNNING;
        pthread_mutex_unlock(&r->mu);
        process_job(r, j, w->scratch);
        pthread_mutex_lock(&r->mu);
        j->state = JOB_DONE;
        pthread_cond_broadcast(&r->cv_done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* ------------------------------------------------------------- emitting */

static uint32_t key_kinds(run *r, const eg_cursor_pos *pos)
{
    return pos->name ? eg__context_key_kinds(r->eng->context, pos->name) : 0;
}

/* Structured inputs: ask the cursor where each candidate lies. */
static int resolve_structure(run *r, job *j)
{
    scan_input *in = j->in;
    eg_chunk *ch = &j->ch;
    r->field_arena.len = 0;
    /* problems the cursor meets in these bytes name the input's offsets */
    eg__cursor_set_map(in->cursor, &j->map);
    for (size_t i = 0; i < ch->ncands; i++) {
        eg_cand *c = &ch->cands[i];
        if (c->flags & EG_CAND_FOREIGN) {
            /* before the cursor: it cannot be asked again, but its owner
             * (the previous chunk, emitted already) decided it: it takes
             * part in overlap resolution exactly when it was reported */
            if (c->start == in->cross_start && c->end == in->cross_end &&
                c->type == in->cross_type)
                c->flags = (c->flags | EG_CAND_RESOLVED) & ~EG_CAND_DROPPED;
            else
                c->flags |= EG_CAND_DROPPED;
            continue;
        }
        if (c->flags & EG_CAND_AHEAD) {
            /* past the own region: the cursor must not go there yet (the
             * next chunk goes on from its end); only a value that needs
             * no field can take part in overlap resolution */
            if (!(c->flags & EG_CAND_RESOLVED))
                c->flags |= EG_CAND_DROPPED;
            continue;
        }
        eg_cursor_pos pos;
        memset(&pos, 0, sizeof pos);
        if (eg__cursor_seek(in->cursor, j->buf, j->base, j->len, c->start,
                            &pos) != EG_OK)
            return EG_ENOMEM;
        /* the first CSV row is a header or data: the cursor knows only
         * once the row is complete; hold its candidates until then */
        c->fflags = pos.in_header ? HELD_HEADER_ROW : 0;
        if (!pos.in_header)
            eg__detect_resolve(c, key_kinds(r, &pos));
        c->record = pos.record;
        if (in->format == EG_FORMAT_JSON || in->format == EG_FORMAT_JSONL)
            c->fflags = pos.in_string ? EG_FINDING_IN_JSON_STRING
                                      : EG_FINDING_JSON_BARE;
        c->field_off = 0;
        if (pos.field && pos.field[0]) {
            c->field_off = (uint32_t)r->field_arena.len + 1;
            if (eg__buf_append(&r->field_arena, pos.field,
                               strlen(pos.field) + 1) != EG_OK)
                return EG_ENOMEM;
        }
    }
    if (eg__cursor_seek(in->cursor, j->buf, j->base, j->len,
                        j->base + j->own_hi, NULL) != EG_OK)
        return EG_ENOMEM;
    int header = eg__cursor_has_header(in->cursor);
    for (size_t i = 0; i < ch->ncands; i++) {
        eg_cand *c = &ch->cands[i];
        if (!(c->fflags & HELD_HEADER_ROW))
            continue;
        c->fflags &= ~HELD_HEADER_ROW;
        if (header == 1)
            c->flags |= EG_CAND_DROPPED; /* header words are no values */
        else
            eg__detect_resolve(c, 0);
    }
    eg__detect_finish(ch);
    return EG_OK;
}

static int emit_candidate(run *r, job *j, eg_cand *c)
{
    scan_input *in = j->in;
    if (finish_candidate(r, j, c) != EG_OK) {
        r->fatal = 1;
        return eg__fail(r->err, EG_ENOMEM, "out of memory");
    }
    eg_finding f;
    fill_finding(r, j, c, &f);
    char text[8192];
    if (c->text_off) {
        f.text = j->ch.arena.data + c->text_off - 1;
        f.text_len = c->text_len;
    } else if (r->sink && r->sink->format) {
        size_t n = r->sink->format(&f, text, sizeof text, r->payload);
        if (n > 0 && n <= sizeof text) {
            f.text = text;
            f.text_len = n;
        }
    }
    in->findings++;
    r->stats->findings++;
    if (r->sink && r->sink->finding && r->sink->finding(&f, r->payload)) {
        r->stopped = 1;
        return EG_ESTOPPED;
    }
    return EG_OK;
}

static void input_done(run *r, scan_input *in)
{
    if (in->cursor) {
        uint64_t off = 0;
        eg__cursor_set_map(in->cursor, NULL); /* its job may be reused */
        const char *problem = eg__cursor_problem(in->cursor, &off);
        if (problem) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", problem);
            warn(r, in->path, off, EG_EFORMAT, msg);
        }
    }
    eg_input_info info = {in->path,
                          in->index,
                          in->format,
                          in->compression,
                          in->bytes,
                          0,
                          in->findings,
                          in->status,
                          0,
                          in->charset ? in->charset : "utf-8",
                          in->text_bytes,
                          in->stray_leads};
    info.records = in->cursor ? eg__cursor_records(in->cursor) : in->lines;
    info.csv_header = in->cursor && eg__cursor_has_header(in->cursor) == 1;
    if (r->sink && r->sink->input_done)
        r->sink->input_done(&info, r->payload);
    eg__cursor_free(in->cursor);
    eg__free(in->path);
    eg__free(in);
}

static int emit_job(run *r, job *j)
{
    scan_input *in = j->in;
    int rc = j->rc;
    if (rc != EG_OK) {
        if (r->err)
            *r->err = j->err;
        r->fatal = 1;
        r->fatal_code = rc;
        if (j->last)
            input_done(r, in);
        return rc;
    }
    if (in->cursor && (rc = resolve_structure(r, j)) != EG_OK) {
        r->fatal = 1;
        r->fatal_code = rc;
        if (j->last)
            input_done(r, in);
        return eg__fail(r->err, rc, "out of memory resolving structure");
    }
    uint64_t own_end = j->base + j->own_hi;
    in->cross_type = -1;
    for (size_t i = 0; i < j->ch.ncands && !r->stopped; i++) {
        eg_cand *c = &j->ch.cands[i];
        if (!(c->flags & EG_CAND_RESOLVED) || (c->flags & EG_CAND_DROPPED))
            continue;
        if (c->start < own_end && c->end > own_end) {
            in->cross_start = c->start;
            in->cross_end = c->end;
            in->cross_type = c->type;
        }
        if (r->opt.max_findings && in->findings >= r->opt.max_findings) {
            if (!in->capped)
                warn(r, in->path, eg__offmap_raw(&j->map, c->start), EG_ELIMIT,
                     "findings limit reached; the rest of this input is "
                     "scanned but not reported");
            in->capped = 1;
            break;
        }
        if (emit_candidate(r, j, c) != EG_OK)
            break;
    }
    in->jobs--;
    if (j->last)
        input_done(r, in);
    return r->stopped ? EG_ESTOPPED : EG_OK;
}

/* Emit every finished job at the head of the ring; with `wait`, wait for
 * the head to finish first.  Returns EG_OK or the first error. */
static int drain(run *r, int wait)
{
    int rc = EG_OK;
    pthread_mutex_lock(&r->mu);
    while (r->count > 0) {
        job *j = &r->ring[r->head];
        if (j->state != JOB_DONE) {
            if (!wait)
                break;
            pthread_cond_wait(&r->cv_done, &r->mu);
            continue;
        }
        pthread_mutex_unlock(&r->mu);
        if (rc == EG_OK && !r->fatal && !r->stopped)
            rc = emit_job(r, j);
        else if (j->last)
            input_done(r, j->in);
        pthread_mutex_lock(&r->mu);
        j->state = JOB_FREE;
        r->head = (r->head + 1) % r->nring;
        r->count--;
        wait = wait == 2 ? 2 : 0;
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

/* A free job at the tail of the ring (emitting the head if it is full). */
static int acquire_job(run *r, job **out)
{
    while (r->count == r->nring) {
        int rc = drain(r, 1);
        if (rc != EG_OK)
            return rc;
    }
    job *j = &r->ring[(r->head + r->count) % r->nring];
    if (j->cap < r->chunk + 2 * OVERLAP) {
        unsigned char *b = eg__realloc(j->buf, r->chunk + 2 * OVERLAP);
        if (!b)
            return eg__fail(r->err, EG_ENOMEM, "out of memory for a chunk");
        j->buf = b;
        j->cap = r->chunk + 2 * OVERLAP;
    }
    *out = j;
    return EG_OK;
}

static int submit_job(run *r, job *j)
{
    j->rc = EG_OK;
    j->in->jobs++;
    if (r->nworkers == 0) {
        process_job(r, j, r->inline_scratch);
        j->state = JOB_DONE;
        r->count++;
        return drain(r, 0);
    }
    pthread_mutex_lock(&r->mu);
    j->state = JOB_QUEUED;
    r->count++;
    pthread_cond_signal(&r->cv_work);
    pthread_mutex_unlock(&r->mu);
    return drain(r, 0);
}

/* ------------------------------------------------------------- reading */

/* Fill buf up to cap; *eof when the source ended (or failed: *rc). */
static size_t fill(eg_source *src, unsigned char *buf, size_t cap, int *eof,
                   int *rc, eg_error *err)
{
    size_t len = 0;
    *eof = 0;
    while (len < cap) {
        size_t got = 0;
        *rc = eg__source_read(src, buf + len, cap - len, &got, err);
        if (*rc != EG_OK || got == 0) {
            *eof = 1;
            break;
        }
        len += got;
    }
    return len;
}

static eg_format choose_format(run *r, const char *path,
                               const unsigned char *head, size_t n)
{
    if (r->opt.format != EG_FORMAT_AUTO)
        return r->opt.format;
    return eg__sniff_format(path, head, n);
}

static int start_cursor(run *r, scan_input *in)
{
    if (in->format == EG_FORMAT_TEXT)
        return EG_OK;
    eg_cursor_limits lim = {r->opt.max_depth ? r->opt.max_depth : 512, 100000,
                            256};
    eg_error e;
    return eg__cursor_new(&in->cursor, in->format, &lim, &e);
}

/* An input whose last chunk will never be submitted (the run failed or
 * was stopped midway): its newest pending job becomes its last, so that
 * emitting or skipping that job ends the input; with none pending it is
 * freed here.  Either way it is released exactly once. */
static void abandon_input(run *r, scan_input *in)
{
    job *newest = NULL;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->count; i++) {
        job *j = &r->ring[(r->head + i) % r->nring];
        if (j->in == in)
            newest = j;
    }
    if (newest)
        newest->last = 1;
    pthread_mutex_unlock(&r->mu);
    if (!newest) {
        eg__cursor_free(in->cursor);
        eg__free(in->path);
        eg__free(in);
    }
}

/* The job's part of the source's offset map (none while the input is
 * read as it is). */
static int copy_map(eg_source *src, job *j)
{
    const eg_offmap *m = eg__source_map(src);
    if (!m) {
        j->map.n = 0;
        return EG_OK;
    }
    return eg__offmap_copy(&j->map, m, j->base, j->base + j->len);
}

/* Read one input through and submit its chunks. */
static int scan_source(run *r, eg_source *src, scan_input *in)
{
    unsigned char carry[2 * OVERLAP];
    size_t ncarry = 0;
    uint64_t carry_base = 0; /* absolute offset of carry[0] */
    uint64_t own_start = 0;  /* absolute start of the next own region */
    int first = 1, eof = 0;
    while (!eof) {
        job *j = NULL;
        int rc = acquire_job(r, &j);
        if (rc != EG_OK) {
            abandon_input(r, in);
            return rc;
        }
        memcpy(j->buf, carry, ncarry);
        eg_error rerr;
        int rrc = EG_OK;
        size_t got =
            fill(src, j->buf + ncarry, j->cap - ncarry, &eof, &rrc, &rerr);
        if (rrc == EG_ENOMEM) { /* the run cannot go on, not just this file */
            abandon_input(r, in);
            return eg__fail(r->err, EG_ENOMEM, "%s", rerr.message);
        }
        if (rrc != EG_OK) {
            in->status = rrc;
            warn(r, in->path, UINT64_MAX, rrc, rerr.message);
        }
        j->len = ncarry + got;
        j->base = carry_base;
        if (copy_map(src, j) != EG_OK) {
            abandon_input(r, in);
            return eg__fail(r->err, EG_ENOMEM, "out of memory");
        }
        if (first) {
            first = 0;
            size_t sn = j->len < SNIFF_BYTES ? j->len : SNIFF_BYTES;
            if (!r->opt.scan_binary && eg__sniff_binary(j->buf, sn)) {
                r->stats->skipped_binary++;
                warn(r, in->path, UINT64_MAX, EG_EUNSUPPORTED,
                     "binary file skipped");
                in->read_done = 1;
                eg__free(in->path);
                eg__free(in);
                return EG_OK;
            }
            in->format = choose_format(r, in->path, j->buf, sn);
            if (start_cursor(r, in) != EG_OK) {
                abandon_input(r, in);
                return eg__fail(r->err, EG_ENOMEM, "out of memory");
            }
            r->stats->files++;
        }
        j->in = in;
        j->own_lo = (size_t)(own_start - j->base);
        j->own_hi =
            eof ? j->len : (j->len > OVERLAP ? j->len - OVERLAP : j->own_lo);
        if (j->own_hi < j->own_lo)
            j->own_hi = j->own_lo;
        j->last = eof;
        /* line numbers need the newlines of every earlier chunk: the
         * reading thread counts them (SIMD, ~10 GB/s) so that workers know
         * absolute lines and can render findings themselves */
        j->line_base = in->lines;
        in->lines += count_newlines(j->buf + j->own_lo, j->own_hi - j->own_lo);
        /* bytes of the input itself; the decoded text's count apart */
        uint64_t own_raw = eg__offmap_raw(&j->map, j->base + j->own_hi) -
                           eg__offmap_raw(&j->map, j->base + j->own_lo);
        in->bytes += own_raw;
        in->text_bytes += j->own_hi - j->own_lo;
        r->stats->bytes += own_raw;
        own_start = j->base + j->own_hi;
        /* next buffer: OVERLAP before the next own region, to the end */
        size_t keep_from = j->own_hi > OVERLAP ? j->own_hi - OVERLAP : 0;
        ncarry = j->len - keep_from;
        carry_base = j->base + keep_from;
        if (eg__source_map(src))
            eg__offmap_trim(eg__source_map(src), carry_base);
        if (eof) {
            in->charset = eg__source_charset(src);
            in->stray_leads = eg__source_stray_leads(src);
        }
        memcpy(carry, j->buf + keep_from, ncarry);
        /* the last job's emission frees `in`: count it before */
        if (eof && in->status != EG_OK)
            r->stats->failed++;
        if ((rc = submit_job(r, j)) != EG_OK) {
            if (!eof) /* else the ring owns `in` through its last job */
                abandon_input(r, in);
            return rc;
        }
    }
    return EG_OK;
}

static int scan_input_path(run *r, const char *path, const void *mem,
                           size_t memlen)
{
    scan_input *in = eg__calloc(1, sizeof *in);
    if (!in || !(in->path = eg__strdup(path))) {
        eg__free(in);
        return eg__fail(r->err, EG_ENOMEM, "out of memory");
    }
    in->index = r->next_index++;
    in->cross_type = -1;
    eg_source_limits lim = {r->opt.max_decompressed, r->opt.max_ratio,
                            eg__charset_of_encoding(r->opt.encoding)};
    eg_source *src = NULL;
    eg_error e;
    int rc = mem ? eg__source_open_memory(&src, path, mem, memlen, &lim, &e)
                 : eg__source_open(&src, path, &lim, &e);
    if (rc != EG_OK) {
        if (rc == EG_ENOMEM) {
            eg__free(in->path);
            eg__free(in);
            return eg__fail(r->err, rc, "%s", e.message);
        }
        warn(r, path, UINT64_MAX, rc, e.message);
        r->stats->failed++;
        eg__free(in->path);
        eg__free(in);
        return EG_OK;
    }
    in->compression = eg__source_compression(src);
    eg__source_keep_map(src);
    rc = scan_source(r, src, in);
    eg__source_close(src);
    return rc;
}

/* ------------------------------------------------------------- the run */

static int walk_input(const char *path, void *payload)
{
    run *r = payload;
    int rc = scan_input_path(r, path, NULL, 0);
    if (rc != EG_OK && rc != EG_ESTOPPED && !r->fatal) {
        r->fatal = 1; /* eg__walk only reports "stopped": keep the cause */
        r->fatal_code = rc;
    }
    return rc != EG_OK || r->stopped || r->fatal;
}

static void walk_skip(const char *path, int code, const char *reason,
                      void *payload)
{
    run *r = payload;
    if (code == EG_ENOTFOUND || code == EG_EPERM || code == EG_EIO)
        r->stats->failed++;
    else
        r->stats->skipped_other++;
    warn(r, path, UINT64_MAX, code, reason);
}

static int start_workers(run *r, int threads, eg_error *err)
{
    int rc = eg__match_scratch_new(&r->inline_scratch, r->eng->matcher, err);
    if (rc != EG_OK || threads <= 1)
        return rc;
    r->workers = eg__calloc((size_t)threads, sizeof *r->workers);
    if (!r->workers)
        return eg__fail(err, EG_ENOMEM, "out of memory for workers");
    for (int i = 0; i < threads; i++) {
        worker *w = &r->workers[i];
        w->run = r;
        if ((rc = eg__match_scratch_new(&w->scratch, r->eng->matcher, err)))
            return rc;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            eg__match_scratch_free(w->scratch);
            w->scratch = NULL;
            return eg__fail(err, EG_ERROR, "cannot start a worker thread");
        }
        r->nworkers++;
    }
    return EG_OK;
}

static void stop_workers(run *r)
{
    pthread_mutex_lock(&r->mu);
    r->shutdown = 1;
    pthread_cond_broadcast(&r->cv_work);
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < r->nworkers; i++) {
        pthread_join(r->workers[i].thread, NULL);
        eg__match_scratch_free(r->workers[i].scratch);
    }
    eg__free(r->workers);
    eg__match_scratch_free(r->inline_scratch);
}

static int derive_hmac(run *r, const eg_key *key, eg_error *err)
{
    eg_key tmp;
    const eg_key *k = key;
    if (!k) {
        int rc = eg_key_generate(&tmp, err);
        if (rc != EG_OK)
            return rc;
        k = &tmp;
    }
    unsigned char sub[32];
    int rc = eg_key_derive(k, "fingerprint", sub, sizeof sub, err);
    if (rc == EG_OK)
        rc = eg__hmac_init(&r->hmac, sub, sizeof sub);
    eg_key_wipe(&tmp);
    memset(sub, 0, sizeof sub);
    return rc;
}

static int run_init(run *r, const eg_engine *eng, const eg_scan_options *opts,
                    const eg_sink *sink, void *payload, eg_scan_stats *stats,
                    int threads, eg_error *err)
{
    memset(r, 0, sizeof *r);
    r->eng = eng;
    r->opt = *opts;
    r->sink = sink;
    r->payload = payload;
    r->stats = stats;
    r->err = err;
    r->as_of = opts->as_of_ymd ? opts->as_of_ymd : eg__today_ymd();
    r->chunk = opts->chunk_bytes ? opts->chunk_bytes : DEFAULT_CHUNK;
    if (r->chunk < MIN_CHUNK)
        r->chunk = MIN_CHUNK;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv_work, NULL);
    pthread_cond_init(&r->cv_done, NULL);
    r->nring = threads <= 1 ? 1 : (size_t)threads * 2 + 1;
    r->ring = eg__calloc(r->nring, sizeof *r->ring);
    if (!r->ring)
        return eg__fail(err, EG_ENOMEM, "out of memory");
    int rc = derive_hmac(r, opts->key, err);
    if (rc == EG_OK)
        rc = start_workers(r, threads, err);
    return rc;
}

static void run_free(run *r)
{
    stop_workers(r);
    if (r->ring)
        for (size_t i = 0; i < r->nring; i++) {
            eg__free(r->ring[i].buf);
            eg__offmap_free(&r->ring[i].map);
            eg__chunk_free(&r->ring[i].ch);
        }
    eg__free(r->ring);
    eg__buf_free(&r->field_arena);
    eg__hmac_wipe(&r->hmac);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv_work);
    pthread_cond_destroy(&r->cv_done);
}

static int check_args(const eg_engine *eng, const eg_scan_options *opts,
                      eg_error *err)
{
    if (!eng || !opts)
        return eg__fail(err, EG_EINVAL, "engine and options are required");
    if (opts->version != EG_SCAN_OPTIONS_VERSION)
        return eg__fail(err, EG_EINVAL, "unknown eg_scan_options version %d",
                        opts->version);
    return EG_OK;
}

static int thread_count(const eg_scan_options *opts)
{
    int t = opts->threads;
    if (t <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        t = n > 0 ? (int)n : 1;
    }
    return t > 256 ? 256 : t;
}

int eg_scan_paths(const eg_engine *eng, const eg_scan_options *opts,
                  const char *const *paths, size_t npaths, const eg_sink *sink,
                  void *payload, eg_scan_stats *stats, eg_error *err)
{
    eg__error_clear(err);
    eg_scan_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    int rc = check_args(eng, opts, err);
    if (rc != EG_OK)
        return rc;
    run r;
    rc = run_init(&r, eng, opts, sink, payload, stats, thread_count(opts), err);
    if (rc == EG_OK) {
        eg_error werr; /* the walk's "stopped" must not hide the cause */
        rc = eg__walk(paths, npaths, walk_input, walk_skip, &r, &werr);
        if (rc == EG_ESTOPPED)
            rc = EG_OK;
        else if (rc != EG_OK && err)
            *err = werr;
        int drc = drain(&r, 2);
        if (rc == EG_OK)
            rc = drc;
        if (rc == EG_OK && r.fatal)
            rc = r.fatal_code ? r.fatal_code : EG_ERROR;
        if (rc == EG_OK && r.stopped)
            rc = EG_ESTOPPED;
    }
    run_free(&r);
    return rc;
}

int eg_scan_buffer(const eg_engine *eng, const eg_scan_options *opts,
                   const char *name, const void *data, size_t len,
                   const eg_sink *sink, void *payload, eg_error *err)
{
    eg__error_clear(err);
    int rc = check_args(eng, opts, err);
    if (rc != EG_OK)
        return rc;
    if (!data && len)
        return eg__fail(err, EG_EINVAL, "data is NULL");
    eg_scan_stats stats;
    memset(&stats, 0, sizeof stats);
    run r;
    rc = run_init(&r, eng, opts, sink, payload, &stats, 1, err);
    if (rc == EG_OK) {
        rc = scan_input_path(&r, name ? name : "-", data ? data : "", len);
        if (rc != EG_OK && rc != EG_ESTOPPED)
            r.fatal = 1; /* pending chunks are dropped, not reported */
        int drc = drain(&r, 2);
        if (rc == EG_OK)
            rc = drc;
        if (rc == EG_OK && r.fatal)
            rc = r.fatal_code ? r.fatal_code : EG_ERROR;
        if (rc == EG_OK && r.stopped)
            rc = EG_ESTOPPED;
    }
    run_free(&r);
    return rc;
}
