# Your own blocking functions and allocators (hotpath_blocking, hotpath_allocation), and the
# interception list measured against RealtimeSanitizer. Included from the Makefile after test.mk.
$(T)/probe_reach: test/probe_reach.c test/probe_reach_disabled.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) test/probe_reach.c test/probe_reach_disabled.c -o $@ $(TEST_LINK) -ldl

$(T)/probe_own_allocator: test/probe_own_allocator.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) $< -o $@ $(TEST_LINK)

$(T)/test_reach: test/test_reach.c $(RUN_PROBE) | $(DEPS_OK)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -Itest/reliability $(PROBE_DEFS) -DPROBE_REACH='"$(abspath $(T)/probe_reach)"' \
	    -DPROBE_OWN_ALLOCATOR='"$(abspath $(T)/probe_own_allocator)"' \
	    test/test_reach.c $(RUN_PROBE_SRC) -o $@ $(CHECK_LIBS)

REACH_TESTS := $(T)/test_reach $(T)/probe_reach $(T)/probe_own_allocator
TEST_TARGETS += $(REACH_TESTS)

check-reach: $(REACH_TESTS) $(PRELOAD)
	@$(SUITE) test_reach env LD_PRELOAD=$(ABS_PRELOAD) $(T)/test_reach

CHECK_TARGETS += check-reach
.PHONY: check-reach

# The interception list as "NAME CATEGORY" lines, for compare-rtsan.
$(T)/intercept_names: test/intercept_names.c test/intercept_list.h preload/intercept.def
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) $< -o $@
TEST_TARGETS += $(T)/intercept_names

# Side by side with RealtimeSanitizer: needs clang-22 and libclang-rt-22-dev, installs nothing.
compare-rtsan: $(PRELOAD) $(T)/probe_blocking $(T)/intercept_names
	scripts/compare-rtsan.sh $(B)
.PHONY: compare-rtsan
