# src/http.mk -- build rules for the worker side of the daemon: the worker
# process, connections and HTTP/1.1, the helper-thread pool, the router;
# their unit and integration tests; scripts/bench-http.
src_libetamild_a_SOURCES += src/worker.c src/conn.c src/conn.h src/http.c src/http.h \
	src/pool.c src/pool.h src/router.c src/router.h src/handler.c src/handler.h

# Integration tests: the real daemon on free loopback ports (Python 3,
# lib_daemon.py from tests/integration; .py is set up in src/daemon.mk).
TESTS += tests/integration/http_basic.py tests/integration/http_limits.py \
	tests/integration/http_drain.py
EXTRA_DIST += tests/integration/lib_http.py tests/integration/http_basic.py \
	tests/integration/http_limits.py tests/integration/http_drain.py
