# src/lang/front.mk -- build rules for this area (see Makefile.am)
# The eTamil front end: keywords, lexer, parser, type checker, module loader.
src_lang_libetamil_a_SOURCES += \
	src/lang/ast.h src/lang/arena.h src/lang/arena.c src/lang/diag.c \
	src/lang/keywords.h src/lang/keywords_enum.h \
	src/lang/keywords.c src/lang/keywords_data.c \
	src/lang/lexer.h src/lang/lexer.c \
	src/lang/parser.h src/lang/parser.c \
	src/lang/check.h src/lang/check.c \
	src/lang/module.h src/lang/module.c
EXTRA_DIST += src/lang/keywords.tsv

check_PROGRAMS += tests/unit/test_lexer tests/unit/test_parser tests/unit/test_check \
	tests/unit/test_module
TESTS += tests/unit/test_lexer tests/unit/test_parser tests/unit/test_check \
	tests/unit/test_module
tests_unit_test_lexer_SOURCES = tests/unit/test_lexer.c
tests_unit_test_lexer_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_lexer_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
tests_unit_test_parser_SOURCES = tests/unit/test_parser.c
tests_unit_test_parser_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_parser_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
tests_unit_test_check_SOURCES = tests/unit/test_check.c
tests_unit_test_check_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_check_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
tests_unit_test_module_SOURCES = tests/unit/test_module.c
tests_unit_test_module_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_module_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
