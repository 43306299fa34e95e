# Reports that reach the user's lines in optimized C++ and Rust: inline chains, demangling, the
# report path's libraries loaded on first use (test/test_symbolize.c). Included by test/test.mk.
SYM_T := $(B)/test/symbolize
RUSTC ?= rustc
SYM_RUSTC := $(shell command -v $(RUSTC) 2>/dev/null)

# Built as CI builds it: -O2 -g, whatever CXXFLAGS say.
$(SYM_T)/inline_app: test/symbolize/inline_app.cc api/hotpath.h $(API_LINKS)
	@mkdir -p $(SYM_T)
	$(CXX) -std=c++17 -O2 -g -Iapi $(abspath $<) -o $@ $(TEST_LINK)

# rustc -O -g from the source's directory, so the debug info's files are relative to the unit's
# compilation directory, as cargo builds have them; once per symbol mangling.
SYM_RUST_LINK = -L $(abspath $(B)) -C link-args=-Wl,-rpath,$(abspath $(B))
$(SYM_T)/inline_app_rs: test/symbolize/inline_app.rs $(API_LINKS)
	@mkdir -p $(SYM_T)
	cd test/symbolize && MAKEFLAGS= $(RUSTC) -O -g --crate-name hp_rust_app inline_app.rs -o $(abspath $@) $(SYM_RUST_LINK)
$(SYM_T)/inline_app_rs_v0: test/symbolize/inline_app.rs $(API_LINKS)
	@mkdir -p $(SYM_T)
	cd test/symbolize && MAKEFLAGS= $(RUSTC) -O -g -C symbol-mangling-version=v0 --crate-name hp_rust_app inline_app.rs \
	    -o $(abspath $@) $(SYM_RUST_LINK)

$(SYM_T)/print_maps: test/symbolize/print_maps.c
	@mkdir -p $(SYM_T)
	$(CC) -std=c11 $(WARN) -O1 $(abspath $<) -o $@

SYM_APPS := $(SYM_T)/inline_app $(SYM_T)/print_maps $(if $(SYM_RUSTC),$(SYM_T)/inline_app_rs $(SYM_T)/inline_app_rs_v0)
SYM_DEFS := -DPRELOAD='"$(ABS_PRELOAD)"' -DCXX_APP='"$(abspath $(SYM_T)/inline_app)"' \
    -DCXX_SRC='"$(abspath test/symbolize/inline_app.cc)"' -DRUST_SRC='"$(abspath test/symbolize/inline_app.rs)"' \
    -DRUST_APP='"$(if $(SYM_RUSTC),$(abspath $(SYM_T)/inline_app_rs))"' \
    -DRUST_APP_V0='"$(if $(SYM_RUSTC),$(abspath $(SYM_T)/inline_app_rs_v0))"' \
    -DRUST_MISSING='"$(if $(CROSS),a cross build: no Rust for the target (README: Platforms),rustc not found when the tests were built (install rustc to run the Rust cases))"' \
    -DTORTURE='"$(abspath $(B)/reliability/torture)"' -DPRINT_MAPS='"$(abspath $(SYM_T)/print_maps)"'

# The demangler is tested in the test program itself (a C program: no C++ runtime in it).
$(SYM_T)/%.o: preload/%.c preload/sentinel.h | $(DEPS_OK)
	@mkdir -p $(SYM_T)
	$(CC) $(HP_CFLAGS) -g -O1 -Iapi -Ipreload -c $(abspath $<) -o $@
$(SYM_T)/test_symbolize: test/test_symbolize.c $(SYM_T)/demangle.o $(SYM_T)/buf.o $(RUN_PROBE) | $(DEPS_OK)
	@mkdir -p $(SYM_T)
	$(CC) $(TEST_CFLAGS) -Ipreload -Itest/reliability $(SYM_DEFS) test/test_symbolize.c $(SYM_T)/demangle.o \
	    $(SYM_T)/buf.o $(RUN_PROBE_SRC) -o $@ $(CHECK_LIBS) -l:libiberty.a

TEST_TARGETS += $(SYM_T)/test_symbolize $(SYM_APPS)

check-symbolize: $(SYM_T)/test_symbolize $(SYM_APPS) $(PRELOAD) $(B)/reliability/torture
	@$(SUITE) test_symbolize $(SYM_T)/test_symbolize

CHECK_TARGETS += check-symbolize
.PHONY: check-symbolize
