# src/lang/decimal.mk -- build rules for this area (see Makefile.am)
# The exact decimal number type (decimal.h), its CUnit suite, and the
# randomized cross-check against a Python model (scripts/decimal-crosscheck
# driving tests/unit/dec_calc).
src_lang_libetamil_a_SOURCES += src/lang/decimal.c src/lang/decimal.h

check_PROGRAMS += tests/unit/test_decimal tests/unit/dec_calc
TESTS += tests/unit/test_decimal tests/unit/decimal-crosscheck.sh
tests_unit_test_decimal_SOURCES = tests/unit/test_decimal.c
tests_unit_test_decimal_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_decimal_LDADD = $(LANG_LIBS) $(CUNIT_LIBS)
tests_unit_dec_calc_SOURCES = tests/unit/dec_calc.c
tests_unit_dec_calc_LDADD = $(LANG_LIBS)
EXTRA_DIST += tests/unit/decimal-crosscheck.sh
