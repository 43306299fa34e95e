# The Rust workspace (rust/): its tests in `make check`, run the way docs/rust.md tells users to run
# theirs: Cargo's target runner is hotpath-run in warn mode, so every test binary (and doctest) runs
# under the freshly built sentinel and the gate, while cargo, rustc and rustdoc do not.
# Without cargo the target says so and skips, as the other optional parts do.
CARGO ?= cargo
RUST_TARGET_DIR := $(abspath $(B))/rust-target
RUST_ENV := HOTPATH_LIB_DIR=$(abspath $(B)) CARGO_TARGET_DIR=$(RUST_TARGET_DIR)
RUST_RUNNER := --config "target.'cfg(all())'.runner = ['$(abspath $(B))/bin/hotpath-run', '--mode', 'warn', '--']"
HAVE_CARGO := $(shell command -v $(CARGO) >/dev/null 2>&1 && echo yes)

ifeq ($(HAVE_CARGO),yes)
check-rust: $(CORE)
	+cd rust && $(RUST_ENV) $(CARGO) $(RUST_RUNNER) test --offline --workspace
	+cd rust && $(RUST_ENV) $(CARGO) $(RUST_RUNNER) test --offline -p hotpath --features disable
# What the Rust marks cost (enter/drop, allow, is_hot, CheckedAlloc outside sections), as ratios
# and differences against a baseline in the same run.
bench-rust: $(CORE)
	+cd rust && $(RUST_ENV) $(CARGO) bench --offline -p hotpath --bench marks
else
check-rust bench-rust:
	@echo "$@: SKIPPED: cargo not found (install Rust's cargo to test the Rust crate)"
endif

CHECK_TARGETS += check-rust
BENCH_TARGETS += bench-rust
.PHONY: check-rust bench-rust
