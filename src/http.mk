# src/http.mk -- build rules for this area (see Makefile.am)
