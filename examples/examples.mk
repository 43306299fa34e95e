# make demo: build the demo and show what the sentinel says about it, in warn and abort modes.
$(B)/examples/demo: examples/demo.c api/hotpath.h $(API_LINKS)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -g -O1 -Iapi $(abspath $<) -o $@ -L$(B) -lhotpath_api -Wl,-rpath,$(abspath $(B))

TEST_TARGETS += $(B)/examples/demo

demo: $(B)/examples/demo $(PRELOAD)
	@echo "== 1. Without the sentinel: the marks cost nothing and change nothing"
	@echo "\$$ ./$(B)/examples/demo"
	@./$(B)/examples/demo
	@echo
	@echo "== 2. With the sentinel in warn mode: one report per distinct call stack, a summary at exit"
	@echo "\$$ HOTPATH_OPTIONS=mode=warn LD_PRELOAD=$(PRELOAD) ./$(B)/examples/demo"
	@HOTPATH_OPTIONS=mode=warn LD_PRELOAD=$(abspath $(PRELOAD)) ./$(B)/examples/demo
	@echo
	@echo "== 3. In the default abort mode: the first allocation in a hot section stops the process"
	@echo "\$$ LD_PRELOAD=$(PRELOAD) ./$(B)/examples/demo"
	@LD_PRELOAD=$(abspath $(PRELOAD)) ./$(B)/examples/demo; rc=$$?; \
	    echo "(exit status $$rc: $$( [ $$rc -eq 134 ] && echo 'SIGABRT, as expected' || echo 'UNEXPECTED'))"; \
	    [ $$rc -eq 134 ]
