# src/lang/builtins.mk -- the library builtins of the eTamil runtime
# (strings, dates, rounding, files, bytes, environment, server, native
# JSON, EXTENDED stubs) and their CUnit suites (see Makefile.am).
src_lang_libetamil_a_SOURCES += \
	src/lang/builtins_lib.h \
	src/lang/builtins_string.c src/lang/builtins_date.c \
	src/lang/builtins_math.c src/lang/builtins_file.c \
	src/lang/builtins_bytes.c src/lang/builtins_process.c \
	src/lang/builtins_server.c src/lang/builtins_json.c \
	src/lang/builtins_extended.c

check_PROGRAMS += tests/unit/test_builtins tests/unit/test_json
TESTS += tests/unit/test_builtins tests/unit/test_json
tests_unit_test_builtins_SOURCES = tests/unit/test_builtins.c tests/unit/lang_util.c tests/unit/lang_util.h
tests_unit_test_builtins_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_builtins_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
tests_unit_test_json_SOURCES = tests/unit/test_json.c
tests_unit_test_json_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_json_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
