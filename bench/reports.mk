# make bench: the report engine at scale (bench/reports.sh), with the report tests' probe.
bench-reports: $(B)/reports/probe_reports $(PRELOAD)
	bench/reports.sh $(B)

BENCH_TARGETS += bench-reports
.PHONY: bench-reports
