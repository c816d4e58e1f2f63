/*
 * fuzz_rules.c: libFuzzer harness for the rules file parser
 * (eg_rules_load_buffer) and, for every rule set it accepts, evaluation
 * and both report formats over a few fixed questions, exact and
 * estimated.  A rules file comes from the user: it may be malformed,
 * deeply nested or full of YAML aliases, and must only ever give
 * EG_EFORMAT.
 */
#include "egress.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(const void *d, size_t n, void *payload)
{
    (void)d;
    *(size_t *)payload += n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eg_rules *r = NULL;
    eg_error err;
    if (eg_rules_load_buffer(&r, "fuzz", data, size, &err) != EG_OK)
        return 0;
    static const char *const scenarios[] = {"outbound", "listing"};
    static const uint64_t pis[] = {0, 99999, 1000000, 12000000};
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 4; i++) {
            eg_counts c;
            memset(&c, 0, sizeof c);
            c.exact = i != 2;
            c.individuals = pis[i];
            c.individuals_error = i == 2 ? 5000 : 0;
            c.sensitive_individuals = pis[i] / 10;
            c.type_count = eg_type_count();
            eg_assess_input in = EG_ASSESS_INPUT_INIT;
            in.scenario = scenarios[s];
            in.venue = s ? "foreign" : NULL;
            in.as_of_ymd = 20250601;
            in.counts = &c;
            eg_assessment *a = NULL;
            if (eg_assess(r, &in, &a, &err) == EG_OK) {
                size_t n = 0;
                eg_assessment_write(a, EG_REPORT_JSON, "zh", sink, &n, &err);
                eg_assessment_write(a, EG_REPORT_TEXT, "en", sink, &n, &err);
            }
            eg_assessment_free(a);
        }
    }
    eg_rules_free(r);
    return 0;
}
