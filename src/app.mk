# src/app.mk -- the eTamil application inside the daemon (issue 6): loading
# and serving the program named by `app`, multipart bodies, schedules; their
# unit and integration tests.  (See Makefile.am for the shared variables.)
src_libetamild_a_SOURCES += src/app.c src/app.h src/multipart.c src/multipart.h \
	src/schedule.c src/schedule.h
