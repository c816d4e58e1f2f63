/*
 * structure.c: the format-independent half of the structure cursors: limits
 * and defaults, the seek contract (clamping the target to the buffer,
 * handing exactly the bytes between the cursor's position and the target
 * to the format's state machine), and problem bookkeeping.
 *
 * Why a dispatcher and two state machines: the driver treats every
 * structured input alike (seek, describe, ask for problems), while CSV and
 * JSON share nothing but the streaming discipline.  Keeping the contract
 * checks here means each format only ever sees a [p, end) range of bytes
 * it has not consumed yet.
 */
#include "read/structure_int.h"

#include <stdio.h>

static uint32_t or_default(uint32_t v, uint32_t dflt)
{
    return v ? v : dflt;
}

static void fill_limits(eg_cursor_limits *out, const eg_cursor_limits *in)
{
    eg_cursor_limits zero = {0, 0, 0};
    if (!in)
        in = &zero;
    out->max_depth = or_default(in->max_depth, EG_CURSOR_DEFAULT_DEPTH);
    out->max_columns = or_default(in->max_columns, EG_CURSOR_DEFAULT_COLUMNS);
    out->max_name_bytes =
        or_default(in->max_name_bytes, EG_CURSOR_DEFAULT_NAME);
    if (out->max_name_bytes > EG_CURSOR_MAX_NAME)
        out->max_name_bytes = EG_CURSOR_MAX_NAME;
}

static int is_csv(const eg_cursor *c)
{
    return c->fmt == EG_FORMAT_CSV || c->fmt == EG_FORMAT_TSV;
}

int eg__cursor_new(eg_cursor **out, eg_format fmt,
                   const eg_cursor_limits *limits, eg_error *err)
{
    *out = NULL;
    if (fmt != EG_FORMAT_CSV && fmt != EG_FORMAT_TSV && fmt != EG_FORMAT_JSON &&
        fmt != EG_FORMAT_JSONL)
        return eg__fail(err, EG_EINVAL,
                        "structure cursor: format %d has no "
                        "structure",
                        (int)fmt);
    eg_cursor *c = eg__calloc(1, sizeof *c);
    if (!c)
        return eg__fail(err, EG_ENOMEM, "structure cursor: out of memory");
    c->fmt = fmt;
    fill_limits(&c->lim, limits);
    c->late_msg = eg__malloc(sizeof c->problem_msg);
    int rc = c->late_msg ? EG_OK : EG_ENOMEM;
    if (rc == EG_OK)
        rc = is_csv(c) ? eg__cursor_csv_init(c) : eg__cursor_json_init(c);
    if (rc != EG_OK) {
        eg__cursor_free(c);
        return eg__fail(err, rc, "structure cursor: out of memory");
    }
    *out = c;
    return EG_OK;
}

int eg__cursor_seek(eg_cursor *c, const unsigned char *buf, uint64_t buf_base,
                    size_t buf_len, uint64_t target, eg_cursor_pos *pos)
{
    uint64_t buf_end = buf_base + buf_len;
    if (target > buf_end)
        target = buf_end; /* contract breach: go no further than the bytes */
    if (c->pos < buf_base)
        c->pos = buf_base; /* contract breach: bytes never seen are skipped */
    if (target > c->pos) {
        const unsigned char *p = buf + (c->pos - buf_base);
        const unsigned char *end = buf + (target - buf_base);
        int rc = is_csv(c) ? eg__cursor_csv_advance(c, p, end)
                           : eg__cursor_json_advance(c, p, end);
        if (rc != EG_OK)
            return rc;
    }
    if (pos) {
        memset(pos, 0, sizeof *pos);
        if (is_csv(c))
            eg__cursor_csv_describe(c, pos);
        else
            eg__cursor_json_describe(c, pos);
    }
    return EG_OK;
}

void eg__cursor_set_map(eg_cursor *c, const eg_offmap *map)
{
    c->map = map;
}

uint64_t eg__cursor_msg_off(const eg_cursor *c, uint64_t off)
{
    return eg__offmap_raw(c->map, off); /* as it is without a map */
}

void eg__cursor_note_problem(eg_cursor *c, uint64_t off, const char *msg)
{
    if (c->problem)
        return;
    snprintf(c->problem_msg, sizeof c->problem_msg, "%s", msg);
    c->problem = c->problem_msg;
    c->problem_off = eg__cursor_msg_off(c, off);
}

const char *eg__cursor_problem(const eg_cursor *c, uint64_t *offset)
{
    uint64_t off = 0;
    const char *msg = c->problem;
    if (msg)
        off = c->problem_off;
    else
        msg = is_csv(c) ? eg__cursor_csv_end_problem(c, &off)
                        : eg__cursor_json_end_problem(c, &off);
    if (offset)
        *offset = msg ? off : 0;
    return msg;
}

uint64_t eg__cursor_records(const eg_cursor *c)
{
    return is_csv(c) ? eg__cursor_csv_records(c) : eg__cursor_json_records(c);
}

int eg__cursor_has_header(const eg_cursor *c)
{
    return is_csv(c) ? eg__cursor_csv_header_state(c) : 0;
}

void eg__cursor_free(eg_cursor *c)
{
    if (!c)
        return;
    if (c->csv)
        eg__cursor_csv_free(c);
    if (c->json)
        eg__cursor_json_free(c);
    eg__free(c->late_msg);
    eg__free(c);
}
