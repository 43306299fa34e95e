# hotpath: build, test, install.  `make` builds the product (the libraries, the header, the tools,
# the pkg-config and CMake files), `make check` builds and runs every test under the freshly built
# sentinel, `make demo` shows a report, `make bench` prints speed ratios, `make help` lists targets.
# GNU conventions: CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR.
all:

VERSION      := 0.1.0
SOVERSION    := 0
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

include arch/cross.mk
CC       ?= cc
CXX      ?= c++
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
B        ?= build

# Warnings: -Wall -Wextra always; -Werror (WERROR=1) only where the project controls the compiler,
# i.e. `make check` (any check-* target) and the project's CI, never in a user's plain `make`.
ifneq ($(filter check check-% test tests,$(MAKECMDGOALS)),)
WERROR ?= 1
endif
WERROR   ?= 0
WARN     := -Wall -Wextra $(if $(filter 1 yes,$(WERROR)),-Werror)
# Objects also write their header dependencies ($(B)/**/*.d, included at the end).
DEPFLAGS := -MMD -MP
HP_CFLAGS := -std=c11 $(WARN) -D_GNU_SOURCE -fPIC -fvisibility=hidden $(DEPFLAGS)
# The Check unit-test library, for every suite (only `make check` needs it).
CHECK_LIBS := $(shell $(PKG_CONFIG) --cflags --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
# Every check-* recipe runs its suites through $(SUITE) NAME COMMAND: the same "== NAME" and
# "PASS: NAME" / "FAIL: NAME (exit N)" lines for all, counted by `make check`'s last line.
SUITE := sh test/suite.sh

# The product needs the build dependencies, the tests more (Check, python3-jsonschema);
# scripts/deps.sh installs what is missing (apt-get as root or with sudo) or prints the exact
# command, once per build dir. DEPS_BUILD guards the product's rules, DEPS_OK the tests'.
DEPS_BUILD := $(B)/.deps-build-ok
DEPS_OK    := $(B)/.deps-ok
$(DEPS_BUILD):
	@mkdir -p $(B)
	@sh scripts/deps.sh build
	@touch $@
$(DEPS_OK): | $(DEPS_BUILD)
	@sh scripts/deps.sh check
	@touch $@

# ---- api: libhotpath_api.so -------------------------------------------------------------------
API_SONAME := libhotpath_api.so.$(SOVERSION)
API_REAL   := $(B)/libhotpath_api.so.$(VERSION)
API_LINKS  := $(B)/$(API_SONAME) $(B)/libhotpath_api.so

# (-MMD -MP lists each object's headers; the wildcard also covers objects built before it did.)
$(B)/api/%.o: api/%.c $(wildcard api/*.h) | $(DEPS_BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(HP_CFLAGS) -fvisibility=default $(CFLAGS) -Iapi -c $< -o $@

$(API_REAL): $(B)/api/hotpath_api.o
	$(CC) -shared -Wl,-soname,$(API_SONAME) $(LDFLAGS) -o $@ $^
$(API_LINKS): $(API_REAL)
	ln -sf $(notdir $(API_REAL)) $@

# The -finstrument-functions hooks, for linking into the program (see api/instrument.c).
INSTRUMENT_A := $(B)/libhotpath_instrument.a
$(INSTRUMENT_A): $(B)/api/instrument.o
	$(AR) rcs $@ $^

# ---- preload: libhotpath.so (the sentinel) ----------------------------------------------------
PRELOAD     := $(B)/libhotpath.so
PRELOAD_SRC := $(wildcard preload/*.c)
PRELOAD_OBJ := $(PRELOAD_SRC:%.c=$(B)/%.o)
# libunwind and libdw are not linked: the sentinel loads them on the first report (lazylib.c,
# libdw_shim.c), by the sonames of the libraries the build finds; -z defs makes a libdw call
# without a stub a link error rather than a process that cannot load the preload. libiberty's
# demangler (PIC on Debian) is linked in statically, its symbols kept out of the exports.
PRELOAD_LIBS := -Wl,--exclude-libs,libiberty.a -l:libiberty.a
PRELOAD_CFLAGS := $(shell $(PKG_CONFIG) --cflags libunwind libdw 2>/dev/null)
soname_of = $(shell f=$$($(CC) -print-file-name=$(1)) && $(OBJDUMP) -p "$$f" 2>/dev/null | awk '/SONAME/ {print $$2}')
PRELOAD_SONAMES = -DHP_LIBDW_SONAME='"$(or $(call soname_of,libdw.so),libdw.so.1)"' \
                  -DHP_LIBUNWIND_SONAME='"$(or $(call soname_of,libunwind.so),libunwind.so.8)"'
$(B)/preload/libdw_shim.o: HP_SONAME_FLAGS = $(PRELOAD_SONAMES)
$(B)/preload/unwind.o: HP_SONAME_FLAGS = $(PRELOAD_SONAMES)

$(B)/preload/%.o: preload/%.c $(wildcard preload/*.h preload/*.def api/*.h) | $(DEPS_BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(HP_CFLAGS) $(CFLAGS) -ftls-model=initial-exec -fno-builtin-malloc $(PRELOAD_CFLAGS) $(HP_SONAME_FLAGS) -Iapi -Ipreload -c $< -o $@

$(PRELOAD): $(PRELOAD_OBJ) $(API_LINKS)
	$(CC) -shared -Wl,-soname,libhotpath.so -Wl,-z,nodelete -Wl,-z,defs $(LDFLAGS) -o $@ $(PRELOAD_OBJ) \
	    -L$(B) -lhotpath_api $(PRELOAD_LIBS) -ldl -lpthread -Wl,-rpath,'$$ORIGIN'

# ---- pkg-config, scripts ----------------------------------------------------------------------
# The .pc file and hotpath-run name the install paths: made again by `make install` for its PREFIX.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|'
$(B)/hotpath.pc: scripts/hotpath.pc.in Makefile
	@mkdir -p $(B)
	$(PC_SED) $< > $@

$(B)/bin/hotpath-run: scripts/hotpath-run Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@LIBDIR@|$(LIBDIR)|; s|@VERSION@|$(VERSION)|' $< > $@ && chmod +x $@
# hotpath-check is a package (scripts/hotpath_check/) installed as one stdlib-only file, a zipapp.
$(B)/bin/hotpath-check: scripts/hotpath-check $(wildcard scripts/hotpath_check/*.py) Makefile
	@rm -rf $(B)/zipapp && mkdir -p $(dir $@) $(B)/zipapp/hotpath_check
	cp scripts/hotpath_check/*.py $(B)/zipapp/hotpath_check/
	sed -i 's|^VERSION = .*|VERSION = "$(VERSION)"  # hotpath.pc'"'"'s, set by make|' $(B)/zipapp/hotpath_check/__init__.py
	python3 -m zipapp $(B)/zipapp -m 'hotpath_check.cli:entry' -p '/usr/bin/env python3' -o $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

# (the gate tools are optional while they are being written)
SCRIPTS := $(patsubst scripts/%,$(B)/bin/%,$(wildcard scripts/hotpath-run scripts/hotpath-check))
CORE    := $(API_LINKS) $(INSTRUMENT_A) $(PRELOAD) $(B)/hotpath.pc $(SCRIPTS)

# ALL_TARGETS: the product, built by `make`; TEST_TARGETS: test programs and examples, built by
# `make tests` and by the check-* targets that run them.
ALL_TARGETS       := $(CORE)
TEST_TARGETS      :=
CHECK_TARGETS     :=
BENCH_TARGETS     :=
INSTALL_TARGETS   :=
UNINSTALL_TARGETS :=

# Each part with its own build rules brings them in a fragment.
include test/test.mk
include test/reach.mk
include pools/pools.mk
include scripts/gate.mk
include test/reliability.mk
include test/reports/reports.mk
include test/hosts/hosts.mk
include bench/bench.mk
include bench/reports.mk
include examples/examples.mk
include examples/ring0/ring0.mk
include rust/rust.mk
include cmake/cmake.mk
include arch/aarch64.mk

all: $(ALL_TARGETS)

tests: $(TEST_TARGETS)

# make check: every suite, its output also in $(B)/check.log; the last line says how many suites
# passed and counts the SKIP lines (a missing package, a test that needs root, ...).
check:
	@mkdir -p $(B)
	@{ $(MAKE) --no-print-directory --output-sync=target check-all 2>&1; echo $$? >$(B)/.check-rc; } | tee $(B)/check.log
	@rc=$$(cat $(B)/.check-rc); passed=$$(grep -c '^PASS: ' $(B)/check.log); \
	    skipped=$$(grep -cE '^SKIP|: SKIP' $(B)/check.log); \
	    if [ "$$rc" = 0 ]; then \
	        echo "make check: all test suites passed ($$passed suites; $$skipped skipped$$([ "$$skipped" = 0 ] || echo ': see the SKIP lines above'))"; \
	    else \
	        failed=$$(grep -c '^FAIL: ' $(B)/check.log); \
	        echo "make check: FAILED ($$failed suites failed$$([ "$$failed" = 0 ] && echo ': a build step failed, see make'"'"'s errors'); $$passed passed, $$skipped skipped; log in $(B)/check.log)"; \
	    fi; exit $$rc
check-all: $(CHECK_TARGETS)
test: check

bench: $(BENCH_TARGETS)

# ---- install ----------------------------------------------------------------------------------
install: $(CORE) $(INSTALL_TARGETS)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	install -m 755 $(API_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(API_REAL)) $(DESTDIR)$(LIBDIR)/$(API_SONAME)
	ln -sf $(notdir $(API_REAL)) $(DESTDIR)$(LIBDIR)/libhotpath_api.so
	install -m 755 $(PRELOAD) $(DESTDIR)$(LIBDIR)/libhotpath.so
	install -m 644 $(INSTRUMENT_A) $(DESTDIR)$(LIBDIR)/
	install -m 644 api/hotpath.h $(DESTDIR)$(INCLUDEDIR)/hotpath.h
	$(PC_SED) scripts/hotpath.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/hotpath.pc
	$(if $(wildcard scripts/hotpath-run),sed -e 's|@LIBDIR@|$(LIBDIR)|; s|@VERSION@|$(VERSION)|' scripts/hotpath-run > $(DESTDIR)$(BINDIR)/hotpath-run)
	$(if $(wildcard scripts/hotpath-check),install -m 755 $(B)/bin/hotpath-check $(DESTDIR)$(BINDIR)/hotpath-check)
	chmod 755 $(DESTDIR)$(BINDIR)/hotpath-* 2>/dev/null || true

uninstall: $(UNINSTALL_TARGETS)
	rm -f $(DESTDIR)$(LIBDIR)/$(notdir $(API_REAL)) $(DESTDIR)$(LIBDIR)/$(API_SONAME) \
	      $(DESTDIR)$(LIBDIR)/libhotpath_api.so $(DESTDIR)$(LIBDIR)/libhotpath.so \
	      $(DESTDIR)$(LIBDIR)/libhotpath_instrument.a \
	      $(DESTDIR)$(INCLUDEDIR)/hotpath.h $(DESTDIR)$(PKGCONFIGDIR)/hotpath.pc \
	      $(DESTDIR)$(BINDIR)/hotpath-run $(DESTDIR)$(BINDIR)/hotpath-check

clean:
	rm -rf $(B)

# make help: the targets, one line each.
help:
	@echo "make                build the product: libhotpath.so, libhotpath_api.so, libhotpath_instrument.a,"
	@echo "                    libhotpath_pools.a, hotpath-run, hotpath-check, pkg-config and CMake files"
	@echo "make install        install it under PREFIX (now $(PREFIX)), DESTDIR honoured; make uninstall"
	@echo "make check          build and run every test suite under the freshly built sentinel (-Werror)"
	@echo "make test           the same as make check"
	@echo "make tests          build the test programs and examples without running them"
	@echo "make demo           build the demo and show the sentinel's reports in warn and abort modes"
	@echo "make bench          benchmarks, as ratios against baselines measured in the same run"
	@echo "make check-sanitize ASan/UBSan/TSan/valgrind builds and runs (longer; not in make check)"
	@echo "make check-programs the long comparison of real programs with and without the sentinel"
	@echo "make fuzz           libFuzzer harnesses, FUZZ_SECONDS (60) each"
	@echo "make format         clang-format the C and C++ sources"
	@echo "make clean          remove the build directory (B, now $(B))"
	@echo "Variables: CC CXX CFLAGS LDFLAGS PREFIX DESTDIR B (build dir) WERROR=1 (warnings as errors)"

format:
	clang-format -i $(shell git ls-files '*.c' '*.h' '*.cc')

# Header dependencies written by -MMD -MP (absent before the first build, hence -include).
-include $(shell find $(B) -name '*.d' 2>/dev/null)

.PHONY: all tests check check-all test bench install uninstall clean format demo help
