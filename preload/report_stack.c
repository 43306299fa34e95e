/*
 * The report stack: symbolizing a report (libdw reading line tables and DWARF) takes tens of KiB
 * of stack, more than a 16 KiB thread, a small sigaltstack or a coroutine has left. The pcs are
 * captured on the caller's stack (libunwind needs little); everything after runs here, on a stack
 * of the sentinel's own: mapped once per process (raw mmap, never malloc) with a guard page below,
 * used by one thread at a time because only the holder of the report lock runs on it.
 *
 * The switch is a few instructions of assembly with call-frame information, so that debuggers
 * and unwinders walk from the report stack back to the caller's. Where there is no switch (other
 * architectures) or the stack cannot be mapped, fn runs on the caller's stack, as before.
 */
#include "report.h"

#include <unistd.h>

#define REPORT_STACK_SIZE (1024 * 1024) /* touched lazily: only what reports use becomes memory */

/* hp_call_on_stack(fn, arg, top): call fn(arg) with the stack pointer at top (16-byte aligned),
 * then return on the caller's stack. */
HP_HIDDEN void hp_call_on_stack(void (*fn)(void *), void *arg, void *top);

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl hp_call_on_stack\n"
        ".hidden hp_call_on_stack\n"
        ".type hp_call_on_stack,@function\n"
        "hp_call_on_stack:\n"
        "    .cfi_startproc\n"
        "    pushq %rbp\n"
        "    .cfi_def_cfa_offset 16\n"
        "    .cfi_offset %rbp, -16\n"
        "    movq %rsp, %rbp\n"
        "    .cfi_def_cfa_register %rbp\n"
        "    movq %rdx, %rsp\n"
        "    movq %rdi, %rax\n"
        "    movq %rsi, %rdi\n"
        "    callq *%rax\n"
        "    movq %rbp, %rsp\n"
        "    popq %rbp\n"
        "    .cfi_def_cfa %rsp, 8\n"
        "    ret\n"
        "    .cfi_endproc\n"
        ".size hp_call_on_stack, .-hp_call_on_stack\n");
#define HAVE_SWITCH 1
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl hp_call_on_stack\n"
        ".hidden hp_call_on_stack\n"
        ".type hp_call_on_stack,%function\n"
        "hp_call_on_stack:\n"
        "    .cfi_startproc\n"
        "    stp x29, x30, [sp, #-16]!\n"
        "    .cfi_def_cfa_offset 16\n"
        "    .cfi_offset 29, -16\n"
        "    .cfi_offset 30, -8\n"
        "    mov x29, sp\n"
        "    .cfi_def_cfa_register 29\n"
        "    mov sp, x2\n"
        "    mov x3, x0\n"
        "    mov x0, x1\n"
        "    blr x3\n"
        "    mov sp, x29\n"
        "    .cfi_def_cfa sp, 16\n"
        "    ldp x29, x30, [sp], #16\n"
        "    .cfi_def_cfa_offset 0\n"
        "    ret\n"
        "    .cfi_endproc\n"
        ".size hp_call_on_stack, .-hp_call_on_stack\n");
#define HAVE_SWITCH 1
#else
#define HAVE_SWITCH 0
void hp_call_on_stack(void (*fn)(void *), void *arg, void *top)
{
    (void)top;
    fn(arg);
}
#endif

static char *stack_base; /* guard page, then the stack; inherited by forked children as is */
static int stack_failed;
static int on_it; /* re-entry (a report from inside a report cannot happen: hp_in_sentinel) */

static void *stack_top(void)
{
    if (!stack_base && !stack_failed) {
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        char *p = hp_sys_map(REPORT_STACK_SIZE + page);
        if (p && hp_sys_protect_none(p, page) == 0) {
            stack_base = p;
        } else {
            if (p) hp_sys_unmap(p, REPORT_STACK_SIZE + page);
            stack_failed = 1;
        }
    }
    if (!stack_base) return NULL;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return stack_base + page + REPORT_STACK_SIZE - 64;
}

void hp_on_report_stack(void (*fn)(void *), void *arg)
{
    void *top = HAVE_SWITCH && !on_it ? stack_top() : NULL;
    if (!top) {
        fn(arg);
        return;
    }
    on_it = 1;
    hp_call_on_stack(fn, arg, top);
    on_it = 0;
}
