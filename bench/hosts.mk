# make bench-hosts (part of make bench): the start-up, C++ new/delete and -finstrument-functions
# figures of bench/hosts.sh.
$(B)/bench/spawn_true: bench/spawn_true.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 $< -o $@
$(B)/bench/bare_preload.so: bench/bare_preload.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -fPIC -shared $< -o $@ -ldl
$(B)/bench/new_delete: bench/new_delete.cc
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(WARN) -O2 $< -o $@
FFT_FLAGS_plain :=
FFT_FLAGS_instr := -finstrument-functions
FFT_FLAGS_excl  := -finstrument-functions -finstrument-functions-exclude-file-list=/usr/include
$(B)/bench/fft_%: bench/fft_cxx.cc api/hotpath.h $(API_LINKS) $(INSTRUMENT_A)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(WARN) -O2 -g $(FFT_FLAGS_$*) -Iapi $< -o $@ -L$(B) -lhotpath_instrument -lhotpath_api \
	    -Wl,-rpath,$(abspath $(B))

bench-hosts: $(B)/bench/spawn_true $(B)/bench/bare_preload.so $(B)/bench/new_delete $(B)/bench/fft_plain \
	     $(B)/bench/fft_instr $(B)/bench/fft_excl $(PRELOAD)
	bench/hosts.sh $(B)

BENCH_TARGETS += bench-hosts
.PHONY: bench-hosts
