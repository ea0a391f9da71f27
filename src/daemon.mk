# src/daemon.mk -- the daemon's master side: command line, master, listening
# sockets, configuration, logs, metrics; their unit and integration tests,
# man pages.  (See Makefile.am for the shared variables.)
EXTRA_DIST += src/etamild.c

src_libetamild_a_SOURCES += src/config.c src/config.h src/log.c src/log.h \
	src/metrics.c src/metrics.h src/listen.c src/listen.h \
	src/master.c src/master.h src/worker.h

check_PROGRAMS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_config_LDADD = $(DAEMON_LIBS) $(CUNIT_LIBS)
TESTS += tests/unit/test_config
