# Hosts the sentinel rides in (issue 11): programs built with sanitizers, tools that replace
# malloc, executables with their own allocator, bad suppression paths. Included by the Makefile.
#   make check-hosts     part of `make check` (about 20 seconds)

HT      := $(B)/test/hosts
HSRC    := test/hosts
H_CLANG ?= clang
H_CFLAGS := -g -O1 -Iapi
H_LINK  := -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))

$(HT)/san_%_clang: $(HSRC)/san_probe.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(HT)
	$(H_CLANG) $(H_CFLAGS) -fsanitize=$* $(abspath $<) -o $@ $(H_LINK)
# The same with the newest clang when it is there (its runtimes differ from clang 14's).
H_CLANG22 := $(shell command -v clang-22 2>/dev/null)
$(HT)/san_%_clang22: $(HSRC)/san_probe.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(HT)
	$(H_CLANG22) $(H_CFLAGS) -fsanitize=$* $(abspath $<) -o $@ $(H_LINK)
$(HT)/san_address_gcc: $(HSRC)/san_probe.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(HT)
	gcc $(H_CFLAGS) -fsanitize=address $(abspath $<) -o $@ $(H_LINK)
$(HT)/san_cxx_address_clang: $(HSRC)/san_probe_cxx.cc api/hotpath.h $(API_LINKS)
	@mkdir -p $(HT)
	$(H_CLANG)++ $(H_CFLAGS) -fsanitize=address $(abspath $<) -o $@ $(H_LINK)
# Without debug info: the site is then the first frame outside the system modules, and the ASan
# runtime linked into the executable must not be it (the site rule's list of functions).
$(HT)/san_address_clang_nodebug: $(HSRC)/san_probe.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(HT)
	$(H_CLANG) -O1 -Iapi -fsanitize=address $(abspath $<) -o $@ $(H_LINK)
$(HT)/plain: $(HSRC)/san_probe.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(HT)
	$(CC) $(H_CFLAGS) $(abspath $<) -o $@ $(H_LINK)

HOSTS_PROGS := $(HT)/san_address_clang $(HT)/san_thread_clang $(HT)/san_leak_clang $(HT)/san_address_gcc \
	       $(HT)/san_cxx_address_clang $(HT)/plain $(HT)/san_address_clang_nodebug \
	       $(if $(H_CLANG22),$(HT)/san_address_clang22 $(HT)/san_thread_clang22 $(HT)/san_leak_clang22)

check-hosts: $(HOSTS_PROGS) $(PRELOAD) $(T)/probe_own_malloc
	@$(SUITE) hosts bash $(HSRC)/run.sh $(B) .
CHECK_TARGETS += check-hosts
.PHONY: check-hosts

# C++ named by demangled names in hot_functions_file; with the README recipe's exclusion of the
# system headers (std::complex's inlined helpers stay uninstrumented).
$(HT)/hotfn_cxx: $(HSRC)/hotfn_cxx.cc api/hotpath.h $(API_LINKS) $(INSTRUMENT_A)
	@mkdir -p $(HT)
	$(CXX) -std=c++17 $(H_CFLAGS) -finstrument-functions -finstrument-functions-exclude-file-list=/usr/include \
	    $(abspath $<) -o $@ -L$(B) -lhotpath_instrument $(H_LINK)
check-hosts: $(HT)/hotfn_cxx

# operator new when malloc fails (the new-handler, bad_alloc, nothrow), compared with and without.
$(HT)/new_fail: $(HSRC)/new_fail.cc
	@mkdir -p $(HT)
	$(CXX) -std=c++17 $(H_CFLAGS) $(abspath $<) -o $@
check-hosts: $(HT)/new_fail

# An executable with its own allocator and no marks: a tool that never enters a section.
$(HT)/own_malloc_nomarks: test/probe_own_malloc.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(HT)
	$(CC) $(H_CFLAGS) -DNO_MARKS $(abspath $<) -o $@ $(H_LINK)
check-hosts: $(HT)/own_malloc_nomarks
