# Your own blocking functions and allocators (hotpath_blocking, hotpath_allocation), and the
# interception list measured against RealtimeSanitizer. Included from the Makefile after test.mk.
$(T)/probe_reach: test/probe_reach.c test/probe_reach_disabled.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) test/probe_reach.c test/probe_reach_disabled.c -o $@ $(TEST_LINK) -ldl

$(T)/test_reach: test/test_reach.c $(RUN_PROBE) | $(DEPS_OK)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -Itest/reliability $(PROBE_DEFS) -DPROBE_REACH='"$(abspath $(T)/probe_reach)"' \
	    test/test_reach.c $(RUN_PROBE_SRC) -o $@ $(CHECK_LIBS)

REACH_TESTS := $(T)/test_reach $(T)/probe_reach
TEST_TARGETS += $(REACH_TESTS)

check-reach: $(REACH_TESTS) $(PRELOAD)
	@$(SUITE) test_reach env LD_PRELOAD=$(ABS_PRELOAD) $(T)/test_reach

CHECK_TARGETS += check-reach
.PHONY: check-reach
