/*
 * mask_rewrite.c: the second pass of `egress mask`: copy an input to its
 * output, replacing each finding of the first pass by its operator's
 * output, and keep the input's structure valid.
 *
 * The input is read again through the input layer (decompressed), in a
 * window that slides forward: memory is the window (1 MiB, more only for a
 * longer value) plus an output stage, whatever the input's size.  Bytes
 * between findings are copied as they are.
 *
 * A finding's span is cut into "pieces" at structure: a latitude and a
 * longitude found as one coordinate in two CSV columns are two pieces, and
 * the delimiter between them stays; so do the quotes and commas of JSON.
 * Each piece is read out of its written form (mask_codec.c: JSON escapes,
 * doubled CSV quotes), given to the operator, and written back so that
 * the structure still parses:
 * - in a JSON string, the replacement is JSON-escaped;
 * - a bare JSON number whose replacement is no longer a number (a
 *   placeholder, or FF1 digits with a leading zero) becomes a JSON string;
 * - in a quoted CSV field, quotes are doubled; an unquoted CSV field whose
 *   replacement brings a delimiter, quote, CR or LF it did not have is
 *   quoted.  The opening quote belongs at the start of the field, which is
 *   already copied: so while an unquoted field is being copied, the output
 *   stage keeps it (up to 1 MiB) instead of writing it out, and the quote
 *   is inserted there.  A longer field gets those characters replaced by
 *   spaces instead (counted as "sanitized").
 * The CSV state (inside quotes or not, at the start of a field) is tracked
 * over every byte copied; JSON needs no tracking, since the scan says
 * whether each finding starts inside a string.
 *
 * An operator that refuses a value (encrypt below 10^6 values, generalize
 * of a date it cannot read) falls back to redact, and the span says so.
 */
#include "protect/mask_int.h"

#include <pthread.h>
#include <string.h>

#define WIN_INIT ((size_t)1 << 20)
#define LOOKBACK 64  /* bytes kept before the copy point */
#define LOOKAHEAD 16 /* bytes read past a span (escapes across it) */
#define STAGE_FLUSH ((size_t)256 << 10)
#define HOLD_MAX ((size_t)1 << 20) /* longest unquoted field kept back */

#define JDEPTH_MAX 256 /* JSON nesting followed for dropped members */
#define JKEY_MAX 256   /* longer member names are never dropped */

/* Where a JSON tracker is, outside strings. */
enum { J_VALUE, J_KEY, J_COLON, J_AFTER };

/* An open JSON container, as the drop operator follows it. */
typedef struct jframe {
    uint8_t obj;         /* an object, else an array */
    uint8_t kept;        /* a member of this object has been written */
    uint8_t held;        /* member_out held in the stage until the key */
    uint32_t plen;       /* path length of the member holding it */
    uint64_t member_out; /* where the current member starts in the output
                            (its comma included) */
    size_t span0;        /* spans recorded before the member */
} jframe;

/* Operators ahead of the copy: when the window is filled, the values of
 * the next spans are given their operator's output by several threads at
 * once (the copy itself stays in order, on one thread).  A result is used
 * only for a piece that is its whole span, decoded to the very bytes the
 * thread saw, so it is exactly what the copy would have computed. */
#define PRE_MIN 64    /* fewer spans ahead: not worth the threads */
#define PRE_MAX 8192  /* spans per batch */
#define PRE_LEN 4096u /* longer values are done in place */

typedef struct pre_val {
    uint32_t off, len; /* the output in its slice's arena */
    uint8_t slice;
    uint8_t ok;
} pre_val;

struct rw;
typedef struct pre_slice {
    struct rw *w;
    eg_op_worker *worker;
    size_t lo, hi; /* span indexes */
    uint8_t index;
    eg_buf arena, tmp;
} pre_slice;

typedef enum piece_kind {
    P_TEXT,
    P_JSON_STR,
    P_JSON_BARE,
    P_CSV_QUOTED,
    P_CSV_UNQUOTED
} piece_kind;

typedef struct rw {
    const eg_rewrite_env *env;
    /* the spans, and the operators applied ahead of the copy */
    const eg_fspan *spans;
    size_t nspans, cur; /* cur: the span being replaced */
    size_t pre_lo, pre_hi;
    pre_val *pre;
    pre_slice *slices;
    size_t nslices;
    int csv, json;
    unsigned char delim;
    unsigned char special[256]; /* CSV bytes that may change state */
    /* input window: bytes [wbase, wbase + wlen) */
    eg_source *src;
    unsigned char *win;
    size_t wcap, wlen;
    uint64_t wbase;
    int eof;
    uint64_t pos; /* next input byte to copy */
    /* output stage: output bytes [stage_base, stage_base + stage.len) */
    eg_mask_out *out;
    eg_buf stage;
    uint64_t stage_base;
    /* CSV state */
    int in_quotes;   /* inside a quoted section */
    int after_close; /* the last byte was a quote that left quotes */
    int field_quoted;
    int field_fresh;    /* nothing of the current field seen yet */
    int requote;        /* this unquoted field is being quoted by us */
    int pending_cr;     /* a CR outside quotes, not yet known to end a row */
    uint64_t field_out; /* output offset of the current field */
    size_t field_span0; /* first recorded span of the current field */
    /* CSV columns (the drop operator) */
    uint64_t row;
    uint32_t col;
    int dropping;      /* the current field's column is left out */
    int row_kept;      /* a field of this row has been written */
    uint64_t row_out;  /* output offset where the row starts */
    int row_any;       /* a field of this row had content or a value */
    int field_content; /* census: the field has bytes besides dropped
                          values (spaces aside) */
    int field_drop;    /* census: the field has a dropped value */
    /* JSON members (the drop operator): followed only when needed */
    int jtrack, jsonl, jlost;
    int jstate;
    int jstr, jesc, jkey_str, jkey_bad, jbare, jnull;
    int jv_content, jv_drop; /* the scalar value being read */
    uint32_t depth, jdrop_depth;
    jframe *jf;
    eg_buf jpath;
    size_t jkey_len;
    /* scratch */
    eg_codec codec;
    eg_buf res, enc;
    eg_mspans *rec;
    eg_rewrite_counts *cnt;
    eg_error *err;
} rw;

/* ---------------------------------------------------------------- output */

static uint64_t out_off(const rw *w)
{
    return w->stage_base + w->stage.len;
}

/* Write out the stage, except an unquoted CSV field in progress that may
 * still need its opening quote (unless it grew past HOLD_MAX). */
static int flush_stage(rw *w, int all)
{
    size_t n = w->stage.len;
    if (!all && w->csv && !w->field_quoted && !w->requote &&
        w->field_out >= w->stage_base && out_off(w) - w->field_out <= HOLD_MAX)
        n = (size_t)(w->field_out - w->stage_base);
    /* a JSON member whose key is not read yet may still be left out */
    const jframe *f = w->depth ? &w->jf[w->depth - 1] : NULL;
    if (!all && f && f->held && f->member_out >= w->stage_base &&
        out_off(w) - f->member_out <= HOLD_MAX &&
        f->member_out - w->stage_base < n)
        n = (size_t)(f->member_out - w->stage_base);
    if (n == 0)
        return EG_OK;
    int rc = w->env->census
                 ? EG_OK
                 : eg__mask_out_write(w->out, w->stage.data, n, w->err);
    if (rc != EG_OK)
        return rc;
    memmove(w->stage.data, w->stage.data + n, w->stage.len - n);
    w->stage.len -= n;
    w->stage_base += n;
    return EG_OK;
}

static int stage_raw(rw *w, const void *p, size_t n)
{
    if (eg__buf_append(&w->stage, p, n) != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    if (w->stage.len >= STAGE_FLUSH) {
        size_t before = w->stage.len;
        int rc = flush_stage(w, 0);
        /* a held field that keeps growing: let the stage double first */
        if (rc == EG_OK && w->stage.len == before &&
            w->stage.len >= HOLD_MAX + STAGE_FLUSH)
            rc = flush_stage(w, 1);
        return rc;
    }
    return EG_OK;
}

/* Field content: left out in a dropped column (row ends, and the
 * delimiters of kept fields, go through stage_raw). */
static int stage_put(rw *w, const void *p, size_t n)
{
    return w->dropping ? EG_OK : stage_raw(w, p, n);
}

/* ------------------------------------------------------------ CSV state */

static int column_dropped(const rw *w, uint32_t col)
{
    return col < w->env->ndrop_col && w->env->drop_col[col];
}

/* Census: what the field that just ended held. */
static void field_ends(rw *w)
{
    eg_col_census *c = w->env->census;
    if (!c || (w->row == 0 && w->env->csv_header))
        return;
    if (w->col < c->ncols) {
        if (w->field_content)
            c->other[w->col]++;
        else if (w->field_drop)
            c->dropped[w->col]++;
    }
}

/* Bytes of field content for the census (spaces do not count). */
static void content_seen(rw *w, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n && !w->field_content; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            w->field_content = 1;
}

static void field_begins(rw *w)
{
    w->dropping = column_dropped(w, w->col);
    if (!w->dropping)
        w->row_kept = 1;
    w->field_content = w->field_drop = 0;
    w->field_out = out_off(w);
    w->field_fresh = 1;
    w->field_quoted = 0;
    w->in_quotes = 0;
    w->after_close = 0;
    w->field_span0 = w->rec->n;
}

/* A CR not followed by LF is field content (structure_csv.c's rule). */
static int pending_cr_is_data(rw *w)
{
    w->pending_cr = 0;
    w->field_content = 1;
    w->field_fresh = 0;
    w->after_close = 0;
    return stage_put(w, "\r", 1);
}

/* A row that had something (several fields, or a value) but whose kept
 * fields came out empty (dropped values, dropped columns) would be an
 * empty line, which CSV readers skip, or nothing at the end of the input:
 * it is written as one empty quoted field instead, so the row stays. */
static int keep_empty_row(rw *w)
{
    if (w->field_content || w->field_drop)
        w->row_any = 1;
    if (!w->row_kept || out_off(w) != w->row_out || !(w->col > 0 || w->row_any))
        return EG_OK;
    w->cnt->requoted++;
    return stage_raw(w, "\"\"", 2);
}

/* A delimiter or LF outside quotes: the field ends.  A delimiter is
 * written before a kept field that follows a kept one, so leaving columns
 * out never leaves stray delimiters; without dropped columns every byte is
 * copied as it was. */
static int field_boundary(rw *w, unsigned char c)
{
    int rc = EG_OK;
    if (w->requote) {
        w->requote = 0;
        if ((rc = stage_put(w, "\"", 1)) != EG_OK)
            return rc;
    }
    field_ends(w);
    if (w->dropping)
        w->cnt->dropped_cells++;
    w->dropping = 0;
    if (w->field_content || w->field_drop)
        w->row_any = 1;
    if (c == '\n') {
        if ((rc = keep_empty_row(w)) != EG_OK)
            return rc;
        if (w->pending_cr) {
            w->pending_cr = 0;
            rc = stage_raw(w, "\r\n", 2);
        } else {
            rc = stage_raw(w, "\n", 1);
        }
        w->row++;
        w->col = 0;
        w->row_kept = 0;
        w->row_any = 0;
        w->row_out = out_off(w);
    } else {
        if (w->col < UINT32_MAX)
            w->col++;
        if (!column_dropped(w, w->col) && (w->row_kept || !w->env->drop_col))
            rc = stage_raw(w, &c, 1);
    }
    if (rc == EG_OK)
        field_begins(w);
    return rc;
}

/* Copy CSV bytes, following the state machine of structure_csv.c: rows end
 * at LF (a CR before it belongs to the row end), a quote opens a quoted
 * field only at its start, bytes after a closing quote join the field. */
static int csv_copy(rw *w, const unsigned char *p, size_t n)
{
    size_t i = 0;
    int rc;
    while (i < n) {
        if (w->in_quotes) {
            const unsigned char *q = memchr(p + i, '"', n - i);
            size_t j = q ? (size_t)(q - p) + 1 : n;
            content_seen(w, p + i, (q ? j - 1 : j) - i);
            if ((rc = stage_put(w, p + i, j - i)) != EG_OK)
                return rc;
            if (q) {
                w->in_quotes = 0;
                w->after_close = 1;
            }
            i = j;
            continue;
        }
        unsigned char c = p[i];
        if (w->pending_cr && c != '\n' && (rc = pending_cr_is_data(w)) != EG_OK)
            return rc;
        if (c == '\r') { /* a row end if LF follows, else data */
            w->pending_cr = 1;
            w->after_close = 0;
            i++;
            continue;
        }
        if (w->after_close) {
            w->after_close = 0;
            if (c == '"') { /* "" inside quotes */
                w->in_quotes = 1;
                w->field_content = 1;
                if ((rc = stage_put(w, p + i, 1)) != EG_OK)
                    return rc;
                i++;
                continue;
            }
        }
        if (c == w->delim || c == '\n') {
            if ((rc = field_boundary(w, c)) != EG_OK)
                return rc;
            i++;
            continue;
        }
        if (c == '"') {
            if (w->field_fresh) {
                w->field_fresh = 0;
                w->field_quoted = 1;
                w->in_quotes = 1;
                rc = stage_put(w, p + i, 1);
            } else {
                /* a quote inside an unquoted field is data */
                w->field_content = 1;
                rc = stage_put(w, "\"\"", w->requote ? 2 : 1);
            }
            if (rc != EG_OK)
                return rc;
            i++;
            continue;
        }
        w->field_fresh = 0;
        size_t j = i + 1;
        while (j < n && !w->special[p[j]])
            j++;
        content_seen(w, p + i, j - i);
        if ((rc = stage_put(w, p + i, j - i)) != EG_OK)
            return rc;
        i = j;
    }
    return EG_OK;
}

/* ---------------------------------------------------------- JSON state */

static int bare_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '.' || c == '+' || c == '-' ||
           c >= 0x80;
}

static int json_census(const rw *w)
{
    return w->env->census != NULL;
}

/* Census: a value at the current path (arrays are transparent). */
static int key_count(rw *w, int other, int dropped)
{
    if (!json_census(w) || w->jpath.len == 0 || (!other && !dropped))
        return EG_OK;
    eg_key_stat *st;
    if (eg__keys_add(w->env->keys, w->jpath.data, w->jpath.len, &st) != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    if (st && other)
        st->other++;
    else if (st)
        st->dropped++;
    return EG_OK;
}

/* The member in the innermost object ends: back to the object's path. */
static void member_ends(rw *w)
{
    const jframe *f = &w->jf[w->depth - 1];
    w->jpath.len = f->plen;
    if (w->dropping && w->jdrop_depth == w->depth) {
        w->dropping = 0;
        w->cnt->dropped_cells++;
    }
    w->jstate = J_AFTER;
}

static int value_ends(rw *w)
{
    int rc = key_count(w, w->jv_content, w->jv_drop);
    if (w->depth > 0 && w->jf[w->depth - 1].obj)
        member_ends(w);
    else
        w->jstate = J_AFTER;
    return rc;
}

static void value_begins(rw *w, int bare, unsigned char first)
{
    w->jv_content = w->jv_drop = 0;
    w->jbare = bare;
    w->jnull = bare && first == 'n';
}

/* Where a member starts (after '{' or at its comma): in the drop pass the
 * stage keeps it until the key says whether the member goes. */
static void member_begins(rw *w, jframe *f)
{
    f->member_out = out_off(w);
    f->span0 = w->rec->n;
    f->held = !json_census(w);
}

/* The key of a member has been read: its path, and whether it goes. */
static int key_read(rw *w)
{
    jframe *f = &w->jf[w->depth - 1];
    int rc = EG_OK;
    if (w->jkey_bad) /* a value in the name, or a name too long */
        rc = eg__buf_append(&w->jpath, "\x01", 1) != EG_OK
                 ? eg__fail(w->err, EG_ENOMEM, "out of memory")
                 : key_count(w, 1, 0);
    w->jstate = J_COLON;
    if (rc != EG_OK || json_census(w)) {
        f->held = 0;
        return rc;
    }
    const eg_key_stat *st =
        eg__keys_find(w->env->keys, w->jpath.data, w->jpath.len);
    if (st && st->drop && f->held && f->member_out >= w->stage_base &&
        w->rec->n == f->span0 && !w->dropping) {
        w->stage.len = (size_t)(f->member_out - w->stage_base);
        w->dropping = 1;
        w->jdrop_depth = w->depth;
    } else if (!w->dropping) {
        f->kept = 1;
    }
    f->held = 0;
    return EG_OK;
}

/* Reset at the end of a JSON Lines record. */
static void record_ends(rw *w)
{
    w->depth = 0;
    w->jpath.len = 0;
    w->jstr = w->jesc = w->jbare = 0;
    if (w->dropping) /* a member cut short by the end of its line */
        w->cnt->dropped_cells++;
    w->dropping = 0;
    w->jstate = J_VALUE;
}

static int open_container(rw *w, unsigned char c)
{
    /* a member holding an object is never dropped as a whole */
    int rc = c == '{' ? key_count(w, 1, 0) : EG_OK;
    if (rc == EG_OK)
        rc = stage_put(w, &c, 1);
    if (rc != EG_OK)
        return rc;
    if (w->depth == JDEPTH_MAX) {
        w->jlost = 1; /* too deep to follow: this input drops no member */
        return EG_OK;
    }
    jframe *f = &w->jf[w->depth++];
    memset(f, 0, sizeof *f);
    f->obj = c == '{';
    f->plen = (uint32_t)w->jpath.len;
    if (f->obj)
        member_begins(w, f);
    w->jstate = f->obj ? J_KEY : J_VALUE;
    return EG_OK;
}

/* Malformed JSON: the object holding the dropped member goes on (a comma)
 * or closes before the member's value ended: the member ends there, and
 * what follows is written. */
static void drop_cut_short(rw *w)
{
    if (w->dropping && w->depth == w->jdrop_depth) {
        w->dropping = 0;
        w->cnt->dropped_cells++;
    }
}

static int close_container(rw *w, unsigned char c)
{
    drop_cut_short(w);
    int rc = stage_put(w, &c, 1);
    if (rc != EG_OK || w->depth == 0)
        return rc; /* a stray bracket: the scan warned about it */
    w->depth--;
    w->jpath.len = w->jf[w->depth].plen;
    if (w->depth > 0 && w->jf[w->depth - 1].obj)
        member_ends(w);
    else
        w->jstate = J_AFTER;
    return EG_OK;
}

static int comma(rw *w)
{
    jframe *f = w->depth ? &w->jf[w->depth - 1] : NULL;
    if (!f || !f->obj) {
        w->jstate = J_VALUE;
        return stage_put(w, ",", 1);
    }
    drop_cut_short(w);
    w->jstate = J_KEY;
    member_begins(w, f);
    /* in the drop pass a comma is written only after a kept member */
    if (!json_census(w) && !f->kept)
        return EG_OK;
    return stage_put(w, ",", 1);
}

/* One byte outside strings. */
static int json_byte(rw *w, unsigned char c)
{
    if (w->jbare && !bare_char(c)) {
        w->jbare = 0;
        int rc = value_ends(w);
        if (rc != EG_OK)
            return rc;
    }
    switch (c) {
    case '{':
    case '[':
        return open_container(w, c);
    case '}':
    case ']':
        return close_container(w, c);
    case ',':
        return comma(w);
    case ':':
        w->jstate = J_VALUE;
        return stage_put(w, &c, 1);
    case '"':
        w->jstr = 1;
        w->jesc = 0;
        w->jkey_str =
            w->jstate == J_KEY && w->depth > 0 && w->jf[w->depth - 1].obj;
        if (w->jkey_str) {
            w->jkey_len = 0;
            w->jkey_bad = 0;
            if (eg__buf_append(&w->jpath, "/", 1) != EG_OK)
                return eg__fail(w->err, EG_ENOMEM, "out of memory");
        } else {
            value_begins(w, 0, 0);
        }
        return stage_put(w, &c, 1);
    case '\n':
        if (w->jsonl) {
            record_ends(w);
            return stage_raw(w, &c, 1);
        }
        return stage_put(w, &c, 1);
    case ' ':
    case '\t':
    case '\r':
        return stage_put(w, &c, 1);
    default:
        if (!w->jbare)
            value_begins(w, 1, c);
        if (!w->jnull)
            w->jv_content = 1;
        return stage_put(w, &c, 1);
    }
}

/* String bytes up to (not including) its closing quote. */
static int string_bytes(rw *w, const unsigned char *p, size_t n)
{
    if (w->jkey_str) {
        if (w->jkey_len + n > JKEY_MAX)
            w->jkey_bad = 1;
        else if (eg__buf_append(&w->jpath, p, n) != EG_OK)
            return eg__fail(w->err, EG_ENOMEM, "out of memory");
        w->jkey_len += n;
    } else {
        for (size_t i = 0; i < n && !w->jv_content; i++)
            if (p[i] != ' ')
                w->jv_content = 1;
    }
    return stage_put(w, p, n);
}

/* Copy JSON bytes, following objects, members and values (only when the
 * drop operator may leave members out). */
static int json_copy(rw *w, const unsigned char *p, size_t n)
{
    size_t i = 0;
    int rc;
    while (i < n) {
        if (!w->jstr) {
            if ((rc = json_byte(w, p[i++])) != EG_OK)
                return rc;
            continue;
        }
        size_t j = i;
        while (j < n) {
            if (w->jesc)
                w->jesc = 0;
            else if (p[j] == '\\')
                w->jesc = 1;
            else if (p[j] == '"' || (p[j] == '\n' && w->jsonl))
                break;
            j++;
        }
        if ((rc = string_bytes(w, p + i, j - i)) != EG_OK)
            return rc;
        i = j;
        if (i == n)
            break;
        if (p[i] == '\n') { /* a JSON Lines record ends inside a string */
            record_ends(w);
            if ((rc = stage_raw(w, p + i++, 1)) != EG_OK)
                return rc;
            continue;
        }
        w->jstr = 0;
        if ((rc = stage_put(w, p + i++, 1)) != EG_OK)
            return rc;
        rc = w->jkey_str ? key_read(w) : value_ends(w);
        if (rc != EG_OK)
            return rc;
    }
    return EG_OK;
}

/* A replaced value inside JSON: what the census needs to know of it. */
static void json_piece(rw *w, int op)
{
    if (w->jstr && w->jkey_str) {
        w->jkey_bad = 1;
        return;
    }
    if (!w->jstr && !w->jbare)
        value_begins(w, 1, 0);
    if (op == EG_OP_DROP)
        w->jv_drop = 1;
    else
        w->jv_content = 1;
}

static int emit(rw *w, const unsigned char *p, size_t n)
{
    if (w->csv)
        return csv_copy(w, p, n);
    if (w->jtrack)
        return json_copy(w, p, n);
    return stage_put(w, p, n);
}

/* Quote the unquoted field in progress: an opening quote where it began
 * (still in the stage), its quotes doubled, the spans recorded in it moved
 * accordingly; the closing quote comes when the field ends. */
static int requote_field(rw *w)
{
    size_t at = (size_t)(w->field_out - w->stage_base);
    size_t quotes = 0;
    for (size_t i = at; i < w->stage.len; i++)
        quotes += w->stage.data[i] == '"';
    if (eg__buf_reserve(&w->stage, 1 + quotes) != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    for (size_t k = w->field_span0; k < w->rec->n; k++) {
        eg_mspan *s = &w->rec->v[k];
        size_t before = 0;
        for (uint64_t o = w->field_out; o < s->out_start; o++)
            before += w->stage.data[o - w->stage_base] == '"';
        size_t inside = 0;
        for (uint64_t o = s->out_start; o < s->out_end; o++)
            inside += w->stage.data[o - w->stage_base] == '"';
        s->out_start += 1 + before;
        s->out_end += 1 + before + inside;
        s->enc = EG_ENC_CSVQ;
    }
    /* rebuild the held bytes back to front, in place */
    char *d = w->stage.data;
    size_t src = w->stage.len, dst = w->stage.len + 1 + quotes;
    while (src > at) {
        char c = d[--src];
        d[--dst] = c;
        if (c == '"')
            d[--dst] = '"';
    }
    d[at] = '"';
    w->stage.len += 1 + quotes;
    w->requote = 1;
    w->cnt->requoted++;
    return EG_OK;
}

/* ----------------------------------------------------------------- input */

static uint64_t win_end(const rw *w)
{
    return w->wbase + w->wlen;
}

/* Make the window reach `upto` (or the end of the input), keeping
 * LOOKBACK bytes before the copy point. */
static int win_fill(rw *w, uint64_t upto)
{
    if (upto <= win_end(w) || w->eof)
        return EG_OK;
    uint64_t keep = w->pos > LOOKBACK ? w->pos - LOOKBACK : 0;
    if (keep > w->wbase) {
        size_t drop = (size_t)(keep - w->wbase);
        if (drop > w->wlen)
            drop = w->wlen;
        memmove(w->win, w->win + drop, w->wlen - drop);
        w->wlen -= drop;
        w->wbase += drop;
    }
    if (upto - w->wbase > w->wcap) {
        size_t cap = w->wcap * 2;
        if (cap < upto - w->wbase)
            cap = (size_t)(upto - w->wbase);
        unsigned char *nb = eg__realloc(w->win, cap);
        if (!nb)
            return eg__fail(w->err, EG_ENOMEM, "out of memory for a value");
        w->win = nb;
        w->wcap = cap;
    }
    while (win_end(w) < upto) {
        size_t got = 0;
        int rc = eg__source_read(w->src, w->win + w->wlen, w->wcap - w->wlen,
                                 &got, w->err);
        if (rc != EG_OK)
            return rc;
        if (got == 0) {
            w->eof = 1;
            break;
        }
        w->wlen += got;
    }
    return EG_OK;
}

static unsigned char at(const rw *w, uint64_t off)
{
    return w->win[off - w->wbase];
}

/* Copy input bytes up to `target` (or the end of input if UINT64_MAX). */
static int copy_to(rw *w, uint64_t target)
{
    while (w->pos < target) {
        if (w->pos >= win_end(w)) {
            uint64_t want = w->pos + w->wcap - LOOKBACK;
            int rc = win_fill(w, target < want ? target : want);
            if (rc != EG_OK)
                return rc;
            if (w->pos >= win_end(w)) {
                if (target == UINT64_MAX)
                    return EG_OK;
                return eg__fail(w->err, EG_ECORRUPT,
                                "%s: input ended at byte %llu, before what "
                                "the scan read: it changed",
                                w->env->path, (unsigned long long)w->pos);
            }
        }
        uint64_t end = target < win_end(w) ? target : win_end(w);
        int rc = emit(w, w->win + (w->pos - w->wbase), (size_t)(end - w->pos));
        if (rc != EG_OK)
            return rc;
        w->pos = end;
    }
    return EG_OK;
}

/* ---------------------------------------------------------------- pieces */

static int well_formed(const eg_op_settings *s)
{
    return s->op == EG_OP_ENCRYPT || s->op == EG_OP_KEEP ||
           (s->op == EG_OP_PSEUDONYMIZE && s->style == EG_PSEUDO_DIGITS);
}

/* Apply the type's operator to v[0..n) into w->res; fall back to redact
 * when the operator refuses the value. */
static int apply(rw *w, int type, const char *v, size_t n, eg_mspan *sp)
{
    const eg_op_settings *s = &w->env->set[type];
    eg_error e;
    w->res.len = 0;
    sp->asked = (uint8_t)s->op;
    int rc = eg__op_apply(w->env->worker, type, s, v, n, &w->res, &e);
    if (rc == EG_OK) {
        sp->op = (uint8_t)s->op;
        if (well_formed(s))
            sp->flags |= EG_SPAN_WELL_FORMED;
        return EG_OK;
    }
    if (rc != EG_EINVAL && rc != EG_EUNSUPPORTED && rc != EG_ELIMIT)
        return eg__fail(w->err, rc, "%s: at byte %llu: %s", w->env->path,
                        (unsigned long long)sp->in_start, e.message);
    eg_op_settings r;
    eg__op_settings_init(&r, EG_OP_REDACT);
    w->res.len = 0;
    rc = eg__op_apply(w->env->worker, type, &r, v, n, &w->res, &e);
    if (rc != EG_OK)
        return eg__fail(w->err, rc, "%s: %s", w->env->path, e.message);
    sp->op = EG_OP_REDACT;
    sp->flags |= EG_SPAN_FALLBACK;
    w->cnt->fallbacks++;
    w->cnt->fallback_by_type[type]++;
    return EG_OK;
}

/* The output computed ahead for input [i, j), if that is the current
 * span whole. */
static const pre_val *ready(const rw *w, uint64_t i, uint64_t j)
{
    if (w->cur < w->pre_lo || w->cur >= w->pre_hi)
        return NULL;
    const pre_val *pv = &w->pre[w->cur - w->pre_lo];
    const eg_fspan *f = &w->spans[w->cur];
    return pv->ok && f->start == i && f->end == j ? pv : NULL;
}

static int use_ready(rw *w, int type, const pre_val *pv, eg_mspan *sp)
{
    const eg_op_settings *s = &w->env->set[type];
    sp->asked = sp->op = (uint8_t)s->op;
    if (well_formed(s))
        sp->flags |= EG_SPAN_WELL_FORMED;
    w->res.len = 0;
    if (eg__buf_append(&w->res, w->slices[pv->slice].arena.data + pv->off,
                       pv->len) != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    return EG_OK;
}

/* A value whose written form is its value in every context (no quote,
 * escape, line end or delimiter): a piece of it decodes to the same bytes. */
static int plain_value(const rw *w, const unsigned char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == '"' || v[i] == '\\' || v[i] == '\r' || v[i] == '\n' ||
            (w->csv && v[i] == w->delim))
            return 0;
    return 1;
}

/* Operators worth a thread: FF1 and HMAC cost microseconds a value; the
 * others cost less than handing the value over. */
static int costly(const rw *w, const eg_fspan *f)
{
    int op = w->env->set[f->type].op;
    return op == EG_OP_ENCRYPT || op == EG_OP_PSEUDONYMIZE;
}

static void pre_slice_run(pre_slice *sl)
{
    const rw *w = sl->w;
    sl->arena.len = 0;
    for (size_t k = sl->lo; k < sl->hi; k++) {
        pre_val *pv = &w->pre[k - w->pre_lo];
        const eg_fspan *f = &w->spans[k];
        pv->ok = 0;
        if (!costly(w, f) || f->start < w->pos || f->start < w->wbase ||
            f->end <= f->start || f->end - f->start > PRE_LEN)
            continue;
        const unsigned char *v = w->win + (f->start - w->wbase);
        size_t n = (size_t)(f->end - f->start);
        eg_error e;
        sl->tmp.len = 0;
        if (!plain_value(w, v, n) ||
            eg__op_apply(sl->worker, f->type, &w->env->set[f->type],
                         (const char *)v, n, &sl->tmp, &e) != EG_OK)
            continue; /* done in place, with its fallback or error */
        pv->off = (uint32_t)sl->arena.len;
        pv->len = (uint32_t)sl->tmp.len;
        pv->slice = sl->index;
        if (eg__buf_append(&sl->arena, sl->tmp.data, sl->tmp.len) == EG_OK)
            pv->ok = 1;
    }
}

static void *pre_thread(void *arg)
{
    pre_slice_run(arg);
    return NULL;
}

static size_t pre_min(const rw *w)
{
    return w->env->pre_min ? w->env->pre_min : PRE_MIN;
}

/* Apply the operators of the spans from w->cur on that lie in the window,
 * split over the helper threads and this one. */
static void precompute(rw *w)
{
    size_t lo = w->cur, hi = lo, work = 0;
    while (hi < w->nspans && hi - lo < PRE_MAX &&
           w->spans[hi].end + LOOKAHEAD <= win_end(w))
        work += costly(w, &w->spans[hi++]);
    w->pre_lo = lo;
    w->pre_hi = hi > lo ? hi : lo + 1;
    if (work < pre_min(w)) {
        for (size_t k = lo; k < w->pre_hi && k - lo < PRE_MAX; k++)
            w->pre[k - lo].ok = 0;
        return;
    }
    size_t per = (hi - lo + w->nslices - 1) / w->nslices;
    pthread_t tid[16];
    int started[16] = {0};
    for (size_t t = 0; t < w->nslices; t++) {
        pre_slice *sl = &w->slices[t];
        sl->lo = lo + t * per < hi ? lo + t * per : hi;
        sl->hi = sl->lo + per < hi ? sl->lo + per : hi;
        if (t > 0)
            started[t] = pthread_create(&tid[t], NULL, pre_thread, sl) == 0;
    }
    pre_slice_run(&w->slices[0]);
    for (size_t t = 1; t < w->nslices; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            pre_slice_run(&w->slices[t]); /* no thread: do it here */
    }
}

static int pre_init(rw *w)
{
    size_t n = w->env->nhelpers;
    if (n == 0 || w->env->census || w->nspans < pre_min(w))
        return EG_OK;
    if (n > 15)
        n = 15;
    w->pre = eg__calloc(PRE_MAX, sizeof *w->pre);
    w->slices = eg__calloc(n + 1, sizeof *w->slices);
    if (!w->pre || !w->slices)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    w->nslices = n + 1;
    for (size_t t = 0; t <= n; t++) {
        w->slices[t].w = w;
        w->slices[t].index = (uint8_t)t;
        w->slices[t].worker = t ? w->env->helpers[t - 1] : w->env->worker;
    }
    return EG_OK;
}

static void pre_free(rw *w)
{
    for (size_t t = 0; t < w->nslices; t++) {
        eg__buf_free(&w->slices[t].arena);
        eg__buf_free(&w->slices[t].tmp);
    }
    eg__free(w->slices);
    eg__free(w->pre);
}

/* Characters that would change a CSV field's structure, brought in by
 * the replacement (ones the value had already stay as they were). */
static int needs_quotes(const rw *w, const char *orig, size_t on,
                        const char *res, size_t rn)
{
    const char specials[4] = {(char)w->delim, '"', '\r', '\n'};
    for (int k = 0; k < 4; k++)
        if (memchr(res, specials[k], rn) && !memchr(orig, specials[k], on))
            return 1;
    return 0;
}

static void sanitize(const rw *w, char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == (char)w->delim || p[i] == '"' || p[i] == '\r' ||
            p[i] == '\n')
            p[i] = ' ';
}

/* Choose how the replacement is written; fills w->enc. */
static int encode_piece(rw *w, piece_kind kind, const eg_codec *styles,
                        const char *orig, size_t on, eg_mspan *sp)
{
    const char *r = w->res.data ? w->res.data : "";
    size_t rn = w->res.len;
    w->enc.len = 0;
    int enc = EG_ENC_RAW;
    switch (kind) {
    case P_JSON_STR:
        enc = EG_ENC_JSON;
        break;
    case P_JSON_BARE:
        if (!eg__json_is_number(r, rn) &&
            !(rn == on && memcmp(r, orig, rn) == 0))
            enc = EG_ENC_WRAP;
        break;
    case P_CSV_QUOTED:
        enc = EG_ENC_CSVQ;
        break;
    case P_CSV_UNQUOTED:
        if (w->requote) {
            enc = EG_ENC_CSVQ;
        } else if (needs_quotes(w, orig, on, r, rn)) {
            int held = !w->field_quoted && w->field_out >= w->stage_base;
            if (held) {
                int rc = requote_field(w);
                if (rc != EG_OK)
                    return rc;
                enc = EG_ENC_CSVQ;
            } else {
                sanitize(w, w->res.data, rn);
                w->cnt->sanitized++;
            }
        }
        break;
    default:
        break;
    }
    sp->enc = (uint8_t)enc;
    int aligned = sp->op == EG_OP_ENCRYPT || sp->op == EG_OP_KEEP;
    if (eg__codec_encode(aligned ? styles : NULL, enc, r, rn, &w->enc) != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    return EG_OK;
}

/* Replace input [i, j) (in the window) of one structural context. */
static int piece(rw *w, uint64_t i, uint64_t j, piece_kind kind, int type)
{
    if (j <= i)
        return EG_OK;
    const char *orig = (const char *)w->win + (i - w->wbase);
    size_t on = (size_t)(j - i);
    int denc = kind == P_JSON_STR     ? EG_ENC_JSON
               : kind == P_CSV_QUOTED ? EG_ENC_CSVQ
                                      : EG_ENC_RAW;
    int rc = eg__codec_decode(&w->codec, denc, orig, on);
    int broken = rc == EG_EFORMAT;
    if (broken) /* a broken escape: take the bytes as they are */
        rc = eg__codec_decode(&w->codec, EG_ENC_RAW, orig, on);
    if (rc != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    eg_mspan sp;
    memset(&sp, 0, sizeof sp);
    sp.in_start = i;
    sp.in_end = j;
    sp.type = (uint8_t)type;
    const pre_val *pv = ready(w, i, j);
    if (pv && w->codec.raw.len == on && !memcmp(w->codec.raw.data, orig, on))
        rc = use_ready(w, type, pv, &sp);
    else
        rc = apply(w, type, w->codec.raw.data, w->codec.raw.len, &sp);
    if (rc != EG_OK)
        return rc;
    if (w->jtrack)
        json_piece(w, sp.op);
    /* an empty replacement (drop) must not bring a quote where it changes
     * the CSV structure: to a field's start, or after a closing quote */
    if (kind == P_CSV_UNQUOTED && w->res.len == 0 && j < win_end(w) &&
        at(w, j) == '"') {
        if (eg__buf_append(&w->res, " ", 1) != EG_OK)
            return eg__fail(w->err, EG_ENOMEM, "out of memory");
        w->cnt->sanitized++;
    }
    if (kind == P_CSV_UNQUOTED || kind == P_CSV_QUOTED) {
        w->field_fresh = 0;
        if (sp.op == EG_OP_DROP)
            w->field_drop = 1;
        else
            w->field_content = 1;
    }
    /* ... and an output made character for character from those bytes
     * (encrypt, keep) is written as they were, so that unmask gets them
     * back; escaping the backslash of "\+" would change the input */
    piece_kind ekind = kind;
    if (broken && kind == P_JSON_STR &&
        (sp.op == EG_OP_ENCRYPT || sp.op == EG_OP_KEEP))
        ekind = P_TEXT;
    if ((rc = encode_piece(w, ekind, &w->codec, orig, on, &sp)) != EG_OK)
        return rc;
    sp.out_start = out_off(w);
    if ((rc = stage_put(w, w->enc.data, w->enc.len)) != EG_OK)
        return rc;
    sp.out_end = out_off(w);
    if (sp.flags & EG_SPAN_WELL_FORMED)
        w->cnt->well_formed++;
    w->cnt->spans++;
    w->cnt->by_type_op[type][sp.op]++;
    if (!w->env->census && eg__mspans_push(w->rec, &sp) != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "out of memory");
    return EG_OK;
}

/* One structural byte inside a span: copied, state followed. */
static int structural(rw *w, uint64_t i)
{
    return emit(w, w->win + (i - w->wbase), 1);
}

/* -------------------------------------------------------------- walkers */

/* A span starting inside a JSON escape (`\u5f20` cut after the `u`)
 * starts at its backslash instead. */
static uint64_t json_escape_start(const rw *w, uint64_t s)
{
    for (uint64_t k = 1; k <= 5 && k <= s - w->pos; k++) {
        uint64_t b = s - k;
        if (b < w->wbase || at(w, b) != '\\')
            continue;
        size_t run = 0; /* backslashes before b: an odd count escapes it */
        for (uint64_t q = b; q > w->wbase && at(w, q - 1) == '\\'; q--)
            run++;
        if (run % 2)
            continue;
        uint64_t len = b + 1 < win_end(w) && at(w, b + 1) == 'u' ? 6 : 2;
        if (b + len > s)
            return b;
    }
    return s;
}

/* 1 if the string closing at `q` is an object key (a ':' follows). */
static int is_key(const rw *w, uint64_t q)
{
    for (uint64_t k = q + 1; k < win_end(w); k++) {
        unsigned char c = at(w, k);
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return c == ':';
    }
    return 0;
}

static int copy_raw(rw *w, uint64_t i, uint64_t j)
{
    return emit(w, w->win + (i - w->wbase), (size_t)(j - i));
}

static int walk_json(rw *w, uint64_t s, uint64_t *e, int in_str, int type)
{
    uint64_t i = s;
    int rc;
    while (i < *e) {
        if (in_str) {
            uint64_t j = i;
            while (j < *e && at(w, j) != '"') {
                if (at(w, j) == '\\' && j + 1 < win_end(w))
                    j += at(w, j + 1) == 'u' ? 6 : 2;
                else
                    j++;
            }
            if (j > win_end(w))
                j = win_end(w);
            if (j > *e)
                *e = j; /* an escape across the span's end */
            /* a key met inside the span (`39.9,"lng":116.4`) is structure */
            if (i > s && is_key(w, j))
                rc = copy_raw(w, i, j);
            else
                rc = piece(w, i, j, P_JSON_STR, type);
            if (rc != EG_OK)
                return rc;
            i = j;
            if (i < *e) { /* the closing quote */
                if ((rc = structural(w, i++)) != EG_OK)
                    return rc;
                in_str = 0;
            }
            continue;
        }
        unsigned char c = at(w, i);
        if (bare_char(c)) {
            uint64_t j = i;
            while (j < *e && bare_char(at(w, j)))
                j++;
            if ((rc = piece(w, i, j, P_JSON_BARE, type)) != EG_OK)
                return rc;
            i = j;
            continue;
        }
        if ((rc = structural(w, i++)) != EG_OK)
            return rc;
        if (c == '"')
            in_str = 1;
    }
    return EG_OK;
}

static int walk_csv(rw *w, uint64_t s, uint64_t *e, int type)
{
    uint64_t i = s;
    int rc;
    while (i < *e) {
        unsigned char c = at(w, i);
        if (w->in_quotes) {
            uint64_t j = i;
            while (j < *e) {
                if (at(w, j) == '"') {
                    if (j + 1 < win_end(w) && at(w, j + 1) == '"') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j++;
            }
            if (j > *e)
                *e = j; /* a doubled quote across the span's end */
            if ((rc = piece(w, i, j, P_CSV_QUOTED, type)) != EG_OK)
                return rc;
            i = j;
            if (i < *e && (rc = structural(w, i++)) != EG_OK)
                return rc;
            continue;
        }
        if ((w->after_close && c == '"') || c == w->delim || c == '\n' ||
            c == '\r' || (c == '"' && w->field_fresh && !w->pending_cr)) {
            if ((rc = structural(w, i++)) != EG_OK)
                return rc;
            continue;
        }
        uint64_t j = i;
        while (j < *e && at(w, j) != w->delim && at(w, j) != '\n' &&
               at(w, j) != '\r')
            j++;
        if (w->pending_cr && (rc = pending_cr_is_data(w)) != EG_OK)
            return rc;
        w->after_close = 0;
        if ((rc = piece(w, i, j, P_CSV_UNQUOTED, type)) != EG_OK)
            return rc;
        i = j;
    }
    return EG_OK;
}

static int do_span(rw *w, const eg_fspan *f)
{
    uint64_t s = f->start, e = f->end;
    if (e <= w->pos || e <= s) {
        w->cnt->overlaps++;
        return EG_OK;
    }
    if (s < w->pos) {
        w->cnt->overlaps++;
        s = w->pos;
    }
    /* bring the span in, with the bytes right before and after it */
    int rc = copy_to(w, s > LOOKBACK ? s - LOOKBACK : 0);
    if (rc == EG_OK)
        rc = win_fill(w, e + LOOKAHEAD);
    if (rc != EG_OK)
        return rc;
    if (win_end(w) < e)
        return eg__fail(w->err, EG_ECORRUPT,
                        "%s: input ended at byte %llu, before a finding the "
                        "scan reported: it changed",
                        w->env->path, (unsigned long long)win_end(w));
    if (w->nslices && (w->cur < w->pre_lo || w->cur >= w->pre_hi))
        precompute(w);
    int in_str = (f->flags & EG_FINDING_IN_JSON_STRING) != 0;
    if (w->json && in_str)
        s = json_escape_start(w, s);
    if ((rc = copy_to(w, s)) != EG_OK)
        return rc;
    if (w->json)
        rc = walk_json(w, s, &e, in_str, f->type);
    else if (w->csv)
        rc = walk_csv(w, s, &e, f->type);
    else
        rc = piece(w, s, e, P_TEXT, f->type);
    if (rc == EG_OK)
        w->pos = e;
    return rc;
}

/* A UTF-8 BOM before a CSV header is not part of its first field. */
static int skip_bom(rw *w)
{
    int rc = win_fill(w, 3);
    if (rc != EG_OK)
        return rc;
    if (w->wlen >= 3 && !memcmp(w->win, "\xEF\xBB\xBF", 3)) {
        if ((rc = stage_raw(w, w->win, 3)) != EG_OK)
            return rc;
        w->pos = 3;
    }
    w->row_out = out_off(w);
    field_begins(w);
    return EG_OK;
}

int eg__mask_rewrite(const eg_rewrite_env *env, eg_source *src, eg_format fmt,
                     const eg_fspan *spans, size_t n, eg_mask_out *out,
                     eg_mspans *rec, eg_rewrite_counts *counts, eg_error *err)
{
    rw w;
    memset(&w, 0, sizeof w);
    w.env = env;
    w.src = src;
    w.out = out;
    w.rec = rec;
    w.cnt = counts;
    w.err = err;
    w.csv = fmt == EG_FORMAT_CSV || fmt == EG_FORMAT_TSV;
    w.json = fmt == EG_FORMAT_JSON || fmt == EG_FORMAT_JSONL;
    w.delim = fmt == EG_FORMAT_TSV ? '\t' : ',';
    w.special[w.delim] = w.special['\n'] = w.special['\r'] = 1;
    w.special['"'] = 1;
    w.wcap = WIN_INIT;
    w.jtrack = w.json && env->keys;
    w.jsonl = fmt == EG_FORMAT_JSONL;
    int rc = EG_OK;
    if (!(w.win = eg__malloc(w.wcap)) ||
        (w.jtrack && !(w.jf = eg__calloc(JDEPTH_MAX, sizeof *w.jf))))
        rc = eg__fail(err, EG_ENOMEM, "out of memory");
    if (rc == EG_OK && w.csv)
        rc = skip_bom(&w);
    w.spans = spans;
    w.nspans = n;
    if (rc == EG_OK)
        rc = pre_init(&w);
    for (size_t k = 0; k < n && rc == EG_OK; k++) {
        w.cur = k;
        rc = do_span(&w, &spans[k]);
    }
    if (rc == EG_OK)
        rc = copy_to(&w, UINT64_MAX);
    if (rc == EG_OK && w.pending_cr)
        rc = pending_cr_is_data(&w);
    if (rc == EG_OK && w.requote)
        rc = stage_put(&w, "\"", 1);
    /* the last field, unless the input ended with its row */
    if (rc == EG_OK && w.csv &&
        (w.col > 0 || w.field_content || w.field_drop)) {
        field_ends(&w);
        if (w.dropping)
            counts->dropped_cells++;
        w.dropping = 0;
        rc = keep_empty_row(&w);
    }
    if (rc == EG_OK)
        rc = flush_stage(&w, 1);
    if (w.jbare && rc == EG_OK) /* a bare value at the very end */
        rc = value_ends(&w);
    if (w.jtrack && w.dropping) /* a member cut short by the end */
        counts->dropped_cells++;
    if (w.jlost && env->census && env->keys)
        env->keys->full = 1; /* not followed to the end: nothing goes */
    counts->bytes_in = w.pos;
    eg__free(w.win);
    eg__free(w.jf);
    eg__buf_free(&w.jpath);
    pre_free(&w);
    eg__buf_free(&w.stage);
    eg__buf_free(&w.res);
    eg__buf_free(&w.enc);
    eg__codec_free(&w.codec);
    return rc;
}
