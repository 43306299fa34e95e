# The report-output tests (test/reports): the "checked" line and process accounting, scale, small
# stacks, the output sink. Included by the Makefile; part of `make check`.
RP      := $(B)/reports
RP_SRC  := test/reports
RP_DEFS := -DPRELOAD='"$(abspath $(PRELOAD))"' -DPROBE_REPORTS='"$(abspath $(RP)/probe_reports)"' \
           -DPROBE_LONG_NAMES='"$(abspath $(RP)/probe_long_names)"' \
           -DPROBE_LONG_NAMES_SRC='"$(abspath $(RP_SRC)/probe_long_names.cc)"' \
           -DBUILD_DIR='"$(abspath $(B))"'

$(RP)/probe_reports: $(RP_SRC)/probe_reports.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(RP)
	$(CC) -std=gnu11 $(WARN) -g -O1 -Iapi $(abspath $<) -o $@ -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B)) -lpthread

$(RP)/probe_long_names: $(RP_SRC)/probe_long_names.cc api/hotpath.h $(API_LINKS)
	@mkdir -p $(RP)
	$(CXX) -std=c++17 $(WARN) -g -O1 -Iapi $(abspath $<) -o $@ -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))

$(RP)/test_reports: $(RP_SRC)/test_reports.c test/reliability/rl_run.c test/reliability/rl_json.c \
                    test/reliability/rl_run.h test/reliability/rl_json.h | $(DEPS_OK)
	@mkdir -p $(RP)
	$(CC) -std=gnu11 $(WARN) -g -O1 -Itest/reliability $(RP_DEFS) $(abspath $<) \
	    $(abspath test/reliability/rl_run.c test/reliability/rl_json.c) -o $@ $(CHECK_LIBS)

RP_TARGETS := $(RP)/probe_reports $(RP)/probe_long_names $(RP)/test_reports
TEST_TARGETS += $(RP_TARGETS)

check-reports: $(RP_TARGETS) $(PRELOAD)
	@$(SUITE) reports/test_reports $(RP)/test_reports

CHECK_TARGETS += check-reports
.PHONY: check-reports
