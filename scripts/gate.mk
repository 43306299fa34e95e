# The CI gate: hotpath-run, hotpath-check, their man pages and tests. Included by the Makefile.
GATE_T     := $(B)/test/gate
GATE_PROBE := $(GATE_T)/probe_gate
GATE_MAN1  := $(wildcard man/hotpath-run.1 man/hotpath-check.1)
GATE_MAN3  := $(wildcard man/hotpath.3)

# The probe is built with -g from its absolute path, so reports name the file the tests grep.
$(GATE_PROBE): test/gate/probe_gate.c api/hotpath.h $(API_LINKS) | $(DEPS_OK)
	@mkdir -p $(GATE_T)
	$(CC) -std=c11 $(WARN) -g -O1 -Iapi $(abspath test/gate/probe_gate.c) -o $@ \
	    -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))

# The C++ case of issue 12, optimized as the CI snippets build (-O2 -g): inlined library calls.
GATE_PROBE_CXX := $(GATE_T)/probe_cxx
$(GATE_PROBE_CXX): test/gate/probe_cxx.cc api/hotpath.h $(API_LINKS) | $(DEPS_OK)
	@mkdir -p $(GATE_T)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -g -O2 -Iapi $(abspath test/gate/probe_cxx.cc) -o $@ \
	    -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))

TEST_TARGETS += $(GATE_PROBE) $(GATE_PROBE_CXX)

check-gate: $(GATE_PROBE) $(GATE_PROBE_CXX) $(PRELOAD) $(B)/bin/hotpath-run $(B)/bin/hotpath-check
	@$(SUITE) gate bash test/gate/run.sh $(abspath $(B)) $(abspath .)

# section_names=1 end to end: a clean probe's per-name counts, and --expect-section on them.
GATE_PROBE_NAMES := $(GATE_T)/probe_names
$(GATE_PROBE_NAMES): test/gate/probe_names.c api/hotpath.h $(API_LINKS) | $(DEPS_OK)
	@mkdir -p $(GATE_T)
	$(CC) -std=c11 $(WARN) -O1 -Iapi test/gate/probe_names.c -o $@ -pthread \
	    -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))
TEST_TARGETS += $(GATE_PROBE_NAMES)

check-gate-names: $(GATE_PROBE_NAMES) $(PRELOAD) $(B)/bin/hotpath-run $(B)/bin/hotpath-check
	@$(SUITE) gate-names bash test/gate/names.sh $(abspath $(B))

# hotpath-check's package: type-checked (mypy --strict) and unit-tested on test/gate/data.
GATE_PY := $(firstword $(wildcard /usr/bin/python3) python3)
check-gate-unit:
	@$(SUITE) gate-types $(GATE_PY) -m mypy --strict --cache-dir $(B)/mypy-cache scripts/hotpath_check scripts/hotpath-check
	@$(SUITE) gate-types-tests env MYPYPATH=scripts $(GATE_PY) -m mypy --cache-dir $(B)/mypy-cache test/gate/unit
	@$(SUITE) gate-unit env PYTHONPATH=scripts PYTHONDONTWRITEBYTECODE=1 $(GATE_PY) -m unittest discover -s test/gate/unit

install-gate: $(GATE_MAN1) $(GATE_MAN3)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	$(if $(GATE_MAN1),install -m 644 $(GATE_MAN1) $(DESTDIR)$(MANDIR)/man1/)
	$(if $(GATE_MAN3),install -m 644 $(GATE_MAN3) $(DESTDIR)$(MANDIR)/man3/)

uninstall-gate:
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(GATE_MAN1))) \
	      $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(GATE_MAN3)))

CHECK_TARGETS     += check-gate check-gate-unit check-gate-names
INSTALL_TARGETS   += install-gate
UNINSTALL_TARGETS += uninstall-gate
.PHONY: check-gate check-gate-unit check-gate-names install-gate uninstall-gate
