/*
 * walk.c: turns the command line's paths into the ordered list of inputs.
 *
 * Why it is built this way:
 * - Deterministic: arguments in the order given, directory entries sorted
 *   bytewise (strcmp), depth first.  Two runs over the same tree report
 *   inputs, and so findings, in the same order.
 * - A directory is listed completely, then closed, before its entries are
 *   visited, so at most one directory descriptor is open at a time however
 *   deep the tree (the scan's workers need the descriptors more than we
 *   do).  Paths are built as "dir/name" from the argument as given, so
 *   output names inputs the way the user named them.
 * - Symlinks to directories are not followed (that is what makes cycles
 *   through links impossible); links to regular files are.  The (st_dev,
 *   st_ino) of every directory entered is remembered, which stops bind-mount
 *   loops and keeps a directory reached twice from being scanned twice.
 *   Children are opened O_NOFOLLOW|O_DIRECTORY so a directory swapped for a
 *   link between lstat() and open() is refused, not followed.
 * - Nothing stops the walk but the callback or lack of memory: unreadable
 *   or odd entries are reported through on_skip and the walk goes on.
 */
#include "read/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EG_WALK_MAX_DEPTH 256

typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct walker {
    eg_walk_input_cb on_input;
    eg_walk_skip_cb on_skip;
    void *payload;
    eg_error *err;
    dir_id *seen; /* open-addressing set of directories entered */
    size_t seen_cap, seen_len;
} walker;

static void skip(walker *w, const char *path, int code, const char *reason)
{
    if (w->on_skip)
        w->on_skip(path, code, reason, w->payload);
}

/* Report a failed system call on `path` as a skip. */
static void skip_errno(walker *w, const char *path, int errnum)
{
    switch (errnum) {
    case ENOENT:
    case ENOTDIR:
        skip(w, path, EG_ENOTFOUND, "no such file or directory");
        break;
    case EACCES:
    case EPERM:
        skip(w, path, EG_EPERM, "permission denied");
        break;
    case ELOOP:
        skip(w, path, EG_EUNSUPPORTED, "symlink loop");
        break;
    default:
        skip(w, path, EG_EIO, strerror(errnum));
        break;
    }
}

static void skip_kind(walker *w, const char *path, unsigned mode, int via_link)
{
    char reason[64];
    snprintf(reason, sizeof reason, "%s %s", via_link ? "symlink to" : "is",
             eg__source_file_kind(mode));
    skip(w, path, EG_EUNSUPPORTED, reason);
}

static int emit(walker *w, const char *path)
{
    if (w->on_input(path, w->payload) != 0)
        return eg__fail(w->err, EG_ESTOPPED, "%s: walk stopped by callback",
                        path);
    return EG_OK;
}

/* A regular file: pass it on if we may read it. */
static int emit_file(walker *w, const char *path)
{
    if (faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) != 0 && errno == EACCES) {
        skip(w, path, EG_EPERM, "permission denied");
        return EG_OK;
    }
    return emit(w, path);
}

static size_t dir_hash(dir_id id, size_t mask)
{
    uint64_t h = (uint64_t)id.ino * 0x9e3779b97f4a7c15ull;
    h ^= (uint64_t)id.dev + (h >> 29);
    return (size_t)(h * 0xbf58476d1ce4e5b9ull >> 17) & mask;
}

static int seen_grow(walker *w)
{
    size_t cap = w->seen_cap ? w->seen_cap * 2 : 64;
    dir_id *tab = eg__calloc(cap, sizeof *tab);
    if (!tab)
        return EG_ENOMEM;
    /* ino 0 never names a directory we entered: it marks a free slot. */
    for (size_t i = 0; i < w->seen_cap; i++) {
        if (w->seen[i].ino == 0)
            continue;
        size_t j = dir_hash(w->seen[i], cap - 1);
        while (tab[j].ino != 0)
            j = (j + 1) & (cap - 1);
        tab[j] = w->seen[i];
    }
    eg__free(w->seen);
    w->seen = tab;
    w->seen_cap = cap;
    return EG_OK;
}

/* Add a directory to the set: 1 if it was new, 0 if seen, or EG_ENOMEM. */
static int seen_add(walker *w, dev_t dev, ino_t ino)
{
    if ((w->seen_len + 1) * 2 > w->seen_cap && seen_grow(w) != EG_OK)
        return EG_ENOMEM;
    dir_id id = {dev, ino ? ino : (ino_t)-1};
    size_t mask = w->seen_cap - 1, j = dir_hash(id, mask);
    for (; w->seen[j].ino != 0; j = (j + 1) & mask)
        if (w->seen[j].dev == id.dev && w->seen[j].ino == id.ino)
            return 0;
    w->seen[j] = id;
    w->seen_len++;
    return 1;
}

typedef struct name_list {
    char **names;
    size_t len, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        eg__free(l->names[i]);
    eg__free(l->names);
}

static int names_push(name_list *l, const char *name)
{
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = eg__realloc(l->names, cap * sizeof *p);
        if (!p)
            return EG_ENOMEM;
        l->names = p;
        l->cap = cap;
    }
    if (!(l->names[l->len] = eg__strdup(name)))
        return EG_ENOMEM;
    l->len++;
    return EG_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read all entry names of the open directory `fd` (consumed). */
static int list_dir(walker *w, const char *path, int fd, name_list *out)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        skip_errno(w, path, e);
        return EG_OK;
    }
    int rc = EG_OK;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno != 0)
                skip(w, path, EG_EIO, "error reading the directory");
            break;
        }
        const char *n = de->d_name;
        if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
            continue;
        if ((rc = names_push(out, n)) != EG_OK)
            break;
    }
    closedir(d);
    if (rc == EG_OK && out->len > 1)
        qsort(out->names, out->len, sizeof *out->names, name_cmp);
    return rc;
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dl > 0 && dir[dl - 1] != '/';
    char *p = eg__malloc(dl + (size_t)slash + nl + 1);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    if (slash)
        p[dl] = '/';
    memcpy(p + dl + (size_t)slash, name, nl + 1);
    return p;
}

static int walk_dir(walker *w, const char *path, int depth, int follow);

/* An entry found while walking: lstat() decides, links are looked through
 * once, and only regular files reach on_input. */
static int walk_entry(walker *w, const char *path, int depth)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        skip_errno(w, path, errno);
        return EG_OK;
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, depth + 1, 0);
    if (S_ISREG(st.st_mode))
        return emit_file(w, path);
    if (!S_ISLNK(st.st_mode)) {
        skip_kind(w, path, (unsigned)st.st_mode, 0);
        return EG_OK;
    }
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            skip(w, path, EG_ENOTFOUND, "broken symlink");
        else
            skip_errno(w, path, errno);
        return EG_OK;
    }
    if (S_ISREG(st.st_mode))
        return emit_file(w, path);
    if (S_ISDIR(st.st_mode))
        skip(w, path, EG_EUNSUPPORTED, "symlink to a directory (not followed)");
    else
        skip_kind(w, path, (unsigned)st.st_mode, 1);
    return EG_OK;
}

/* Open a directory, check it against the visited set and list it. */
static int open_and_list(walker *w, const char *path, int follow,
                         name_list *names)
{
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int fd = open(path, follow ? flags : flags | O_NOFOLLOW);
    if (fd < 0) {
        skip_errno(w, path, errno);
        return EG_OK;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        skip_errno(w, path, errno);
        close(fd);
        return EG_OK;
    }
    int fresh = seen_add(w, st.st_dev, st.st_ino);
    if (fresh <= 0) {
        close(fd);
        if (fresh < 0)
            return eg__fail(w->err, EG_ENOMEM, "%s: out of memory", path);
        skip(w, path, EG_EUNSUPPORTED, "directory already visited");
        return EG_OK;
    }
    if (list_dir(w, path, fd, names) != EG_OK)
        return eg__fail(w->err, EG_ENOMEM, "%s: out of memory", path);
    return EG_OK;
}

static int walk_dir(walker *w, const char *path, int depth, int follow)
{
    if (depth > EG_WALK_MAX_DEPTH) {
        skip(w, path, EG_ELIMIT, "directory nesting too deep");
        return EG_OK;
    }
    name_list names = {0};
    int rc = open_and_list(w, path, follow, &names);
    for (size_t i = 0; rc == EG_OK && i < names.len; i++) {
        char *child = join_path(path, names.names[i]);
        if (!child) {
            rc = eg__fail(w->err, EG_ENOMEM, "%s: out of memory", path);
            break;
        }
        rc = walk_entry(w, child, depth);
        eg__free(child);
    }
    names_free(&names);
    return rc;
}

/* A path from the command line: followed if it is a link; special files
 * are passed on for eg__source_open to refuse with its message. */
static int walk_named(walker *w, const char *path)
{
    if (strcmp(path, "-") == 0)
        return emit(w, path);
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        struct stat lst;
        if (e == ENOENT && lstat(path, &lst) == 0)
            skip(w, path, EG_ENOTFOUND, "broken symlink");
        else
            skip_errno(w, path, e);
        return EG_OK;
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, 0, 1);
    if (S_ISREG(st.st_mode))
        return emit_file(w, path);
    return emit(w, path);
}

int eg__walk(const char *const *paths, size_t npaths, eg_walk_input_cb on_input,
             eg_walk_skip_cb on_skip, void *payload, eg_error *err)
{
    if ((!paths && npaths) || !on_input)
        return eg__fail(err, EG_EINVAL, "eg__walk: NULL argument");
    walker w = {on_input, on_skip, payload, err, NULL, 0, 0};
    int rc = EG_OK;
    for (size_t i = 0; rc == EG_OK && i < npaths; i++)
        rc = walk_named(&w, paths[i]);
    eg__free(w.seen);
    return rc;
}
