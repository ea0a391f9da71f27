# src/lang/front.mk -- build rules for this area (see Makefile.am)
# The eTamil front end: keywords, lexer, parser, type checker, module loader.
src_lang_libetamil_a_SOURCES += \
	src/lang/ast.h \
	src/lang/keywords.h src/lang/keywords_enum.h \
	src/lang/keywords.c src/lang/keywords_data.c
EXTRA_DIST += src/lang/keywords.tsv
