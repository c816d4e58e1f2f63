/*
 * catalog.h: the type enum generated from catalog.def.
 */
#ifndef EG_CATALOG_H
#define EG_CATALOG_H

#include "common/eg_common.h"

typedef enum eg_type {
#define EG_TYPE(id, cat, key, desc) EG_T_##id,
#include "detect/catalog.def"
#undef EG_TYPE
    EG_T_COUNT
} eg_type;

#endif
