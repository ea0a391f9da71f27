# src/app.mk -- the eTamil application inside the daemon (issue 6): loading
# and serving the program named by `app`, multipart bodies, schedules; their
# unit and integration tests.  (See Makefile.am for the shared variables.)
src_libetamild_a_SOURCES += src/app.c src/app.h src/multipart.c src/multipart.h \
	src/schedule.c src/schedule.h src/serve_compat.c src/serve_compat.h

check_PROGRAMS += tests/unit/test_app
tests_unit_test_app_SOURCES = tests/unit/test_app.c
tests_unit_test_app_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_app_LDADD = $(DAEMON_LIBS) $(CUNIT_LIBS)
TESTS += tests/unit/test_app

# Integration tests: the real daemon on free loopback ports (Python 3).
TESTS += tests/integration/app_requests.py tests/integration/app_failures.py \
	tests/integration/app_load.py tests/integration/app_schedule.py \
	tests/integration/app_example.py tests/integration/app_compat.py
EXTRA_DIST += tests/integration/app_requests.py tests/integration/app_failures.py \
	tests/integration/app_load.py tests/integration/app_schedule.py \
	tests/integration/app_example.py tests/integration/app_compat.py

# Issue 4 with an eTamil handler: SIGTERM while a slow handler runs;
# schedules across a binary upgrade.
TESTS += tests/integration/master_term_slow.py tests/integration/app_schedule_upgrade.py
EXTRA_DIST += tests/integration/master_term_slow.py tests/integration/app_schedule_upgrade.py
