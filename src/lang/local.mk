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
src_etamil_LDADD = $(LANG_LIBS)

dist_man_MANS += man/etamil.1
