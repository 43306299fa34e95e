# The reliability suite (issue 5): torture, production allocators chained after the sentinel,
# misuse and bad options, security properties, real programs compared with and without the
# sentinel, libFuzzer harnesses, sanitizer builds. Included by the Makefile.
#
#   make check-reliability        part of `make check` (bounded: about a minute on 2 cores)
#   make check-programs           the longer real-programs comparison (compilers, interpreters, ...)
#   make check-sanitize           ASan+UBSan, TSan and valgrind builds and runs (not in `make check`)
#   make fuzz                     libFuzzer harnesses, FUZZ_SECONDS (60) each
#   make check-reliability-known-bugs   reproducers of sentinel bugs not fixed yet (none open now)

R          := $(B)/reliability
RSRC       := test/reliability
R_CFLAGS   := -std=gnu11 $(WARN) -g -O1 -Iapi
R_API_LINK := -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))
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
    -DBUILD_DIR='"$(abspath $(B))"' -DSRC_DIR='"$(abspath $(RSRC))"' \
    -DLIBDIR='"/usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)/"'

$(R)/test_%: $(RSRC)/test_%.c $(R_HELPERS) $(R_HELPER_H) | $(DEPS_OK)
	@mkdir -p $(R)
	$(CC) $(R_CFLAGS) $(R_DEFS) $(abspath $<) $(abspath $(R_HELPERS)) -o $@ $(CHECK_LIBS)

R_SUITES := $(R)/test_torture $(R)/test_allocators $(R)/test_misuse $(R)/test_security $(R)/test_options
TEST_TARGETS += $(R_PROGRAMS) $(R_SUITES) $(R)/test_known_bugs

# Production allocators from Debian: installed here when we can (root or sudo), else each test
# that needs one prints a SKIP line with the command.
R_ALLOC_PKGS := libjemalloc2 libtcmalloc-minimal4 libgoogle-perftools4 libmimalloc2.0
reliability-deps:
	@sh $(RSRC)/need.sh $(R_ALLOC_PKGS) || true

check-reliability: $(R_PROGRAMS) $(R_SUITES) $(PRELOAD) reliability-deps
	@set -e; for t in $(R_SUITES); do $(SUITE) reliability/$$(basename $$t) timeout 300 $$t; done
	@$(SUITE) "real programs with and without the sentinel (quick set)" timeout 600 bash $(RSRC)/programs.sh $(PRELOAD) quick

# The README's options table against help=1 (both from preload/options.def).
check-options: $(PRELOAD)
	@$(SUITE) options_readme /usr/bin/python3 test/options_readme.py $(abspath $(PRELOAD)) README.md

# The whole real-programs comparison (adds CPython's own tests, LuaJIT, a longer Node.js run).
check-programs: $(PRELOAD)
	timeout 1200 bash $(RSRC)/programs.sh $(PRELOAD) full

# Reproducers of sentinel bugs not fixed yet (test/reliability/BUGS.md): expected to fail.
check-reliability-known-bugs: $(R_PROGRAMS) $(R)/test_known_bugs $(PRELOAD) reliability-deps
	timeout 300 $(R)/test_known_bugs

# Bug 6's reproducer (fixed): the formatter's hex writer under ASan+UBSan, in check-sanitize.
$(R)/repro_buf_hex: $(RSRC)/repro_buf_hex.c preload/buf.c preload/sentinel.h
	@mkdir -p $(R)
	$(CC) -std=c11 -g -O0 -fsanitize=address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -Iapi -Ipreload \
	    $(abspath $<) $(abspath preload/buf.c) -o $@

# ---- sanitizers: make check-sanitize ---------------------------------------------------------------
# 1. The sentinel itself built with UBSan (every preload/*.c, as the Makefile builds them, plus
#    -fsanitize=undefined), then the torture and misuse suites re-run against that build.
# 2. The fuzz harnesses' corpora replayed under ASan+UBSan (the options parser, the formatter).
# 3. valgrind memcheck of torture scenarios under the (normal) sentinel.
# 4. Whatever the other parts add to SANITIZE_TARGETS (the pools' ASan/UBSan/TSan builds).
RS := $(R)/san
R_SAN_OBJ := $(patsubst preload/%.c,$(RS)/%.o,$(wildcard preload/*.c))
$(RS)/%.o: preload/%.c $(wildcard preload/*.h preload/*.def) api/hotpath.h | $(DEPS_OK)
	@mkdir -p $(RS)
	$(CC) -std=c11 $(WARN) -D_GNU_SOURCE -fPIC -fvisibility=hidden -O1 -g -fsanitize=undefined \
	    -fno-sanitize-recover=all -ftls-model=initial-exec -fno-builtin-malloc -Iapi -Ipreload -c $(abspath $<) -o $@
$(RS)/libhotpath.so: $(R_SAN_OBJ) $(API_LINKS)
	$(CC) -shared -fsanitize=undefined -Wl,-soname,libhotpath.so -Wl,-z,nodelete -o $@ $(R_SAN_OBJ) \
	    -L$(B) -lhotpath_api $(PRELOAD_LIBS) -ldl -lpthread -Wl,-rpath,$(abspath $(B))
R_SAN_DEFS = $(subst $(R_ABS_PRELOAD),$(abspath $(RS)/libhotpath.so),$(R_DEFS))
$(RS)/test_%: $(RSRC)/test_%.c $(R_HELPERS) $(R_HELPER_H) | $(DEPS_OK)
	@mkdir -p $(RS)
	$(CC) $(R_CFLAGS) $(R_SAN_DEFS) $(abspath $<) $(abspath $(R_HELPERS)) -o $@ $(CHECK_LIBS)

check-sanitize-sentinel: $(RS)/libhotpath.so $(RS)/test_torture $(RS)/test_misuse $(R_PROGRAMS)
	@echo "== the torture and misuse suites against the sentinel built with UBSan"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 timeout 600 $(RS)/test_torture
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 timeout 600 $(RS)/test_misuse

check-sanitize-valgrind: $(R)/torture $(PRELOAD)
	@echo "== valgrind memcheck of torture scenarios under the sentinel"
	timeout 1200 bash $(RSRC)/valgrind.sh $(PRELOAD) $(R)/torture

# ---- fuzzing: make fuzz (FUZZ_SECONDS each), corpora replayed by check-sanitize --------------------
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= $(firstword $(shell command -v clang clang-14 2>/dev/null) clang)
RF := $(R)/fuzz
FUZZ_FLAGS := -std=c11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Iapi -Ipreload -I$(RSRC)
$(RF)/fuzz_options: $(RSRC)/fuzz/fuzz_options.c preload/options.c preload/options.def preload/buf.c preload/sentinel.h
	@mkdir -p $(RF)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(abspath $<) $(abspath preload/options.c) $(abspath preload/buf.c) -o $@
$(RF)/fuzz_buf: $(RSRC)/fuzz/fuzz_buf.c preload/buf.c $(RSRC)/rl_json.c preload/sentinel.h
	@mkdir -p $(RF)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(abspath $<) $(abspath preload/buf.c) $(abspath $(RSRC)/rl_json.c) -o $@
R_FUZZERS := $(RF)/fuzz_options $(RF)/fuzz_buf

# Each harness runs FUZZ_SECONDS from the checked-in corpus (new inputs go to $(RF)/corpus_*, a
# crash to $(RF)/crash-*); the last line of each run states the executions.
fuzz: $(R_FUZZERS)
	@set -e; for h in options buf; do \
	    mkdir -p $(RF)/corpus_$$h; echo "== fuzz_$$h for $(FUZZ_SECONDS) s"; \
	    timeout $$(( $(FUZZ_SECONDS) + 60 )) $(RF)/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -max_len=9000 \
	        -close_fd_mask=2 -artifact_prefix=$(RF)/ -print_final_stats=1 $(RF)/corpus_$$h $(RSRC)/fuzz/corpus_$$h \
	        2>&1 | grep -E '^(Done|stat::number_of_executed_units|==|SUMMARY|.*ERROR)' ; \
	done

check-sanitize-fuzz-corpus: $(R_FUZZERS) $(R)/repro_buf_hex
	@echo "== fuzz corpora replayed under ASan+UBSan"
	$(R)/repro_buf_hex
	$(RF)/fuzz_options -close_fd_mask=2 -runs=0 $(RSRC)/fuzz/corpus_options
	$(RF)/fuzz_buf -runs=0 $(RSRC)/fuzz/corpus_buf
	@mkdir -p $(RF)/corpus_options $(RF)/corpus_buf
	$(RF)/fuzz_options -close_fd_mask=2 -max_total_time=5 -max_len=9000 -artifact_prefix=$(RF)/ \
	    $(RF)/corpus_options $(RSRC)/fuzz/corpus_options
	$(RF)/fuzz_buf -max_total_time=5 -max_len=4096 -artifact_prefix=$(RF)/ $(RF)/corpus_buf $(RSRC)/fuzz/corpus_buf

SANITIZE_TARGETS ?=
check-sanitize: check-sanitize-sentinel check-sanitize-fuzz-corpus check-sanitize-valgrind $(SANITIZE_TARGETS)
	@echo "make check-sanitize: all sanitizer runs passed"

CHECK_TARGETS += check-reliability check-options
.PHONY: check-reliability check-options check-reliability-known-bugs reliability-deps check-programs check-sanitize \
    check-sanitize-sentinel check-sanitize-valgrind check-sanitize-fuzz-corpus fuzz
