/*
 * eg_alloc.c: the library's allocator.  A thin wrapper over malloc whose one
 * purpose is the torture mode: tests make allocation N fail for every N and
 * check that each entry point returns EG_ENOMEM without leaking or leaving a
 * half-written output (SQLite's and curl's method).  The counter is atomic
 * because scans allocate from worker threads.
 */
#include "common/eg_common.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic uint64_t alloc_count;
static _Atomic uint64_t fail_at;
static atomic_bool fail_persistent;

void eg__alloc_fail_at(uint64_t n, bool persistent)
{
    atomic_store(&alloc_count, 0);
    atomic_store(&fail_persistent, persistent);
    atomic_store(&fail_at, n);
}

uint64_t eg__alloc_count(void)
{
    return atomic_load(&alloc_count);
}

static bool should_fail(void)
{
    uint64_t target = atomic_load_explicit(&fail_at, memory_order_relaxed);
    if (EG_LIKELY(target == 0))
        return false;
    uint64_t n = atomic_fetch_add(&alloc_count, 1) + 1;
    return n == target || (n > target && atomic_load(&fail_persistent));
}

void *eg__malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *eg__calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *eg__realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void eg__free(void *p)
{
    free(p);
}

char *eg__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = eg__malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
