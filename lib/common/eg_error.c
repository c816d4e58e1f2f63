/*
 * eg_error.c: error codes and messages.  The code list lives in egress.h as
 * an X-macro so that the enum, the names and the descriptions cannot drift.
 */
#include "common/eg_common.h"

#include <stdio.h>
#include <string.h>

const char *eg_error_name(int code)
{
    switch (code) {
#define EG_ERROR_NAME_(name, value, text)                                      \
    case value:                                                                \
        return #name;
        EG_ERROR_LIST(EG_ERROR_NAME_)
#undef EG_ERROR_NAME_
    default:
        return "EG_EUNKNOWN";
    }
}

const char *eg_strerror(int code)
{
    switch (code) {
#define EG_ERROR_TEXT_(name, value, text)                                      \
    case value:                                                                \
        return text;
        EG_ERROR_LIST(EG_ERROR_TEXT_)
#undef EG_ERROR_TEXT_
    default:
        return "unknown error";
    }
}

int eg__fail(eg_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void eg__error_clear(eg_error *err)
{
    if (err) {
        err->code = EG_OK;
        err->message[0] = '\0';
    }
}
