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
