# Tests of the API and the sentinel (Check), run under the freshly built preload.
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

$(T)/probe_nonpie: test/probe_nonpie.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -fno-pie -no-pie $< -o $@ $(TEST_LINK)
$(T)/plugin_cxx.so: test/plugin_cxx.cc api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CXX) -std=c++17 $(WARN) -g -O1 -fPIC -shared -Iapi $< -o $@ $(TEST_LINK)
$(T)/probe_plugin_host: test/probe_plugin_host.c $(T)/plugin_cxx.so
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -DPLUGIN='"$(abspath $(T)/plugin_cxx.so)"' $< -o $@ -ldl
# -fno-builtin: each call is made as written (printf("%s", "") is not folded away).
$(T)/probe_blocking: test/probe_blocking.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -fno-builtin $< -o $@ $(TEST_LINK)
# Always gcc: clang's fortification of open/openat does not go through glibc's __open_2 family,
# and the point is the entry points that gcc-built (distribution) binaries call.
$(T)/probe_fortify: test/probe_fortify.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CROSS)gcc $(CROSS_PREFIXMAP) $(TEST_CFLAGS) -O2 -D_FORTIFY_SOURCE=2 $< -o $@ $(TEST_LINK)
$(T)/probe_seal: test/probe_seal.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) $< -o $@ $(TEST_LINK)
# Built as a user would, with -finstrument-functions and the libraries `pkg-config --libs hotpath`
# names (the hooks linked in from libhotpath_instrument.a); and linked with the API library only
# (the hooks in libhotpath_api.so, as a plugin would have them).
$(T)/probe_instrumented: test/probe_instrumented.c api/hotpath.h $(API_LINKS) $(INSTRUMENT_A)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -finstrument-functions $< -o $@ -L$(B) -lhotpath_instrument $(TEST_LINK)
$(T)/probe_instrumented_so: test/probe_instrumented.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -finstrument-functions $< -o $@ $(TEST_LINK)
# The same program built without -finstrument-functions: naming its functions must warn.
$(T)/probe_uninstrumented: test/probe_instrumented.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) $< -o $@ $(TEST_LINK)

# The probes' runner, shared with the reliability suite.
RUN_PROBE_SRC := test/run_probe.c test/reliability/rl_run.c
RUN_PROBE := $(RUN_PROBE_SRC) test/run_probe.h test/reliability/rl_run.h

PROBES := $(T)/probe $(T)/probe_plugin_host $(T)/plugin_cxx.so $(T)/probe_cxx $(T)/probe_own_malloc $(T)/probe_nonpie $(T)/probe_blocking $(T)/probe_fortify $(T)/probe_seal $(T)/probe_instrumented $(T)/probe_instrumented_so \
          $(T)/probe_uninstrumented
PROBE_DEFS := -DPRELOAD='"$(ABS_PRELOAD)"' $(foreach p,$(PROBES),-D$(shell echo $(notdir $(p)) | tr a-z. A-Z_)='"$(abspath $(p))"') \
	    -DPROBE_SRC='"$(abspath test/probe.c)"'

$(T)/test_beyond: test/test_beyond.c $(RUN_PROBE) test/intercept_list.h preload/intercept.def | $(DEPS_OK)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -Itest/reliability $(PROBE_DEFS) test/test_beyond.c $(RUN_PROBE_SRC) -o $@ $(CHECK_LIBS)

$(T)/test_sentinel: test/test_sentinel.c $(RUN_PROBE) | $(DEPS_OK)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) -Itest/reliability $(PROBE_DEFS) test/test_sentinel.c $(RUN_PROBE_SRC) -o $@ $(CHECK_LIBS)
$(T)/test_api: test/test_api.c test/api_disabled.c api/hotpath.h $(API_LINKS) | $(DEPS_OK)
	@mkdir -p $(T)
	$(CC) $(TEST_CFLAGS) test/test_api.c test/api_disabled.c -o $@ $(TEST_LINK) -ldl $(CHECK_LIBS)

# The API library and its tests under ASan+UBSan and under TSan (without the sentinel: a sanitizer
# runtime and a preloaded malloc cannot share a process). clang when present, as for the pools.
SAN_CC := $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
$(T)/san/test_api_%: test/test_api.c test/api_disabled.c api/hotpath_api.c api/hotpath.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(SAN_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Iapi $(if $(filter asan,$*),-fsanitize=address$(comma)undefined \
	    -fno-sanitize-recover=all,-fsanitize=thread) test/test_api.c test/api_disabled.c api/hotpath_api.c \
	    -rdynamic -o $@ -ldl -lpthread $(CHECK_LIBS)
comma := ,

check-api-sanitize: $(T)/san/test_api_asan $(T)/san/test_api_tsan
	@$(SUITE) test_api_asan env HOTPATH_TEST_NO_SENTINEL=1 CK_FORK=no $(T)/san/test_api_asan
	@$(SUITE) test_api_tsan env HOTPATH_TEST_NO_SENTINEL=1 CK_FORK=no TSAN_OPTIONS=halt_on_error=1 $(T)/san/test_api_tsan
SANITIZE_TARGETS += check-api-sanitize

SENTINEL_TESTS := $(T)/test_api $(T)/test_sentinel $(T)/test_beyond $(PROBES)
TEST_TARGETS += $(SENTINEL_TESTS)

# The test binaries themselves run under the freshly built preload.
check-sentinel: $(SENTINEL_TESTS) $(PRELOAD)
	@$(SUITE) test_api env LD_PRELOAD=$(ABS_PRELOAD) $(T)/test_api
	@$(SUITE) test_sentinel env LD_PRELOAD=$(ABS_PRELOAD) $(T)/test_sentinel
	@$(SUITE) test_beyond env LD_PRELOAD=$(ABS_PRELOAD) $(T)/test_beyond

CHECK_TARGETS += check-sentinel
.PHONY: check-sentinel check-api-sanitize

include test/symbolize.mk
