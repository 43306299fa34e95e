# make check-aarch64: the API, sentinel, beyond-malloc, symbolizer (C++ at -O2 -g), report-output
# and pools test suites and the Ring 0 core's test, cross-built for aarch64 (CROSS=aarch64-linux-gnu-,
# into build-aarch64) and run under qemu-aarch64 with the aarch64 sentinel preloaded, through
# arch/qemu-run; each test's probes go through it too (the runner's HOTPATH_TEST_EXEC). The same
# suite lines as make check. Not part of make check (a second build, and emulation is ~3x slower);
# .ci/run runs it. Benchmarks are not run under emulation.
CHECK_AARCH64_CROSS ?= aarch64-linux-gnu-
check-aarch64:
	@command -v $(CHECK_AARCH64_CROSS)gcc >/dev/null && command -v qemu-aarch64 >/dev/null || \
	    { echo "check-aarch64: needs $(CHECK_AARCH64_CROSS)gcc and qemu-aarch64 (the README's Platforms section names the packages)"; exit 1; }
	@$(MAKE) --no-print-directory CROSS=$(CHECK_AARCH64_CROSS) check-cross

# The suites of a cross build (CROSS set), each under the emulator.
CROSS_RUN = env -u LD_PRELOAD HOTPATH_TEST_EXEC=$(abspath arch/qemu-run) HOTPATH_TEST_PRELOAD=$(ABS_PRELOAD) \
            $(abspath arch/qemu-run)
check-cross: $(SENTINEL_TESTS) $(POOLS_TESTS) $(R0_TEST) $(SYM_T)/test_symbolize $(SYM_APPS) $(B)/reliability/torture \
             $(RP_TARGETS) $(PRELOAD)
	@test -n "$(CROSS)" || { echo "check-cross: a cross build only (make check-aarch64)"; exit 1; }
	@mkdir -p $(B)
	@{ \
	    $(SUITE) test_api $(CROSS_RUN) $(T)/test_api; \
	    $(SUITE) test_sentinel $(CROSS_RUN) $(T)/test_sentinel; \
	    $(SUITE) test_beyond $(CROSS_RUN) $(T)/test_beyond; \
	    $(SUITE) test_symbolize $(CROSS_RUN) $(SYM_T)/test_symbolize; \
	    $(SUITE) reports/test_reports $(CROSS_RUN) $(RP)/test_reports; \
	    for t in $(POOLS_TESTS); do \
	        $(SUITE) pools/$$(basename $$t) env HP_REQUIRE_SENTINEL=1 $(CROSS_RUN) $$t; \
	    done; \
	    $(SUITE) ring0/test_ring0 env HP_REQUIRE_SENTINEL=1 $(CROSS_RUN) $(R0_TEST); } 2>&1 | tee $(B)/check.log; \
	rc=$$?; n=$$(grep -c '^PASS: ' $(B)/check.log); f=$$(grep -c '^FAIL: ' $(B)/check.log); \
	echo "make check-aarch64: $$n suites passed, $$f failed, under $$(qemu-aarch64 --version | head -1)"; \
	[ "$$f" = 0 ]

.PHONY: check-aarch64 check-cross
