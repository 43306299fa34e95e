# hotpath: build, test, install.  `make` builds everything, `make check` runs every test under the
# freshly built sentinel, `make demo` shows a report, `make bench` prints speed ratios.
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

CC       ?= cc
CXX      ?= c++
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
WARN     := -Wall -Wextra -Werror
HP_CFLAGS := -std=c11 $(WARN) -D_GNU_SOURCE -fPIC -fvisibility=hidden
B        ?= build

# Every target that compiles needs the build dependencies; scripts/deps.sh installs what is
# missing (apt-get as root or with sudo) or prints the exact command, once per build dir.
DEPS_OK := $(B)/.deps-ok
$(DEPS_OK):
	@mkdir -p $(B)
	@sh scripts/deps.sh
	@touch $@

# ---- api: libhotpath_api.so -------------------------------------------------------------------
API_SONAME := libhotpath_api.so.$(SOVERSION)
API_REAL   := $(B)/libhotpath_api.so.$(VERSION)
API_LINKS  := $(B)/$(API_SONAME) $(B)/libhotpath_api.so

$(B)/api/%.o: api/%.c $(wildcard api/*.h) | $(DEPS_OK)
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
PRELOAD_CFLAGS := $(shell pkg-config --cflags libunwind libdw 2>/dev/null)
soname_of = $(shell f=$$($(CC) -print-file-name=$(1)) && objdump -p "$$f" 2>/dev/null | awk '/SONAME/ {print $$2}')
PRELOAD_SONAMES = -DHP_LIBDW_SONAME='"$(or $(call soname_of,libdw.so),libdw.so.1)"' \
                  -DHP_LIBUNWIND_SONAME='"$(or $(call soname_of,libunwind.so),libunwind.so.8)"'
$(B)/preload/libdw_shim.o: HP_SONAME_FLAGS = $(PRELOAD_SONAMES)
$(B)/preload/unwind.o: HP_SONAME_FLAGS = $(PRELOAD_SONAMES)

$(B)/preload/%.o: preload/%.c $(wildcard preload/*.h api/*.h) | $(DEPS_OK)
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
	sed -e 's|@LIBDIR@|$(LIBDIR)|' $< > $@ && chmod +x $@
# hotpath-check is a package (scripts/hotpath_check/) installed as one stdlib-only file, a zipapp.
$(B)/bin/hotpath-check: scripts/hotpath-check $(wildcard scripts/hotpath_check/*.py)
	@rm -rf $(B)/zipapp && mkdir -p $(dir $@) $(B)/zipapp/hotpath_check
	cp scripts/hotpath_check/*.py $(B)/zipapp/hotpath_check/
	python3 -m zipapp $(B)/zipapp -m 'hotpath_check.cli:entry' -p '/usr/bin/env python3' -o $@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

# (the gate tools are optional while they are being written)
SCRIPTS := $(patsubst scripts/%,$(B)/bin/%,$(wildcard scripts/hotpath-run scripts/hotpath-check))
CORE    := $(API_LINKS) $(INSTRUMENT_A) $(PRELOAD) $(B)/hotpath.pc $(SCRIPTS)

ALL_TARGETS       := $(CORE)
CHECK_TARGETS     :=
BENCH_TARGETS     :=
INSTALL_TARGETS   :=
UNINSTALL_TARGETS :=

# Each part with its own build rules brings them in a fragment.
include test/test.mk
-include test/reach.mk
-include pools/pools.mk
-include scripts/gate.mk
-include test/reliability.mk
-include test/reports/reports.mk
-include test/hosts/hosts.mk
-include bench/bench.mk
-include examples/examples.mk
-include examples/ring0/ring0.mk
-include rust/rust.mk

all: $(ALL_TARGETS)

check: $(CHECK_TARGETS)
	@echo "make check: all test suites passed"

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
	$(if $(wildcard scripts/hotpath-run),sed -e 's|@LIBDIR@|$(LIBDIR)|' scripts/hotpath-run > $(DESTDIR)$(BINDIR)/hotpath-run)
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

format:
	clang-format -i $(shell git ls-files '*.c' '*.h' '*.cc')

.PHONY: all check bench install uninstall clean format demo
