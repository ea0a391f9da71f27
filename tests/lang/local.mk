# tests/lang/local.mk -- build rules for this area (see Makefile.am)
# The eTamil conformance suite (tests/lang/README): run-tests runs the
# runner $(top_builddir)/src/etamil (top_builddir is exported by
# AM_TESTS_ENVIRONMENT) on every tests/lang/*.qmz; the tests listed in
# tests/lang/KNOWN-FAILING are reported but do not fail the run.
TESTS += tests/lang/run-tests
EXTRA_DIST += tests/lang
