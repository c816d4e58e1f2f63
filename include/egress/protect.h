/* egress/protect.h: a section of egress.h; include egress.h, not this file. */
#ifndef EGRESS_PROTECT_H
#define EGRESS_PROTECT_H
#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
