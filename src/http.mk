# src/http.mk -- build rules for the worker side of the daemon: the worker
# process, connections and HTTP/1.1, the helper-thread pool, the router.
src_libetamild_a_SOURCES += src/worker.c
