/*
 * structure_csv.c: the CSV/TSV cursor.  A four-state RFC 4180 machine
 * (field start, unquoted, quoted, quote seen inside quotes) that counts rows
 * and columns over the bytes handed to it, plus a bounded collector of the
 * first row that decides whether that row is a header.
 *
 * Workload: every byte of every CSV input passes through here at the scan
 * engine's speed, so the machine moves span by span: in an unquoted field
 * it jumps to the next delimiter or newline, in a quoted field to the next
 * quote (SSE2 / memchr), and only the bytes that change state are looked
 * at one by one.  Nothing is allocated per row or field; the only buffers
 * hold the first row's names (at most 64 KiB of row, `max_columns` names)
 * and are fixed when the cursor is made.
 *
 * Leniency, as in common CSV readers: a quote inside an unquoted field is
 * an ordinary byte; bytes after a closing quote join the field; a lone CR
 * is data (a CR before LF is stripped from header names).  Rows end at LF
 * outside quotes; a newline inside quotes is field content.
 */
#include "read/structure_int.h"

#include <stdio.h>

enum { S_FIELD_START, S_UNQUOTED, S_QUOTED, S_QUOTE_SEEN };

#define HEADER_MAX_ROW (64u * 1024u) /* a longer first row is not a header */
#define HEADER_MAX_FIELD 64u         /* a longer first-row field: no header */
#define HEADER_MAX_FIELDS (HEADER_MAX_ROW / 2u + 1u)

struct eg_csv_state {
    unsigned char delim;
    uint8_t state;
    uint8_t bom_got;  /* bytes of a UTF-8 BOM matched at offset 0 */
    uint8_t bom_done; /* the BOM question is settled */
    int header;       /* -1 undecided, 0 no header, 1 first row is header */
    uint64_t row;     /* index of the current row */
    uint32_t col;     /* 0-based column within the row */
    uint64_t row_start;
    uint64_t quote_off; /* where the current quoted field opened (as
                           messages give it: eg__cursor_msg_off) */

    /* first-row collection (only while row == 0) */
    int looks_header;  /* no disqualifying field seen yet */
    uint64_t row0_len; /* content bytes + delimiters of the first row */
    uint64_t field_len;
    uint32_t digit_run;
    int last_cr;
    char *names; /* NUL-terminated names, back to back */
    size_t names_len, names_cap, cur_name;
    uint32_t *name_off;
    uint32_t name_slots, n_names;
    uint32_t name_max; /* bytes kept of one name */
    char num[16];      /* the 1-based column number as text */
};

static void drop_names(eg_csv_state *s)
{
    eg__free(s->names);
    eg__free(s->name_off);
    s->names = NULL;
    s->name_off = NULL;
    s->names_len = s->names_cap = s->cur_name = 0;
    s->n_names = s->name_slots = 0;
}

int eg__cursor_csv_init(eg_cursor *c)
{
    eg_csv_state *s = eg__calloc(1, sizeof *s);
    if (!s)
        return EG_ENOMEM;
    c->csv = s;
    s->delim = c->fmt == EG_FORMAT_TSV ? '\t' : ',';
    s->header = -1;
    s->looks_header = 1;
    s->name_max = c->lim.max_name_bytes < HEADER_MAX_FIELD
                      ? c->lim.max_name_bytes
                      : HEADER_MAX_FIELD;
    s->name_slots = c->lim.max_columns < HEADER_MAX_FIELDS ? c->lim.max_columns
                                                           : HEADER_MAX_FIELDS;
    /* A first row that can still be a header has at most HEADER_MAX_ROW
     * content bytes and HEADER_MAX_FIELDS fields, so this never grows. */
    s->names_cap = HEADER_MAX_ROW + HEADER_MAX_FIELDS + HEADER_MAX_FIELD + 1;
    s->names = eg__malloc(s->names_cap);
    s->name_off = eg__malloc((size_t)s->name_slots * sizeof *s->name_off);
    if (!s->names || !s->name_off)
        return EG_ENOMEM;
    return EG_OK;
}

void eg__cursor_csv_free(eg_cursor *c)
{
    drop_names(c->csv);
    eg__free(c->csv);
    c->csv = NULL;
}

/* ---- first row: header detection ---- */

static void not_header(eg_csv_state *s)
{
    s->looks_header = 0;
    drop_names(s);
}

/** Content bytes of a first-row field (unquoted, "" already undone). */
static void hdr_content(eg_csv_state *s, const unsigned char *p, size_t n)
{
    if (!s->looks_header || n == 0)
        return;
    s->row0_len += n;
    s->field_len += n;
    if (s->row0_len > HEADER_MAX_ROW || s->field_len > HEADER_MAX_FIELD) {
        not_header(s);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        s->digit_run = (b >= '0' && b <= '9') ? s->digit_run + 1 : 0;
        if (s->digit_run >= 5 || b == '@') {
            not_header(s);
            return;
        }
    }
    s->last_cr = p[n - 1] == '\r';
    if (s->col >= s->name_slots)
        return;
    size_t kept = s->names_len - s->cur_name;
    size_t room = kept < s->name_max ? s->name_max - kept : 0;
    size_t take = n < room ? n : room;
    if (take > s->names_cap - 1 - s->names_len)
        take = s->names_cap - 1 - s->names_len; /* cannot happen: bounds */
    memcpy(s->names + s->names_len, p, take);
    s->names_len += take;
}

static void hdr_field_end(eg_csv_state *s, int row_end)
{
    if (!s->looks_header)
        return;
    if (row_end && s->last_cr) { /* CRLF: the CR is not part of the name */
        s->field_len--;
        if (s->names_len > s->cur_name && s->names[s->names_len - 1] == '\r')
            s->names_len--;
    }
    s->row0_len++;
    if (s->field_len == 0 || s->row0_len > HEADER_MAX_ROW) {
        not_header(s);
        return;
    }
    if (s->col < s->name_slots && s->names_len < s->names_cap) {
        s->names[s->names_len++] = '\0';
        s->name_off[s->col] = (uint32_t)s->cur_name;
        s->n_names = s->col + 1;
        s->cur_name = s->names_len;
    }
    s->field_len = 0;
    s->digit_run = 0;
    s->last_cr = 0;
}

/* ---- the row/column machine ---- */

static inline void field_end(eg_csv_state *s)
{
    if (EG_UNLIKELY(s->row == 0))
        hdr_field_end(s, 0);
    s->col++;
    s->state = S_FIELD_START;
}

static inline void row_end(eg_csv_state *s, uint64_t next_row_start)
{
    if (EG_UNLIKELY(s->row == 0)) {
        hdr_field_end(s, 1);
        s->header = s->looks_header ? 1 : 0;
        if (!s->header)
            drop_names(s);
    }
    s->row++;
    s->col = 0;
    s->state = S_FIELD_START;
    s->row_start = next_row_start;
}

static const unsigned char utf8_bom[3] = {0xEF, 0xBB, 0xBF};

/** Match a BOM at offset 0, possibly across buffers; a partial match that
 *  fails was field content after all and is replayed as such. */
static const unsigned char *skip_bom(eg_csv_state *s, const unsigned char *p,
                                     const unsigned char *end)
{
    while (p < end && !s->bom_done) {
        if (*p == utf8_bom[s->bom_got]) {
            s->bom_got++;
            p++;
            if (s->bom_got == 3) {
                s->bom_done = 1;
                s->row_start = 3;
            }
        } else {
            s->bom_done = 1;
            if (s->bom_got) { /* EF / BB are never delimiters or quotes */
                s->state = S_UNQUOTED;
                hdr_content(s, utf8_bom, s->bom_got);
            }
        }
    }
    return p;
}

int eg__cursor_csv_advance(eg_cursor *c, const unsigned char *p,
                           const unsigned char *end)
{
    eg_csv_state *s = c->csv;
    const unsigned char *start = p;
    const uint64_t base = c->pos;
    const unsigned char d = s->delim;
#define OFF(q) (base + (uint64_t)((q)-start))

    if (EG_UNLIKELY(!s->bom_done))
        p = skip_bom(s, p, end);
    while (p < end) {
        switch (s->state) {
        case S_FIELD_START:
            if (*p == '"') {
                s->state = S_QUOTED;
                s->quote_off = eg__cursor_msg_off(c, OFF(p));
                p++;
            } else if (*p == d) {
                field_end(s);
                p++;
            } else if (*p == '\n') {
                row_end(s, OFF(p + 1));
                p++;
            } else {
                s->state = S_UNQUOTED;
            }
            break;
        case S_UNQUOTED: {
            const unsigned char *q = eg__find2(p, end, d, '\n');
            if (EG_UNLIKELY(s->row == 0))
                hdr_content(s, p, (size_t)(q - p));
            p = q;
            if (p == end)
                break;
            if (*p == d)
                field_end(s);
            else
                row_end(s, OFF(p + 1));
            p++;
            break;
        }
        case S_QUOTED: {
            const unsigned char *q = eg__find1(p, end, '"');
            if (EG_UNLIKELY(s->row == 0))
                hdr_content(s, p, (size_t)(q - p));
            p = q;
            if (p < end) {
                s->state = S_QUOTE_SEEN;
                s->last_cr = 0;
                p++;
            }
            break;
        }
        case S_QUOTE_SEEN:
            if (*p == '"') { /* "" inside quotes: one literal quote */
                if (EG_UNLIKELY(s->row == 0))
                    hdr_content(s, p, 1);
                s->state = S_QUOTED;
                p++;
            } else if (*p == d) {
                field_end(s);
                p++;
            } else if (*p == '\n') {
                row_end(s, OFF(p + 1));
                p++;
            } else {
                s->state = S_UNQUOTED; /* bytes after the closing quote */
            }
            break;
        }
    }
    c->pos = OFF(end);
#undef OFF
    return EG_OK;
}

/* ---- answers ---- */

static const char *column_number(eg_csv_state *s, uint32_t col)
{
    char tmp[16];
    size_t n = 0;
    uint64_t v = (uint64_t)col + 1;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        s->num[i] = tmp[n - 1 - i];
    s->num[n] = '\0';
    return s->num;
}

void eg__cursor_csv_describe(eg_cursor *c, eg_cursor_pos *pos)
{
    eg_csv_state *s = c->csv;
    pos->record = s->row;
    pos->column = s->col;
    pos->in_header = s->row == 0;
    if (s->header == 1 && s->col < s->n_names) {
        pos->field = s->names + s->name_off[s->col];
        pos->name = pos->field;
    } else {
        pos->field = column_number(s, s->col);
        pos->name = NULL;
    }
}

const char *eg__cursor_csv_end_problem(const eg_cursor *c, uint64_t *off)
{
    const eg_csv_state *s = c->csv;
    if (s->state != S_QUOTED)
        return NULL;
    snprintf(c->late_msg, sizeof c->problem_msg,
             "unbalanced quote opened at byte %llu",
             (unsigned long long)s->quote_off);
    *off = s->quote_off;
    return c->late_msg;
}

uint64_t eg__cursor_csv_records(const eg_cursor *c)
{
    const eg_csv_state *s = c->csv;
    uint64_t n = s->row + (c->pos > s->row_start ? 1 : 0);
    if (s->header == 1)
        n--;
    return n;
}

int eg__cursor_csv_header_state(const eg_cursor *c)
{
    return c->csv->header;
}
