# The Rust workspace (rust/): its tests in `make check`, run the way docs/rust.md tells users to run
# theirs: Cargo's target runner is hotpath-run in warn mode, so every test binary (and doctest) runs
# under the freshly built sentinel and the gate, while cargo, rustc and rustdoc do not.
# Without cargo the target says so and skips, as the other optional parts do.
CARGO ?= cargo
RUST_TARGET_DIR := $(abspath $(B))/rust-target
RUST_ENV := HOTPATH_LIB_DIR=$(abspath $(B)) CARGO_TARGET_DIR=$(RUST_TARGET_DIR)
RUST_RUNNER := --config "target.'cfg(all())'.runner = ['$(abspath $(B))/bin/hotpath-run', '--mode', 'warn', '--']"
# yes, old (older than the workspace's rust-version, 1.77, as Debian 12's packaged cargo is) or
# empty (no cargo).
HAVE_CARGO := $(shell $(CARGO) --version 2>/dev/null | awk '{ split($$2, v, "."); print (v[1] > 1 || v[2] >= 77) ? "yes" : "old" }')

ifeq ($(HAVE_CARGO),yes)
check-rust: $(CORE)
	+cd rust && $(RUST_ENV) $(CARGO) $(RUST_RUNNER) test --offline --workspace
	+cd rust && $(RUST_ENV) $(CARGO) $(RUST_RUNNER) test --offline -p hotpath --features disable
	+cd rust && $(RUST_ENV) $(CARGO) $(RUST_RUNNER) test --offline --release -p hotpath-example-seed
# What the Rust marks cost (enter/drop, allow, is_hot, CheckedAlloc outside sections), as ratios
# and differences against a baseline in the same run.
bench-rust: $(CORE)
	+cd rust && $(RUST_ENV) $(CARGO) bench --offline -p hotpath --bench marks
else ifeq ($(HAVE_CARGO),old)
check-rust bench-rust:
	@echo "$@: SKIPPED: $$($(CARGO) --version) is older than 1.77, which the Rust crate needs (rustup.rs)"
else
check-rust bench-rust:
	@echo "$@: SKIPPED: cargo not found (install Rust 1.77 or later, e.g. with rustup, to test the Rust crate)"
endif

CHECK_TARGETS += check-rust
BENCH_TARGETS += bench-rust
.PHONY: check-rust bench-rust
