// The i386 per-process machine state, kept inside umk::Proc (the core
// includes this header as "arch_proc.h"). It moves with the image on
// sys_update: registers, address space and trap state belong to the
// program, not to the slot.
#pragma once

#include <cstdint>

namespace umk {

// The registers as the trap entry (kernel/trap_entry.S) pushes them: the
// order of this struct is that of the stack, lowest address first.
struct TrapFrame {
    std::uint32_t gs, fs, es, ds;
    std::uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;  // pusha
    std::uint32_t vector, error;
    std::uint32_t eip, cs, eflags;
    std::uint32_t esp, ss;  // pushed by the CPU only on a ring change (ring 3 -> 0)
};
static_assert(sizeof(TrapFrame) == 19 * 4);

struct ArchProc {
    TrapFrame regs;            // saved user registers while not running
    std::uint32_t page_dir;    // physical address of its page directory; 0: no address space
    std::uint32_t user_pages;  // frames it owns (page tables included), for the log

    // Trap state: a trap is open between the software interrupt and the
    // moment the result is written to eax (arch::proc_ready or trap return).
    bool in_trap;
    std::uint32_t msg_addr;  // where the delivered message goes (0: none)
};

}  // namespace umk
