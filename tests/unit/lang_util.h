/* lang_util.h -- helpers shared by the CUnit suites that run eTamil
 * programs (test_vm, test_builtins, test_redis). */
#ifndef ETM_TEST_LANG_UTIL_H
#define ETM_TEST_LANG_UTIL_H

#include "etamil.h"

/* Load, check and compile SRC (imports beside the working directory).
 * Returns NULL after printing the diagnostics to stderr. */
etm_program *unit_compile(const char *src);

#endif
