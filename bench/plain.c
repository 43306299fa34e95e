/* The same empty function without instrumentation: the baseline for the "instr" measure. */
__attribute__((noinline)) void bench_plain_leaf(void) { __asm__ volatile(""); }
