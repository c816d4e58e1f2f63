/* The public header must compile alone under strict C11. */
#include "egress.h"
int eg_headertest_dummy;
