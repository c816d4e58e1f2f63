/*
 * fuzz_check.c: every identifier validator on arbitrary bytes.  The
 * validators run on each candidate the matcher finds, so they must never
 * read out of bounds or hit undefined behaviour whatever the bytes; and a
 * value they accept must satisfy the invariants checked below.
 * Functions taking a fixed-size value get it only when the input is long
 * enough.
 */
#include "detect/check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AS_OF 20240615

static void check_fixed_size(const char *s, size_t n)
{
    if (n >= 6)
        (void)eg__region_class(s);
    if (n >= 8)
        (void)eg__check_moid(s);
    if (n >= 10)
        (void)eg__check_twid(s);
    if (n >= 11)
        (void)eg__mobile_segment_ok(s);
    if (n >= 17)
        (void)eg__rid_check_char(s);
    if (n >= 17)
        (void)eg__uscc_check_char(s);
    if (n >= 18) {
        int org;
        if (eg__check_uscc(s, &org) && eg__uscc_check_char(s) != s[17])
            abort();
    }
}

static void check_sized(const char *s, size_t n)
{
    uint32_t birth = 0;
    eg_rid_result r = eg__check_resident_id(s, n, AS_OF, &birth);
    if (r != EG_RID_INVALID && (birth > AS_OF || birth < 18500101 ||
                                (n == 18 && eg__rid_check_char(s) != s[17])))
        abort();
    (void)eg__check_hkid(s, n);
    (void)eg__luhn(s, n);
    (void)eg__card_issuer(s, n);
    int len = eg__area_code_len(s, n);
    if (len != 0 && len != 3 && len != 4)
        abort();
    const char *name = eg__area_code_name(s, n);
    if (name && len == 0)
        abort();
    int sl = eg__surname_len((const unsigned char *)s, n);
    if (sl != 0 && sl != 3 && sl != 6)
        abort();
    if (eg__surname_is_common((const unsigned char *)s, n) && sl != 3)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready)
        ready = eg__check_init(NULL) == EG_OK;
    /* an exact-size heap copy so that ASan sees any overread */
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    check_fixed_size(s, size);
    check_sized(s, size);
    free(s);
    return 0;
}
