# src/lang/local.mk -- build rules for the back half of the eTamil runtime
# (values, compiler, VM, builtins) and the `etamil` runner (see Makefile.am).
src_lang_libetamil_a_SOURCES += \
	src/lang/etamil.h \
	src/lang/value.h src/lang/value.c \
	src/lang/compile.h src/lang/compile.c \
	src/lang/vm.c \
	src/lang/builtins.h src/lang/builtins.c \
	src/lang/builtins_core.c

bin_PROGRAMS += src/etamil
src_etamil_SOURCES = src/etamil.c
src_etamil_CPPFLAGS = $(AM_CPPFLAGS) $(UTF8PROC_CFLAGS)
src_etamil_LDADD = $(DAEMON_LIBS)

dist_man_MANS += man/etamil.1

check_PROGRAMS += tests/unit/test_value tests/unit/test_vm tests/unit/test_threads
TESTS += tests/unit/test_value tests/unit/test_vm tests/unit/test_threads
tests_unit_test_value_SOURCES = tests/unit/test_value.c
tests_unit_test_value_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_value_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
tests_unit_test_vm_SOURCES = tests/unit/test_vm.c tests/unit/lang_util.c tests/unit/lang_util.h
tests_unit_test_vm_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_vm_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
tests_unit_test_threads_SOURCES = tests/unit/test_threads.c
tests_unit_test_threads_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_threads_LDADD = $(LANG_LIBS) $(CUNIT_LIBS) $(PTHREAD_CFLAGS)
