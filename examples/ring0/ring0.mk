# Ring 0 reference core (issue 6): a zero-allocation event pipeline, its tests, its benchmark and
# its latency plot. Included by the top Makefile; only appends to its target lists.
#   make check-ring0   results vs the allocating reference (Check, under the sentinel, abort mode)
#                      and the audit (the naive operator aborts and is named; count-mode summary)
#   make bench-ring0   >= 10 M events per pipeline under the sentinel in abort mode
#   make ring0-plot    docs/ring0-latency.png with gnuplot (from a fresh bench run)

R0         := $(B)/ring0
R0_SRC     := examples/ring0/ops.c examples/ring0/naive.c examples/ring0/reactor.c examples/ring0/hist.c
R0_HDR     := examples/ring0/ring0.h examples/ring0/gen.h
R0_OBJ     := $(R0_SRC:examples/ring0/%.c=$(R0)/%.o)
R0_BIN     := $(R0)/ring0
R0_TEST    := $(R0)/test_ring0
R0_CFLAGS  := -std=c11 $(WARN) -D_GNU_SOURCE -O2 -g -Iapi -Ipools/include
R0_LINK    := $(POOLS_LIB) -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B)) -lpthread -lm
R0_EVENTS  ?= 12000000
R0_DAT     := $(R0)/latency.dat

$(R0)/%.o: examples/ring0/%.c $(R0_HDR) api/hotpath.h $(POOLS_HDR) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(R0_CFLAGS) -c $(abspath $<) -o $@

$(R0_BIN): $(R0)/main.o $(R0_OBJ) $(POOLS_LIB) $(API_LINKS)
	$(CC) -o $@ $(R0)/main.o $(R0_OBJ) $(R0_LINK)

$(R0_TEST): examples/ring0/test_ring0.c $(R0_OBJ) $(R0_HDR) $(POOLS_LIB) $(API_LINKS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(R0_CFLAGS) $(abspath $<) -o $@ $(R0_OBJ) $(R0_LINK) $(CHECK_LIBS)

check-ring0: $(R0_BIN) $(R0_TEST) $(PRELOAD)
	@$(SUITE) ring0/test_ring0 env HP_REQUIRE_SENTINEL=1 LD_PRELOAD=$(abspath $(PRELOAD)) $(R0_TEST)
	@$(SUITE) ring0/audit sh examples/ring0/test_audit.sh $(R0_BIN) $(abspath $(PRELOAD))

bench-ring0: $(R0_BIN) $(PRELOAD)
	@echo "\$$ LD_PRELOAD=$(PRELOAD) $(R0_BIN) --bench --events $(R0_EVENTS)"
	@RING0_REQUIRE_SENTINEL=1 LD_PRELOAD=$(abspath $(PRELOAD)) $(R0_BIN) --bench --events $(R0_EVENTS) --dat $(R0_DAT)

# gnuplot-nox is installed when missing and we are root; otherwise the command is printed.
ring0-plot: $(R0_BIN) $(PRELOAD)
	@command -v gnuplot >/dev/null 2>&1 || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get install -y -q gnuplot-nox >/dev/null || \
	        { apt-get update -q >/dev/null && apt-get install -y -q gnuplot-nox >/dev/null; }; \
	    else echo "ring0-plot: gnuplot is missing; run: sudo apt-get install gnuplot-nox"; exit 1; fi; }
	RING0_REQUIRE_SENTINEL=1 LD_PRELOAD=$(abspath $(PRELOAD)) $(R0_BIN) --bench --events $(R0_EVENTS) --dat $(R0_DAT)
	gnuplot -e "datafile='$(R0_DAT)'; outfile='docs/ring0-latency.png'" examples/ring0/latency.gp
	@echo "ring0-plot: wrote docs/ring0-latency.png"

TEST_TARGETS  += $(R0_BIN) $(R0_TEST)
CHECK_TARGETS += check-ring0
BENCH_TARGETS += bench-ring0

.PHONY: check-ring0 bench-ring0 ring0-plot

# ---- the static check (issue 16): clang's function effect analysis on the marks -----------------
#   make check-effects   the core and the pools built with clang 22 and -Werror=function-effects,
#                        planted allocations that must fail that build, the sentinel catching what
#                        the analysis cannot see, gcc unchanged (examples/ring0/test_effects.sh)
# make check runs it when clang-22 is installed and prints a SKIP line otherwise.
EFFECTS_CC ?= $(shell command -v clang-22 2>/dev/null)
EFFECTS_GCC ?= $(shell command -v gcc 2>/dev/null)

check-effects: $(B)/hotpath.pc $(API_LINKS) $(PRELOAD)
	@if [ -z "$(EFFECTS_CC)" ]; then \
	    echo "check-effects: needs clang 22 (its function effect analysis); install it with: sudo apt-get install clang-22"; \
	    exit 1; fi
	@$(SUITE) ring0/effects sh examples/ring0/test_effects.sh $(EFFECTS_CC) "$(EFFECTS_GCC)" $(B)/hotpath.pc $(abspath api) $(abspath $(PRELOAD))

check-effects-if-clang:
	@if [ -z "$(EFFECTS_CC)" ]; then echo "SKIP check-effects: clang-22 is not installed (sudo apt-get install clang-22)"; \
	else $(MAKE) --no-print-directory check-effects; fi

CHECK_TARGETS += check-effects-if-clang

.PHONY: check-effects check-effects-if-clang
