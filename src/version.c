/* version.c -- the daemon's version string, as sent in the Server header. */
#include "autoconfig.h"

const char *etd_version(void) { return PACKAGE_VERSION; }
