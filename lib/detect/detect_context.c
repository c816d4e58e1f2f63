/*
 * detect_context.c: the context words of data/context-labels.tsv.
 *
 * Two views of one table: text labels (fed to the matcher as literals, so a
 * label costs nothing until it occurs) and field names (CSV headers, JSON
 * keys), looked up per candidate after normalizing the name: lower-case
 * ASCII, without '_', '-', ' ' and '.', so that "idCard", "id_card" and
 * "ID-Card" are one key.  Exact names win over "*suffix" patterns, so
 * "nickname" (kind none) is not caught by a "*name" rule.
 */
#include "detect/detect.h"

#include <stdlib.h>
#include <string.h>

extern const unsigned char eg__data_context_labels_tsv[];
extern const size_t eg__data_context_labels_tsv_len;

typedef struct entry {
    char *word;
    uint32_t kinds;
} entry;

struct eg_context {
    entry *labels; /* text scope, in file order */
    size_t nlabels;
    entry *keys; /* key scope, normalized, sorted */
    size_t nkeys;
    entry *suffixes; /* key scope "*xxx", normalized */
    size_t nsuffixes;
};

static uint32_t parse_kinds(const char *s, size_t n)
{
    static const char *const names[] = {
#define EG_CTX_NAME_(name, word) #word,
        EG_CTX_LIST(EG_CTX_NAME_)
#undef EG_CTX_NAME_
    };
    uint32_t kinds = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        for (size_t k = 0; k < EG_ARRAY_LEN(names); k++)
            if (strlen(names[k]) == j - i && !memcmp(names[k], s + i, j - i))
                kinds |= (uint32_t)1u << k;
        i = j + 1;
    }
    return kinds;
}

/* Lower-case ASCII, drop separators; bytes >= 0x80 (Chinese) are kept. */
static size_t normalize_key(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 1 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == '_' || c == '-' || c == ' ' || c == '.')
            continue;
        out[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    out[n] = '\0';
    return n;
}

static int push(entry **v, size_t *n, const char *word, size_t len,
                uint32_t kinds)
{
    entry *p = eg__realloc(*v, (*n + 1) * sizeof **v);
    if (!p)
        return EG_ENOMEM;
    *v = p;
    char *w = eg__malloc(len + 1);
    if (!w)
        return EG_ENOMEM;
    memcpy(w, word, len);
    w[len] = '\0';
    p[*n].word = w;
    p[*n].kinds = kinds;
    (*n)++;
    return EG_OK;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->word, ((const entry *)b)->word);
}

static int add_row(eg_context *c, const char *word, size_t wlen, uint32_t kinds,
                   const char *scope, size_t slen)
{
    int text = (slen == 4 && !memcmp(scope, "text", 4)) ||
               (slen == 4 && !memcmp(scope, "both", 4));
    int key = (slen == 3 && !memcmp(scope, "key", 3)) ||
              (slen == 4 && !memcmp(scope, "both", 4));
    if (text && push(&c->labels, &c->nlabels, word, wlen, kinds))
        return EG_ENOMEM;
    if (key) {
        char raw[128], norm[128];
        if (wlen >= sizeof raw)
            return EG_OK;
        memcpy(raw, word, wlen);
        raw[wlen] = '\0';
        int suffix = raw[0] == '*';
        size_t n = normalize_key(raw + suffix, norm, sizeof norm);
        if (suffix ? push(&c->suffixes, &c->nsuffixes, norm, n, kinds)
                   : push(&c->keys, &c->nkeys, norm, n, kinds))
            return EG_ENOMEM;
    }
    return EG_OK;
}

static int parse_table(eg_context *c, const char *data, size_t len,
                       eg_error *err)
{
    size_t line = 0, i = 0;
    int header_seen = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && data[j] != '\n')
            j++;
        line++;
        const char *s = data + i;
        size_t n = j - i;
        i = j + 1;
        if (n == 0 || s[0] == '#')
            continue;
        if (!header_seen) {
            header_seen = 1;
            continue;
        }
        const char *t1 = memchr(s, '\t', n);
        const char *t2 =
            t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - s)) : NULL;
        if (!t1 || !t2)
            return eg__fail(err, EG_EFORMAT,
                            "context-labels.tsv: line %zu: expected 3 "
                            "tab-separated columns",
                            line);
        uint32_t kinds = parse_kinds(t1 + 1, (size_t)(t2 - t1 - 1));
        if (add_row(c, s, (size_t)(t1 - s), kinds, t2 + 1,
                    n - (size_t)(t2 + 1 - s)) != EG_OK)
            return eg__fail(err, EG_ENOMEM, "out of memory loading labels");
    }
    return EG_OK;
}

int eg__context_new(eg_context **out, eg_error *err)
{
    *out = NULL;
    eg_context *c = eg__calloc(1, sizeof *c);
    if (!c)
        return eg__fail(err, EG_ENOMEM, "out of memory loading labels");
    int rc = parse_table(c, (const char *)eg__data_context_labels_tsv,
                         eg__data_context_labels_tsv_len, err);
    if (rc != EG_OK) {
        eg__context_free(c);
        return rc;
    }
    if (c->nkeys)
        qsort(c->keys, c->nkeys, sizeof *c->keys, cmp_entry);
    *out = c;
    return EG_OK;
}

static void free_entries(entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        eg__free(v[i].word);
    eg__free(v);
}

void eg__context_free(eg_context *c)
{
    if (!c)
        return;
    free_entries(c->labels, c->nlabels);
    free_entries(c->keys, c->nkeys);
    free_entries(c->suffixes, c->nsuffixes);
    eg__free(c);
}

size_t eg__context_label_count(const eg_context *c)
{
    return c->nlabels;
}

const char *eg__context_label_word(const eg_context *c, size_t i)
{
    return c->labels[i].word;
}

uint32_t eg__context_label_kinds(const eg_context *c, size_t i)
{
    return c->labels[i].kinds;
}

uint32_t eg__context_key_kinds(const eg_context *c, const char *key)
{
    char norm[128];
    size_t n = normalize_key(key, norm, sizeof norm);
    if (n == 0)
        return 0;
    entry probe = {norm, 0};
    const entry *hit =
        bsearch(&probe, c->keys, c->nkeys, sizeof *c->keys, cmp_entry);
    if (hit)
        return hit->kinds & ~EG_CTX(NONE);
    for (size_t i = 0; i < c->nsuffixes; i++) {
        size_t sl = strlen(c->suffixes[i].word);
        if (sl <= n && !memcmp(norm + n - sl, c->suffixes[i].word, sl))
            return c->suffixes[i].kinds & ~EG_CTX(NONE);
    }
    return 0;
}
