# src/http.mk -- build rules for the worker side of the daemon: the worker
# process, connections and HTTP/1.1, the helper-thread pool, the router;
# their unit and integration tests; scripts/bench-http.
src_libetamild_a_SOURCES += src/worker.c src/conn.c src/conn.h src/http.c src/http.h \
	src/pool.c src/pool.h src/router.c src/router.h src/handler.c src/handler.h

# Integration tests: the real daemon on free loopback ports (Python 3,
# lib_daemon.py from tests/integration; .py is set up in src/daemon.mk).
TESTS += tests/integration/http_basic.py tests/integration/http_limits.py \
	tests/integration/http_drain.py tests/integration/http_accesslog.py
EXTRA_DIST += tests/integration/lib_http.py tests/integration/http_basic.py \
	tests/integration/http_limits.py tests/integration/http_drain.py \
	tests/integration/http_accesslog.py

check_PROGRAMS += tests/unit/test_http tests/unit/test_router tests/unit/test_pool
tests_unit_test_http_SOURCES = tests/unit/test_http.c
tests_unit_test_http_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_http_LDADD = $(DAEMON_LIBS) $(CUNIT_LIBS)
tests_unit_test_router_SOURCES = tests/unit/test_router.c
tests_unit_test_router_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_router_LDADD = $(DAEMON_LIBS) $(CUNIT_LIBS)
tests_unit_test_pool_SOURCES = tests/unit/test_pool.c
tests_unit_test_pool_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_pool_LDADD = $(DAEMON_LIBS) $(CUNIT_LIBS)
TESTS += tests/unit/test_http tests/unit/test_router tests/unit/test_pool
