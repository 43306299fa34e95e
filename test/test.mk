# Tests of the API and the sentinel (Check), run under the freshly built preload.
CHECK_LIBS := $(shell pkg-config --cflags --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
T          := $(B)/test
TEST_CFLAGS := -std=c11 $(WARN) -g -O1 -Iapi
TEST_LINK  := -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B)) -lpthread
ABS_PRELOAD := $(abspath $(PRELOAD))

$(T)/probe: test/probe.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) $(abspath test/probe.c) -o $@ $(TEST_LINK)
$(T)/probe_cxx: test/probe_cxx.cc api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CXX) -std=c++17 $(WARN) -g -O1 -Iapi $< -o $@ $(TEST_LINK)
$(T)/probe_own_malloc: test/probe_own_malloc.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) $< -o $@ $(TEST_LINK)

$(T)/test_sentinel: test/test_sentinel.c test/run_probe.c test/run_probe.h | $(DEPS_OK)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -DPRELOAD='"$(ABS_PRELOAD)"' -DPROBE='"$(abspath $(T)/probe)"' \
	    -DPROBE_CXX='"$(abspath $(T)/probe_cxx)"' -DPROBE_OWN_MALLOC='"$(abspath $(T)/probe_own_malloc)"' \
	    -DPROBE_SRC='"$(abspath test/probe.c)"' test/test_sentinel.c test/run_probe.c -o $@ $(CHECK_LIBS)
$(T)/test_api: test/test_api.c test/api_disabled.c api/hotpath.h $(API_LINKS) | $(DEPS_OK)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) test/test_api.c test/api_disabled.c -o $@ $(TEST_LINK) -ldl $(CHECK_LIBS)

SENTINEL_TESTS := $(T)/test_api $(T)/test_sentinel $(T)/probe $(T)/probe_cxx $(T)/probe_own_malloc
ALL_TARGETS += $(SENTINEL_TESTS)

# The test binaries themselves run under the freshly built preload.
check-sentinel: $(SENTINEL_TESTS) $(PRELOAD)
	LD_PRELOAD=$(ABS_PRELOAD) $(T)/test_api
	LD_PRELOAD=$(ABS_PRELOAD) $(T)/test_sentinel

CHECK_TARGETS += check-sentinel
.PHONY: check-sentinel
