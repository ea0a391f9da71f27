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
