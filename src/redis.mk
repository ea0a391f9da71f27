# src/redis.mk -- Redis for eTamil handlers (issue 7): the Redis builtins of
# the runtime, the daemon's kept and shared hiredis connections (src/redis.c, also used
# by the `etamil` runner), their tests and benchmark (see Makefile.am).
src_lang_libetamil_a_SOURCES += src/lang/builtins_redis.c
src_libetamild_a_SOURCES += src/redis.c src/redis.h

# The runner offers Redis too (default server 127.0.0.1:6379).
src_etamil_CPPFLAGS += $(HIREDIS_CFLAGS)
src_etamil_LDADD += src/libetamild.a $(LANG_LIBS) $(HIREDIS_LIBS)

check_PROGRAMS += tests/unit/test_redis
TESTS += tests/unit/test_redis
tests_unit_test_redis_SOURCES = tests/unit/test_redis.c tests/unit/lang_util.c tests/unit/lang_util.h
tests_unit_test_redis_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_redis_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)

# Against a real redis-server on a free loopback port (skipped without one):
# the runner on tests/redis/*.qmz, the daemon's handlers, handlers parked
# in Redis commands, a Redis that requires a password, a Redis named by a
# host name whose resolver does not answer, all of it at once (chaos), two
# daemons sharing one Redis (the README's once-per-cluster schedule lock).
TESTS += tests/integration/redis_runner.py tests/integration/redis_daemon.py \
	tests/integration/redis_parked.py tests/integration/redis_auth.py \
	tests/integration/redis_dns.py tests/integration/redis_chaos.py \
	tests/integration/redis_cluster.py
EXTRA_DIST += tests/redis tests/integration/lib_redis.py \
	tests/integration/redis_runner.py tests/integration/redis_daemon.py \
	tests/integration/redis_parked.py tests/integration/redis_auth.py \
	tests/integration/redis_dns.py tests/integration/redis_chaos.py \
	tests/integration/redis_cluster.py
