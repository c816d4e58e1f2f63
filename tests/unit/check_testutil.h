/*
 * check_testutil.h: helpers shared by the test_check_*.c files.  The
 * validators take values already normalized by the matcher; test vectors
 * are written as people write them ("A123456(3)", "91 110000 ...",
 * full-width digits, lowercase), so norm() plays the matcher's part:
 * drops separators and brackets, folds full-width digits and lowercase.
 */
#ifndef CHECK_TESTUTIL_H
#define CHECK_TESTUTIL_H

#include "detect/check.h"

#include <stdio.h>
#include <string.h>

/* A fixed "today" so the tests do not depend on the clock. */
#define AS_OF 20240615

/* The normalized form, in a static buffer (overwritten by the next call). */
static inline const char *norm(const char *in)
{
    static char norm_buf[128];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            norm_buf[n++] = (char)('0' + (p[2] - 0x90)); /* U+FF10..FF19 */
            p += 2;
        } else if (*p == ' ' || *p == '-' || *p == '(' || *p == ')') {
            continue;
        } else {
            norm_buf[n++] =
                (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : (char)*p;
        }
        if (n + 1 >= sizeof norm_buf)
            break;
    }
    norm_buf[n] = '\0';
    return norm_buf;
}

#endif
