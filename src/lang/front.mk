# src/lang/front.mk -- build rules for this area (see Makefile.am)
