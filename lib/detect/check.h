/*
 * check.h: validators for identifier formats (the "validate" stage).  Pure
 * functions over already-normalized ASCII: digits 0-9, uppercase letters.
 * The matcher finds candidates and normalizes them (removes separators,
 * turns full-width digits into ASCII, uppercases); these functions decide.
 * Reference tables (GB/T 2260 regions, mobile segments, card issuers) are
 * data files under data/, embedded at build time and parsed once.
 *
 * Thread-safety: all functions are safe to call from any thread after
 * eg__check_init() has returned EG_OK (it is idempotent and thread-safe).
 */
#ifndef EG_CHECK_H
#define EG_CHECK_H

#include "common/eg_common.h"

/** Parse the embedded reference tables.  Idempotent, thread-safe. */
int eg__check_init(eg_error *err);

/* ---- GB/T 2260 region codes ---- */
typedef enum eg_region_class {
    EG_REGION_INVALID = 0,   /**< province part unknown, or 000000 */
    EG_REGION_COUNTY,        /**< a county-level code seen in a table */
    EG_REGION_PREFECTURE,    /**< a province/prefecture-level code (xx0000,
                                xxxx00): suspect */
    EG_REGION_SPECIAL,       /**< 810000 / 820000 / 830000 residence permits */
    EG_REGION_UNKNOWN_COUNTY /**< valid province and prefecture digits, county
                                  code in no published table */
} eg_region_class;

/** Classify the first six digits of `d` (ASCII digits). */
eg_region_class eg__region_class(const char *d);

/* ---- resident identity card (GB 11643) ---- */
typedef enum eg_rid_result {
    EG_RID_INVALID = 0,
    EG_RID_VALID,            /**< region known, date real, check correct */
    EG_RID_VALID_WEAK_REGION /**< check and date fine, region unknown county
                                  or prefecture-level: report at lower
                                  confidence */
} eg_rid_result;

/** Validate an 18-character ID ("11010519491231002X", check in '0'-'9' or
 *  'X') or a legacy 15-digit one.  The birth date must be a real date, not
 *  after `as_of_ymd` (YYYYMMDD), and not before 1850.  On success
 *  *birth_ymd (may be NULL) gets the birth date as YYYYMMDD. */
eg_rid_result eg__check_resident_id(const char *s, size_t n, int as_of_ymd,
                                    uint32_t *birth_ymd);

/** The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of 17 digits. */
char eg__rid_check_char(const char *d17);

/* ---- Unified Social Credit Code (GB 32100) ---- */
/** 1 if the 18 characters (alphabet 0-9 A-H J-N P-R T U W-Y, uppercase)
 *  carry a correct check character, else 0.  *orgcode_ok (may be NULL) is
 *  set to whether positions 9-17 also pass the GB 11714 check. */
int eg__check_uscc(const char *s18, int *orgcode_ok);
/** The check character of 17 USCC characters, or 0 for a bad alphabet. */
char eg__uscc_check_char(const char *s17);

/* ---- Hong Kong, Taiwan, Macao ---- */
/** `s` is 1 or 2 uppercase letters, 6 digits and the check ('0'-'9'/'A'),
 *  without brackets: "A1234563", "XY9876548".  1 if valid. */
int eg__check_hkid(const char *s, size_t n);
/** `s` is 10 characters "A123456789" (letter, [12 89 A-D], 8 digits).
 *  1 if the check digit is correct. */
int eg__check_twid(const char *s10);
/** Macao: 8 digits "12345678" (first in 1,5,7).  Format only: 1 or 0. */
int eg__check_moid(const char *s8);

/* ---- cards and devices ---- */
/** 1 if the ASCII digits pass the Luhn check. */
int eg__luhn(const char *d, size_t n);

typedef enum eg_issuer {
    EG_ISSUER_NONE = 0,
    EG_ISSUER_UNIONPAY,
    EG_ISSUER_VISA,
    EG_ISSUER_MASTERCARD,
    EG_ISSUER_AMEX,
    EG_ISSUER_JCB,
    EG_ISSUER_DISCOVER,
    EG_ISSUER_DINERS,
    EG_ISSUER_OTHER_DOMESTIC /**< legacy domestic BINs ("9...") */
} eg_issuer;

/** The issuer whose prefix and length fit the card digits, or NONE. */
eg_issuer eg__card_issuer(const char *d, size_t n);

/* ---- phones ---- */
/** 1 if the 11 digits start with an allocated mainland mobile segment. */
int eg__mobile_segment_ok(const char *d11);
/** Mainland area codes: for digits starting with '0', the length of the
 *  area code (3 or 4, counting the 0) if the prefix is an allocated area
 *  code, else 0. */
int eg__area_code_len(const char *d, size_t n);
/** The city (UTF-8, NUL-terminated, static) of the area code at the start
 *  of `d` when data/area-codes.tsv lists it, else NULL: a named code is a
 *  surer landline than one eg__area_code_len() only finds plausible. */
const char *eg__area_code_name(const char *d, size_t n);

/* ---- names ---- */
/** Byte length of the Chinese surname at the start of the UTF-8 text `s`
 *  (6 for a compound surname such as 欧阳, preferred over its first
 *  character; 3 for a single one such as 王), or 0. */
int eg__surname_len(const unsigned char *s, size_t n);
/** 1 if the surname at the start of `s` is one of the ~100 most frequent
 *  (Simplified or Traditional form), for raising confidence; else 0. */
int eg__surname_is_common(const unsigned char *s, size_t n);

#endif
