/* Multiboot (v1) entry: the boot loader (GRUB, or QEMU -kernel) jumps to
 * _start in 32-bit protected mode with paging off, eax = the multiboot
 * magic and ebx = the physical address of the multiboot information. */

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* modules page-aligned | memory information */

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss.stack, "aw", @nobits
    .balign 4096
    /* Unmapped once paging is on (memory.cc): a kernel stack overflow
     * faults instead of overwriting kernel data. */
    .global kernel_stack_guard
kernel_stack_guard:
    .skip 4096
    .global kernel_stack_bottom
kernel_stack_bottom:
    .skip 32768
    .global kernel_stack_top
kernel_stack_top:

    .text
    .global _start
    .type _start, @function
_start:
    cli
    cld
    mov %eax, %esi          /* keep magic and info across the bss clear */
    mov %ebx, %edx
    /* Clear .bss (the stack included: nothing is on it yet). */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $kernel_stack_top, %esp
    xor %ebp, %ebp
    push %edx               /* multiboot info */
    push %esi               /* magic */
    call kernel_main
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
