# src/local.mk -- build rules for this area (see Makefile.am)
