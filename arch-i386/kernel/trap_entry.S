/* Entry and exit of every trap, exception and interrupt.
 *
 * Each vector has a stub that pushes an error code (0 where the CPU pushes
 * none) and its vector number, then joins trap_common, which saves the
 * general and segment registers as a TrapFrame (include_arch/arch_proc.h)
 * and calls trap_dispatch(frame). trap_dispatch returns the frame to resume:
 * the same one (an interrupt of the idle loop) or the saved registers of the
 * process chosen to run next, which trap_resume pops before the iret. */

#define KERNEL_DS 0x10


    .text

.macro TRAP_STUB v
    .balign 16
trap_stub_\v:
    .if !(((\v) == 8) || (((\v) >= 10) && ((\v) <= 14)) || ((\v) == 17) || ((\v) == 21) || ((\v) == 29) || ((\v) == 30))
    pushl $0
    .endif
    pushl $\v
    jmp trap_common
.endm

.altmacro
.macro STUBS from, to
    TRAP_STUB %(\from)
    .if \to-\from
    STUBS %(\from+1), \to
    .endif
.endm

/* The recursion depth of STUBS is limited: build the 256 stubs in chunks. */
    STUBS 0, 63
    STUBS 64, 127
    STUBS 128, 191
    STUBS 192, 255

trap_common:
    pushal
    push %ds
    push %es
    push %fs
    push %gs
    mov $KERNEL_DS, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    cld
    push %esp               /* the TrapFrame */
    call trap_dispatch
    mov %eax, %esp          /* the frame to resume */
trap_resume:
    pop %gs
    pop %fs
    pop %es
    pop %ds
    popal
    add $8, %esp            /* vector and error code */
    iret

/* void resume_frame(TrapFrame*): leave the kernel through a saved frame. */
    .global resume_frame
resume_frame:
    mov 4(%esp), %esp
    jmp trap_resume

/* The stub addresses, indexed by vector, for the IDT. */
.macro STUB_ADDR v
    .long trap_stub_\v
.endm
.macro ADDRS from, to
    STUB_ADDR %(\from)
    .if \to-\from
    ADDRS %(\from+1), \to
    .endif
.endm
    .section .rodata
    .balign 4
    .global trap_stubs
trap_stubs:
    ADDRS 0, 63
    ADDRS 64, 127
    ADDRS 128, 191
    ADDRS 192, 255

    .section .note.GNU-stack, "", @progbits
