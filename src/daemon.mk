# src/daemon.mk -- the daemon's master side: command line, master, listening
# sockets, configuration, logs, metrics; their unit and integration tests,
# man pages.  (See Makefile.am for the shared variables.)
sbin_PROGRAMS += src/etamild
src_etamild_SOURCES = src/etamild.c
src_etamild_LDADD = $(DAEMON_LIBS)

src_libetamild_a_SOURCES += src/config.c src/config.h src/log.c src/log.h \
	src/metrics.c src/metrics.h src/listen.c src/listen.h \
	src/master.c src/master.h src/worker.h

check_PROGRAMS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_config_LDADD = $(DAEMON_LIBS) $(CUNIT_LIBS)
TESTS += tests/unit/test_config

check_PROGRAMS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c
tests_unit_test_metrics_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_metrics_LDADD = $(DAEMON_LIBS) $(CUNIT_LIBS)
TESTS += tests/unit/test_metrics

# Integration tests: the real daemon on free loopback ports (Python 3).
TEST_EXTENSIONS += .py
PY_LOG_COMPILER = python3
TESTS += tests/integration/master_cli.py tests/integration/master_process.py \
	tests/integration/master_reload.py tests/integration/master_upgrade.py \
	tests/integration/master_systemd.py
EXTRA_DIST += tests/integration/lib_daemon.py tests/integration/master_cli.py \
	tests/integration/master_process.py tests/integration/master_reload.py \
	tests/integration/master_upgrade.py tests/integration/master_systemd.py

dist_man_MANS += man/etamild.8 man/etamild.conf.5
