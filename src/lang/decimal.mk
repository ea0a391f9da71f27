# src/lang/decimal.mk -- build rules for this area (see Makefile.am)
