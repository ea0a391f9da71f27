# tests/lang/local.mk -- build rules for this area (see Makefile.am)
# The conformance suite (tests/lang/README) is wired into TESTS once the
# runner src/etamil exists.
EXTRA_DIST += tests/lang
