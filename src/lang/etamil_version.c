/* etamil_version.c -- the runtime's version string. */
#include "autoconfig.h"

const char *etm_version(void) { return PACKAGE_VERSION; }
