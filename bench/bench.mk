# make bench: speed figures as ratios against baselines measured in the same run.
# The newest installed RealtimeSanitizer runtime (LLVM 22 on Debian: libclang-rt-22-dev).
RTSAN_FIND := ls -v /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.rtsan-x86_64.a 2>/dev/null | tail -1
RTSAN_A := $(shell $(RTSAN_FIND))

BENCH_SRC := bench/bench_sentinel.c bench/plain.c

$(B)/bench/instrumented.o: bench/instrumented.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -finstrument-functions -c $< -o $@

# Linked as `pkg-config --libs hotpath` links: the instrumentation hooks come from the archive.
$(B)/bench/bench_sentinel: $(BENCH_SRC) $(B)/bench/instrumented.o api/hotpath.h $(API_LINKS) $(INSTRUMENT_A)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -g -Iapi $(BENCH_SRC) $(B)/bench/instrumented.o -o $@ -L$(B) -lhotpath_instrument -lhotpath_api \
	    -Wl,-rpath,$(abspath $(B)) -ldl -lpthread

# The same benchmark linked with RealtimeSanitizer's runtime, for the side-by-side figure.
$(B)/bench/bench_rtsan: $(BENCH_SRC) $(B)/bench/instrumented.o api/hotpath.h $(API_LINKS) $(INSTRUMENT_A)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -g -DWITH_RTSAN -Iapi $(BENCH_SRC) $(B)/bench/instrumented.o -o $@ -L$(B) -lhotpath_instrument -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B)) \
	    -Wl,--whole-archive $(RTSAN_A) -Wl,--no-whole-archive -ldl -lpthread -lrt -lm -lstdc++

# RealtimeSanitizer's runtime comes from Debian's libclang-rt-22-dev: installed here when we can.
bench-rtsan-runtime:
	@[ -n "$(RTSAN_A)" ] || sh test/reliability/need.sh libclang-rt-22-dev || true

bench-sentinel: $(B)/bench/bench_sentinel $(PRELOAD) bench-rtsan-runtime
	@a=$$($(RTSAN_FIND)); \
	    [ -z "$$a" ] || $(MAKE) --no-print-directory RTSAN_A=$$a $(B)/bench/bench_rtsan >/dev/null
	RTSAN_RUNTIME="$$($(RTSAN_FIND))" bench/sentinel.sh $(B)

BENCH_TARGETS += bench-sentinel
.PHONY: bench-sentinel bench-rtsan-runtime

# What a full report costs, symbolized (inline chains, demangled names) against symbolize=0, in
# steady state, in instructions (callgrind): bench/report_cost.sh.
$(B)/bench/report_cost: bench/report_cost.cc api/hotpath.h $(API_LINKS)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -g -Iapi $< -o $@ -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))

bench-report: $(B)/bench/report_cost $(PRELOAD)
	bench/report_cost.sh $(B)

BENCH_TARGETS += bench-report
.PHONY: bench-report

# hotpath-check's peak memory and time per MB at 10 and 100 MB of generated logs (bench/gate.py).
bench-gate: $(B)/bin/hotpath-check
	python3 bench/gate.py $(B)/bin/hotpath-check $(B)/bench/gate

BENCH_TARGETS += bench-gate
.PHONY: bench-gate
-include bench/hosts.mk
