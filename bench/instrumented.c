/* Compiled with -finstrument-functions for bench_sentinel's "instr" measure: an empty function
 * whose only cost, beyond a call, is the entry and exit hooks. */
__attribute__((noinline)) void bench_instrumented_leaf(void) { __asm__ volatile(""); }
