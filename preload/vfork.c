/*
 * vfork.c - the exported vfork, per architecture. The one piece of the sentinel written in assembly.
 *
 * vfork's child runs on the parent's stack until it execs or exits: a C wrapper with a frame of its
 * own would be torn down under the child (the child's return from the real vfork would land in a
 * frame the parent then reuses). So vfork is a tail jump: call hp_vfork_hot (blocking.c: resolves
 * the next vfork once, reports when the thread is in a section), undo everything, then jump to the
 * next vfork with the caller's stack and return address exactly as they came in. The CFI lets a
 * report's unwind pass through this frame, so the report names vfork's caller.
 *
 * Kept in a C file (top-level asm) rather than a .S file: the compiler then marks the object as it
 * marks every other one (.note.GNU-stack, the x86 IBT/SHSTK and AArch64 BTI/PAC properties).
 *
 * On an architecture without a hook here, vfork is not interposed: the program's vfork goes to libc
 * unchecked (the README's Limits say so); everything else works.
 */
#if defined(__x86_64__)
/* endbr64: the library keeps its indirect-branch-tracking marking (a NOP on CPUs without it).
 * The call leaves the stack 16-byte aligned for hp_vfork_hot (the return address plus 8). */
__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork, @function\n"
        ".p2align 4\n"
        "vfork:\n"
        "    .cfi_startproc\n"
        "    endbr64\n"
        "    sub $8, %rsp\n"
        "    .cfi_adjust_cfa_offset 8\n"
        "    call hp_vfork_hot\n" /* hidden: a direct call, no PLT */
        "    add $8, %rsp\n"
        "    .cfi_adjust_cfa_offset -8\n"
        "    jmp *hp_next_vfork(%rip)\n"
        "    .cfi_endproc\n"
        ".size vfork, .-vfork\n");

#elif defined(__aarch64__)
/* The return address is in x30, which the bl clobbers: saved with the frame pointer in a 16-byte
 * frame record (sp stays 16-byte aligned), restored, then `br x16` to the next vfork with x30
 * again the caller's, so the real vfork returns straight to vfork's caller. x16 is the
 * intra-procedure-call scratch register (free here, and the register a BTI `bti c` landing pad
 * accepts from a br). `bti c` is a NOP (a hint) on CPUs without BTI; it is only needed when the
 * library is built with -mbranch-protection, and harmless otherwise. */
__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork, %function\n"
        ".p2align 2\n"
        "vfork:\n"
        "    .cfi_startproc\n"
        "    hint #34\n" /* bti c */
        "    stp x29, x30, [sp, #-16]!\n"
        "    .cfi_def_cfa_offset 16\n"
        "    .cfi_offset 29, -16\n"
        "    .cfi_offset 30, -8\n"
        "    mov x29, sp\n"
        "    bl hp_vfork_hot\n" /* hidden: a direct call, no PLT */
        "    ldp x29, x30, [sp], #16\n"
        "    .cfi_restore 30\n"
        "    .cfi_restore 29\n"
        "    .cfi_def_cfa_offset 0\n"
        "    adrp x16, hp_next_vfork\n"
        "    ldr x16, [x16, #:lo12:hp_next_vfork]\n"
        "    br x16\n"
        "    .cfi_endproc\n"
        ".size vfork, .-vfork\n");
#endif
