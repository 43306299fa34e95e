# The reliability suite (issue 5): torture, production allocators chained after the sentinel,
# misuse and bad options, security properties, real programs compared with and without the
# sentinel, libFuzzer harnesses, sanitizer builds. Included by the Makefile.
#
#   make check-reliability        part of `make check` (bounded: about a minute on 2 cores)
#   make check-programs           the longer real-programs comparison (compilers, interpreters, ...)
#   make check-sanitize           ASan+UBSan, TSan and valgrind builds and runs (not in `make check`)
#   make fuzz                     libFuzzer harnesses, FUZZ_SECONDS (60) each
#   make check-reliability-known-bugs   reproducers of sentinel bugs not fixed yet (expected to fail)

R          := $(B)/reliability
RSRC       := test/reliability
R_CFLAGS   := -std=gnu11 $(WARN) -g -O1 -Iapi
R_API_LINK := -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))
R_CHECK    := $(shell pkg-config --cflags --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
R_ABS_PRELOAD := $(abspath $(PRELOAD))
R_HELPERS  := $(RSRC)/rl_run.c $(RSRC)/rl_reports.c $(RSRC)/rl_json.c
R_HELPER_H := $(RSRC)/rl_run.h $(RSRC)/rl_reports.h $(RSRC)/rl_json.h

# ---- programs run under the sentinel -------------------------------------------------------------
$(R)/torture: $(RSRC)/torture.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(R)
	$(CC) $(R_CFLAGS) $(abspath $<) -o $@ $(R_API_LINK) -lpthread -ldl
$(R)/libctor.so: $(RSRC)/libctor.c
	@mkdir -p $(R)
	$(CC) $(R_CFLAGS) -shared -fPIC $(abspath $<) -o $@
$(R)/c_frames_fx.o: $(RSRC)/c_frames.c api/hotpath.h
	@mkdir -p $(R)
	$(CC) $(R_CFLAGS) -fexceptions -DC_FRAMES_NAME=c_frames_fx -c $(abspath $<) -o $@
$(R)/c_frames_nofx.o: $(RSRC)/c_frames.c api/hotpath.h
	@mkdir -p $(R)
	$(CC) $(R_CFLAGS) -fno-exceptions -DC_FRAMES_NAME=c_frames_nofx -c $(abspath $<) -o $@
$(R)/torture_cxx: $(RSRC)/torture_cxx.cc $(R)/c_frames_fx.o $(R)/c_frames_nofx.o api/hotpath.h $(API_LINKS)
	@mkdir -p $(R)
	$(CXX) -std=c++17 $(WARN) -g -O1 -Iapi $(abspath $<) $(R)/c_frames_fx.o $(R)/c_frames_nofx.o -o $@ \
	    $(R_API_LINK) -lpthread

# The same program linked with the sentinel (setuid tests: the loader ignores LD_PRELOAD paths then).
$(R)/torture_linked: $(RSRC)/torture.c api/hotpath.h $(API_LINKS) $(PRELOAD)
	@mkdir -p $(R)
	$(CC) $(R_CFLAGS) $(abspath $<) -o $@ -L$(B) -Wl,--no-as-needed -lhotpath -lhotpath_api \
	    -Wl,-rpath,$(abspath $(B)) -lpthread -ldl

R_PROGRAMS := $(R)/torture $(R)/torture_cxx $(R)/libctor.so $(R)/torture_linked

# ---- the Check suites (they run the programs above; they need no preload themselves) ----------
R_DEFS := -DPRELOAD='"$(R_ABS_PRELOAD)"' -DTORTURE='"$(abspath $(R)/torture)"' \
    -DTORTURE_CXX='"$(abspath $(R)/torture_cxx)"' -DTORTURE_LINKED='"$(abspath $(R)/torture_linked)"' -DLIBCTOR='"$(abspath $(R)/libctor.so)"' \
    -DBUILD_DIR='"$(abspath $(B))"' -DSRC_DIR='"$(abspath $(RSRC))"'

$(R)/test_%: $(RSRC)/test_%.c $(R_HELPERS) $(R_HELPER_H) | $(DEPS_OK)
	@mkdir -p $(R)
	$(CC) $(R_CFLAGS) $(R_DEFS) $(abspath $<) $(abspath $(R_HELPERS)) -o $@ $(R_CHECK)

R_SUITES := $(R)/test_torture $(R)/test_allocators $(R)/test_misuse $(R)/test_security
ALL_TARGETS += $(R_PROGRAMS) $(R_SUITES) $(R)/test_known_bugs

# Production allocators from Debian: installed here when we can (root or sudo), else each test
# that needs one prints a SKIP line with the command.
R_ALLOC_PKGS := libjemalloc2 libtcmalloc-minimal4 libgoogle-perftools4 libmimalloc2.0
reliability-deps:
	@sh $(RSRC)/need.sh $(R_ALLOC_PKGS) || true

check-reliability: $(R_PROGRAMS) $(R_SUITES) $(PRELOAD) reliability-deps
	@set -e; for t in $(R_SUITES); do echo "== $$t"; timeout 300 $$t; done
	@echo "== real programs with and without the sentinel (quick set)"
	@timeout 600 bash $(RSRC)/programs.sh $(PRELOAD) quick

# The whole real-programs comparison (adds CPython's own tests, LuaJIT, a longer Node.js run).
check-programs: $(PRELOAD)
	timeout 1200 bash $(RSRC)/programs.sh $(PRELOAD) full

# Reproducers of sentinel bugs not fixed yet (test/reliability/BUGS.md): expected to fail.
check-reliability-known-bugs: $(R_PROGRAMS) $(R)/test_known_bugs $(PRELOAD) reliability-deps
	timeout 300 $(R)/test_known_bugs

CHECK_TARGETS += check-reliability
.PHONY: check-reliability check-reliability-known-bugs reliability-deps check-programs
