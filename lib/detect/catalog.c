/*
 * catalog.c: the public catalog accessors, generated from catalog.def.
 */
#include "detect/catalog.h"

#include <string.h>

static const struct {
    const char *id;
    eg_category cat;
    int key;
    const char *desc;
} catalog[] = {
#define EG_TYPE(id, cat, key, desc) {#id, cat, key, desc},
#include "detect/catalog.def"
#undef EG_TYPE
};

static const char *const category_ids[EG_CAT_COUNT] = {
    "pi", "sensitive_pi", "org", "confidential", "credential"};

int eg_type_count(void)
{
    return EG_T_COUNT;
}

const char *eg_type_id(int type)
{
    return (type >= 0 && type < EG_T_COUNT) ? catalog[type].id : NULL;
}

int eg_type_from_id(const char *id)
{
    for (int i = 0; i < EG_T_COUNT; i++)
        if (strcmp(catalog[i].id, id) == 0)
            return i;
    return -1;
}

eg_category eg_type_category(int type)
{
    return (type >= 0 && type < EG_T_COUNT) ? catalog[type].cat : EG_CAT_PI;
}

const char *eg_category_id(eg_category cat)
{
    return (cat >= 0 && cat < EG_CAT_COUNT) ? category_ids[cat] : "pi";
}

const char *eg_type_description(int type)
{
    return (type >= 0 && type < EG_T_COUNT) ? catalog[type].desc : NULL;
}

int eg_type_key_strength(int type)
{
    return (type >= 0 && type < EG_T_COUNT) ? catalog[type].key : 0;
}

const char *eg_format_name(eg_format fmt)
{
    static const char *const names[EG_FORMAT_COUNT] = {"auto", "text", "csv",
                                                       "tsv",  "json", "jsonl"};
    return (fmt >= 0 && fmt < EG_FORMAT_COUNT) ? names[fmt] : "auto";
}
