# pools: the pre-allocation building blocks (libhotpath_pools.a, headers in include/hotpath/),
# their Check tests (run under the freshly built sentinel in abort mode), sanitizer runs and
# benchmarks. Included by the top Makefile; only appends to its target lists.

POOLS_SRC  := $(wildcard pools/*.c)
POOLS_OBJ  := $(POOLS_SRC:%.c=$(B)/%.o)
POOLS_HDR  := $(wildcard pools/include/hotpath/*.h pools/include/hotpath/*.hpp)
POOLS_LIB  := $(B)/libhotpath_pools.a
POOLS_PC   := $(B)/hotpath-pools.pc
AR         ?= ar

$(B)/pools/%.o: pools/%.c $(POOLS_HDR) | $(DEPS_BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(HP_CFLAGS) $(CFLAGS) -Ipools/include -c $< -o $@

$(POOLS_LIB): $(POOLS_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(POOLS_PC): pools/hotpath-pools.pc.in pools/pools.mk
	@mkdir -p $(B)
	$(PC_SED) $< > $@

# ---- tests ------------------------------------------------------------------------------------
POOLS_T          := $(B)/test/pools
POOLS_TEST_FLAGS := $(WARN) -Wno-psabi -D_GNU_SOURCE -g -O2 -Iapi -Ipools/include -Itest/pools
POOLS_TEST_LINK  := -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B)) $(CHECK_LIBS) -lpthread
POOLS_TEST_NAMES := test_pool test_ring test_spsc test_scratch test_vec test_map test_debug
POOLS_TESTS      := $(POOLS_TEST_NAMES:%=$(POOLS_T)/%) $(POOLS_T)/test_cxx
POOLS_TEST_DEPS  := test/pools/hp_test.h $(POOLS_HDR) api/hotpath.h $(API_LINKS)

# test_debug proves the -DHP_POOLS_DEBUG build switch.
$(POOLS_T)/test_debug: POOLS_TEST_EXTRA := -DHP_POOLS_DEBUG

$(POOLS_T)/%: test/pools/%.c $(POOLS_LIB) $(POOLS_TEST_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(POOLS_TEST_FLAGS) $(POOLS_TEST_EXTRA) $< -o $@ $(POOLS_LIB) $(POOLS_TEST_LINK)

$(POOLS_T)/test_cxx: test/pools/test_cxx.cc $(POOLS_LIB) $(POOLS_TEST_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(POOLS_TEST_FLAGS) $< -o $@ $(POOLS_LIB) $(POOLS_TEST_LINK)

# Each public header compiles alone (C11 and C++17) with its typed macro expanded.
$(POOLS_T)/headers-alone.ok: test/pools/headers_alone.sh $(POOLS_HDR) | $(DEPS_OK)
	@$(SUITE) pools/headers_alone sh test/pools/headers_alone.sh "$(CC)" "$(CXX)" pools/include $(POOLS_T)/alone
	@touch $@

# The pools headers with the sentinel's private header, and with a user's HP_LIKELY/HP_COLD, in one
# translation unit under -Werror (their macros carry the pools' own prefix).
$(POOLS_T)/with-sentinel.ok: test/pools/with_sentinel.c $(POOLS_HDR) $(wildcard preload/*.h api/*.h) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@set -e; for o in 1 2 3; do \
	    $(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iapi -Ipreload -Ipools/include -DORDER=$$o \
	        -c $< -o $(POOLS_T)/with_sentinel_$$o.o; done
	@echo "PASS: pools/with_sentinel"
	@touch $@

# Every test binary runs under the sentinel in its default (abort) mode; HP_REQUIRE_SENTINEL makes
# a binary fail if the preload did not actually load.
check-pools: $(POOLS_T)/headers-alone.ok $(POOLS_T)/with-sentinel.ok $(POOLS_TESTS) $(PRELOAD)
	@for t in $(POOLS_TESTS); do \
	    $(SUITE) pools/$$(basename $$t) env HP_REQUIRE_SENTINEL=1 LD_PRELOAD=$(abspath $(PRELOAD)) $$t || exit 1; \
	done

# ---- sanitizers: SPSC under TSan, the rest under ASan+UBSan, all under valgrind memcheck --------
# Sanitizer builds compile the pool sources into each test (the library is built without them)
# and run without the preload (both sanitizers and the sentinel want to own malloc). They use
# clang when it is installed: GCC 12's -fsanitize=null miscompiles the null check of an
# initial-exec TLS address (tests `je` on flags a `lea` never set) and reports a false "member
# access within null pointer" on hp_scratch_thread().
POOLS_SAN_CC    ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
POOLS_SAN_T     := $(B)/test/pools/san
POOLS_ASAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
POOLS_TSAN      := -fsanitize=thread
POOLS_ASAN_BINS := $(filter-out %/test_spsc,$(POOLS_TEST_NAMES:%=$(POOLS_SAN_T)/asan_%))
POOLS_TSAN_BINS := $(POOLS_SAN_T)/tsan_test_spsc
POOLS_UBSAN_SPSC := $(POOLS_SAN_T)/asan_test_spsc

$(POOLS_SAN_T)/asan_test_debug: POOLS_TEST_EXTRA := -DHP_POOLS_DEBUG
$(POOLS_SAN_T)/asan_%: test/pools/%.c $(POOLS_SRC) $(POOLS_TEST_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(POOLS_SAN_CC) -std=c11 $(POOLS_TEST_FLAGS) $(POOLS_TEST_EXTRA) $(POOLS_ASAN) $< $(POOLS_SRC) -o $@ $(POOLS_TEST_LINK)
$(POOLS_SAN_T)/tsan_%: test/pools/%.c $(POOLS_SRC) $(POOLS_TEST_DEPS) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(POOLS_SAN_CC) -std=c11 $(POOLS_TEST_FLAGS) $(POOLS_TSAN) $< $(POOLS_SRC) -o $@ $(POOLS_TEST_LINK)

# --fair-sched=yes: valgrind runs one thread at a time, and without a fair hand-over the SPSC
# stress's spinning side can keep the lock for whole time slices (7.7 s instead of 1.5 s; a 60 s
# timeout under load).
POOLS_VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
                  --fair-sched=yes --trace-children=no

check-pools-sanitize: $(POOLS_ASAN_BINS) $(POOLS_UBSAN_SPSC) $(POOLS_TSAN_BINS) $(POOLS_TESTS)
	@set -e; for t in $(POOLS_ASAN_BINS) $(POOLS_UBSAN_SPSC); do \
	    echo "[asan+ubsan] $$t"; ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done
	@set -e; for t in $(POOLS_TSAN_BINS); do \
	    echo "[tsan] $$t"; TSAN_OPTIONS=halt_on_error=1:exitcode=66 HP_STRESS_ITEMS=200000 $$t; done
	@set -e; for t in $(POOLS_TESTS); do \
	    echo "[valgrind] $$t"; HP_STRESS_ITEMS=100000 $(POOLS_VALGRIND) $$t; done
	@echo "check-pools-sanitize: ASan+UBSan, TSan and valgrind runs passed"

# ---- benchmarks -------------------------------------------------------------------------------
POOLS_BENCH := $(B)/bench/pools/bench_pools
$(POOLS_BENCH): bench/pools/bench_pools.c $(wildcard bench/pools/*.h) $(POOLS_LIB) $(POOLS_HDR) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -D_GNU_SOURCE -O2 -g -march=native -Iapi -Ipools/include $< -o $@ $(POOLS_LIB) -lpthread

bench-pools: $(POOLS_BENCH)
	$(POOLS_BENCH)

# The cross-thread figures depend on code layout (which side of a ring outruns the other can flip
# with a loop's alignment): the same bench built with three loop alignments.
POOLS_BENCH_LAYOUTS := $(foreach a,16 32 64,$(B)/bench/pools/bench_pools_align$(a))
$(B)/bench/pools/bench_pools_align%: bench/pools/bench_pools.c $(POOLS_LIB) $(POOLS_HDR) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -D_GNU_SOURCE -O2 -g -march=native -falign-loops=$* -falign-jumps=$* \
	    -Iapi -Ipools/include $< -o $@ $(POOLS_LIB) -lpthread

bench-pools-layouts: $(POOLS_BENCH_LAYOUTS)
	@set -e; for b in $(POOLS_BENCH_LAYOUTS); do echo "== $$b"; $$b 21; done

# ---- install ----------------------------------------------------------------------------------
POOLS_PUBLIC_HDR := $(wildcard pools/include/hotpath/*.h pools/include/hotpath/*.hpp)
# The .pc file is made again for the install's PREFIX (the one in $(B) has whatever PREFIX the
# build had), as the core's hotpath.pc is.
install-pools: $(POOLS_LIB) $(POOLS_PC)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/hotpath $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(POOLS_LIB) $(DESTDIR)$(LIBDIR)/libhotpath_pools.a
	install -m 644 $(POOLS_PUBLIC_HDR) $(DESTDIR)$(INCLUDEDIR)/hotpath/
	$(PC_SED) pools/hotpath-pools.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/hotpath-pools.pc

uninstall-pools:
	rm -f $(DESTDIR)$(LIBDIR)/libhotpath_pools.a $(DESTDIR)$(PKGCONFIGDIR)/hotpath-pools.pc \
	      $(addprefix $(DESTDIR)$(INCLUDEDIR)/hotpath/,$(notdir $(POOLS_PUBLIC_HDR)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/hotpath 2>/dev/null

ALL_TARGETS       += $(POOLS_LIB) $(POOLS_PC)
TEST_TARGETS      += $(POOLS_TESTS)
CHECK_TARGETS     += check-pools
BENCH_TARGETS     += bench-pools
INSTALL_TARGETS   += install-pools
UNINSTALL_TARGETS += uninstall-pools
SANITIZE_TARGETS  += check-pools-sanitize

.PHONY: check-pools check-pools-sanitize bench-pools bench-pools-layouts install-pools uninstall-pools
