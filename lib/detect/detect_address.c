/*
 * detect_address.c: mainland street addresses.
 *
 * An address is found from its house number: digits between a Han road
 * name and 号 (or 弄, 组).  From there it is read in both directions:
 * backwards through the road name to the chain of administrative divisions
 * (province, prefecture, county names of GB/T 2260, from the same data file
 * as the region codes), forwards through the rest of the number (小区 5栋6
 * 单元2604室, 院4号楼2001).  Divisions without a street are not an address
 * (广东省深圳市南山区近日…); a street without divisions is one only when a
 * label or column says so (收货地址：建国路12号).
 *
 * The division names live in a small open-addressing hash set of their
 * UTF-8 bytes, looked up for every 2..10-character prefix at a position.
 */
#include "detect/detect.h"

#include <string.h>

extern const unsigned char eg__data_gb2260_regions_tsv[];
extern const size_t eg__data_gb2260_regions_tsv_len;

#define MAX_NAME_BYTES 36

struct eg_regions {
    char (*slots)[MAX_NAME_BYTES + 1];
    size_t mask;
    /* the last characters of all names (省 市 区 县 旗 州 盟 …): a length is
     * worth a hash lookup only when it ends in one of them */
    unsigned char last[64][3];
    size_t nlast;
};

static void note_last_char(eg_regions *r, const char *s, size_t n)
{
    const unsigned char *c = (const unsigned char *)s + n - 3;
    for (size_t i = 0; i < r->nlast; i++)
        if (!memcmp(r->last[i], c, 3))
            return;
    if (r->nlast < 64)
        memcpy(r->last[r->nlast++], c, 3);
}

static int ends_like_a_name(const eg_regions *r, const unsigned char *c)
{
    for (size_t i = 0; i < r->nlast; i++)
        if (r->last[i][2] == c[2] && r->last[i][1] == c[1] &&
            r->last[i][0] == c[0])
            return 1;
    return 0;
}

static uint64_t hash_bytes(const unsigned char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static int set_insert(eg_regions *r, const char *s, size_t n)
{
    if (n < 6 || n > MAX_NAME_BYTES)
        return 0;
    size_t i = (size_t)hash_bytes((const unsigned char *)s, n) & r->mask;
    while (r->slots[i][0]) {
        if (strlen(r->slots[i]) == n && !memcmp(r->slots[i], s, n))
            return 0;
        i = (i + 1) & r->mask;
    }
    memcpy(r->slots[i], s, n);
    r->slots[i][n] = '\0';
    return 1;
}

static int set_has(const eg_regions *r, const unsigned char *s, size_t n)
{
    size_t i = (size_t)hash_bytes(s, n) & r->mask;
    while (r->slots[i][0]) {
        if (!memcmp(r->slots[i], s, n) && r->slots[i][n] == '\0')
            return 1;
        i = (i + 1) & r->mask;
    }
    return 0;
}

/* Names that are not places in an address. */
static int skip_name(const char *s, size_t n)
{
    static const char *const skip[] = {"市辖区", "省直辖县级行政区划",
                                       "自治区直辖县级行政区划", "县"};
    for (size_t i = 0; i < EG_ARRAY_LEN(skip); i++)
        if (strlen(skip[i]) == n && !memcmp(skip[i], s, n))
            return 1;
    return 0;
}

int eg__regions_new(eg_regions **out, eg_error *err)
{
    *out = NULL;
    eg_regions *r = eg__calloc(1, sizeof *r);
    if (!r)
        return eg__fail(err, EG_ENOMEM, "out of memory loading regions");
    size_t cap = 16384;
    r->slots = eg__calloc(cap, sizeof *r->slots);
    if (!r->slots) {
        eg__free(r);
        return eg__fail(err, EG_ENOMEM, "out of memory loading regions");
    }
    r->mask = cap - 1;
    const char *d = (const char *)eg__data_gb2260_regions_tsv;
    size_t len = eg__data_gb2260_regions_tsv_len, i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && d[j] != '\n')
            j++;
        const char *line = d + i;
        size_t n = j - i;
        i = j + 1;
        if (n < 8 || line[0] < '0' || line[0] > '9' || line[6] != '\t')
            continue;
        const char *name = line + 7;
        const char *tab = memchr(name, '\t', n - 7);
        size_t nl = tab ? (size_t)(tab - name) : n - 7;
        if (!skip_name(name, nl) && set_insert(r, name, nl))
            note_last_char(r, name, nl);
    }
    *out = r;
    return EG_OK;
}

void eg__regions_free(eg_regions *r)
{
    if (!r)
        return;
    eg__free(r->slots);
    eg__free(r);
}

size_t eg__regions_match(const eg_regions *r, const unsigned char *s, size_t n)
{
    size_t max = n < MAX_NAME_BYTES ? n : MAX_NAME_BYTES;
    max -= max % 3;
    for (size_t len = max; len >= 6; len -= 3)
        if (ends_like_a_name(r, s + len - 3) && set_has(r, s, len))
            return len;
    return 0;
}

/* ------------------------------------------------------------ detection */

static int is_char(const unsigned char *p, const char *c)
{
    return !memcmp(p, c, 3);
}

static int is_road_suffix(const unsigned char *p)
{
    static const char *const sfx[] = {"路", "街", "道", "巷", "弄", "村", "里",
                                      "同", "坊", "屯", "湾", "镇", "灣", "鎮"};
    for (size_t i = 0; i < EG_ARRAY_LEN(sfx); i++)
        if (is_char(p, sfx[i]))
            return 1;
    return 0;
}

static int is_unit(const unsigned char *p, size_t avail, size_t *len)
{
    static const char *const units[] = {
        "号楼", "号院", "单元", "号", "栋", "幢", "座", "室",
        "层",   "楼",   "院",   "弄", "组", "户", "区", "號樓",
        "號",   "棟",   "單元", "樓", "層", "組"};
    for (size_t i = 0; i < EG_ARRAY_LEN(units); i++) {
        size_t n = strlen(units[i]);
        if (avail >= n && !memcmp(p, units[i], n)) {
            *len = n;
            return 1;
        }
    }
    return 0;
}

/* After the house number: building, unit and room parts. */
static size_t address_tail(const eg_chunk *ch, size_t p)
{
    const unsigned char *b = ch->buf;
    size_t ul;
    if (!is_unit(b + p, ch->len - p, &ul))
        return p;
    p += ul;
    int after_building = 0;
    for (;;) {
        size_t q = p, han = 0;
        while (han < 8 && eg__is_han(b + q, ch->len - q) &&
               !is_char(b + q, "的") && !is_char(b + q, "在")) {
            q += 3;
            han++;
        }
        size_t d = q;
        while (d < ch->len && eg__is_digit(b[d]) && d - q < 6)
            d++;
        if (d == q)
            break;
        if (d < ch->len && (eg__is_alnum(b[d]) || b[d] == '.'))
            break;
        if (is_unit(b + d, ch->len - d, &ul)) {
            after_building = is_char(b + d, "楼") || is_char(b + d, "院") ||
                             (ul == 6 && !memcmp(b + d, "号楼", 6));
            p = d + ul;
            continue;
        }
        if (han == 0 && after_building)
            p = d; /* 4号楼2001: a bare room number */
        break;
    }
    return p;
}

/* Start of the longest chain of division names that ends in a road name
 * right before `num`; 0-based search window [ws, num). Returns the start or
 * SIZE_MAX. */
static size_t division_chain(const eg_chunk *ch, size_t ws, size_t num)
{
    for (size_t pos = ws; pos + 6 <= num; pos += 3) {
        size_t q = pos, units = 0, l;
        while (q < num &&
               (l = eg__regions_match(ch->regions, ch->buf + q, num - q)) > 0) {
            q += l;
            units++;
        }
        if (!units)
            continue;
        size_t road = (num - q) / 3;
        if (road >= 1 && road <= 12 && is_road_suffix(ch->buf + num - 3))
            return pos;
    }
    return SIZE_MAX;
}

size_t eg__detect_address(eg_chunk *ch, size_t num_start, size_t num_end)
{
    const unsigned char *b = ch->buf;
    if (!is_road_suffix(b + num_start - 3))
        return num_end;
    size_t ws = num_start;
    while (ws >= 3 && num_start - ws < 120 && eg__is_han(b + ws - 3, 3))
        ws -= 3;
    size_t start = division_chain(ch, ws, num_start);
    uint32_t need = 0;
    if (start == SIZE_MAX) {
        if ((num_start - ws) / 3 > 12)
            return num_end;
        start = ws;
        need = EG_CTX(ADDR);
    }
    size_t end = address_tail(ch, num_end);
    eg__cand_add(ch, EG_T_cn_address, start, end, (const char *)b + start,
                 end - start, need ? 0.4f : 0.85f, need, 0.85f, NULL);
    return end;
}
