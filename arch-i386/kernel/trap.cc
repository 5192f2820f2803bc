// Every entry into the kernel: IPC and kernel-call traps, CPU exceptions,
// hardware interrupts (trap_dispatch, called by trap_entry.S).
//
// A trap from ring 3 saves the caller's registers into its ArchProc, is
// handled, and leaves through schedule(): the same process if it is still
// runnable and its quantum has not ended, else the next one. Interrupts in
// ring 0 happen only while idle (the kernel runs with interrupts off) and
// return to the idle loop.
#include "machine.h"
#include "umk/arch.h"
#include "umk/arch/i386.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/kernel.h"
#include "umk/sig.h"
#include "x86.h"

namespace umk::i386 {

bool trace_traps = false;

namespace {

const char* const exception_names[32] = {"divide error",
                                         "debug",
                                         "NMI",
                                         "breakpoint",
                                         "overflow",
                                         "bound range",
                                         "invalid opcode",
                                         "device not available",
                                         "double fault",
                                         "coprocessor segment overrun",
                                         "invalid TSS",
                                         "segment not present",
                                         "stack fault",
                                         "general protection",
                                         "page fault",
                                         "reserved",
                                         "x87 floating point",
                                         "alignment check",
                                         "machine check",
                                         "SIMD floating point",
                                         "virtualization",
                                         "control protection",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "VMM communication",
                                         "security",
                                         "reserved"};

// The signal a user-mode exception means (as Linux reports the same faults).
int exception_signal(std::uint32_t vector) {
    switch (vector) {
        case 0:   // divide error
        case 7:   // FPU use (CR0.EM: services have no FPU)
        case 16:  // x87
        case 19:  // SIMD
            return SIGFPE;
        case 6:
            return SIGILL;
        case 1:
        case 3:
            return SIGTRAP;
        case 17:
            return SIGBUS;
        default:  // page fault, #GP, stack, segment...
            return SIGSEGV;
    }
}

[[noreturn]] void kernel_exception(const TrapFrame& f) {
    const char* name = f.vector < 32 ? exception_names[f.vector] : "unexpected interrupt";
    kprintf("\ni386: %s (vector %u, error 0x%x) in the kernel\n", name, f.vector, f.error);
    kprintf("  eip 0x%08x  eflags 0x%08x  cr2 0x%08x  cr3 0x%08x\n", f.eip, f.eflags, read_cr2(),
            read_cr3());
    kprintf("  eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n", f.eax, f.ebx, f.ecx, f.edx);
    kprintf("  esi 0x%08x edi 0x%08x ebp 0x%08x esp 0x%08x\n", f.esi, f.edi, f.ebp,
            f.esp_pusha + 12);
    if (Proc* p = current_proc())
        kprintf("  last process: %s (endpoint %d)\n", p->p_name, p->p_endpoint);
    arch::panic("exception in the kernel");
}

void user_exception(Proc& p, const TrapFrame& f) {
    const int sig = exception_signal(f.vector);
    if (f.vector == 14)
        kprintf("i386: %s (endpoint %d): page fault at 0x%x (eip 0x%x, error 0x%x): %s\n", p.p_name,
                p.p_endpoint, read_cr2(), f.eip, f.error, sig_name(sig));
    else
        kprintf("i386: %s (endpoint %d): %s at eip 0x%x: %s\n", p.p_name, p.p_endpoint,
                f.vector < 32 ? exception_names[f.vector] : "?", f.eip, sig_name(sig));
    proc_fault(p, sig, false);
    // The core stops a faulting process until its signal manager decides.
    // Should it still be runnable, returning would fault again at once:
    // hold it instead of spinning.
    if (proc_is_runnable(p)) {
        kprintf("i386: %s still runnable after a fault; stopping it\n", p.p_name);
        rts_set(p, RTS_PROC_STOP);
    }
}

// IPC trap: eax = call, ebx = endpoint or SENDA count, ecx = message,
// edx = SENDA table. The message is snapshotted here; the caller's buffer
// for a delivered message is checked now, so delivery cannot fail later.
void ipc_trap(Proc& p) {
    ArchProc& a = p.p_arch;
    const int call = static_cast<int>(a.regs.eax);
    const auto ep = static_cast<endpoint_t>(a.regs.ebx);
    const std::uint32_t maddr = a.regs.ecx;
    a.in_trap = true;
    a.msg_addr = 0;
    message m{};
    bool reads = false, writes = false;
    switch (call) {
        case SEND:
        case SENDNB:
            reads = true;
            break;
        case SENDREC:
            reads = writes = true;
            break;
        case RECEIVE:
            writes = true;
            break;
        default:
            break;
    }
    if ((reads && arch::copy_from_proc(p, maddr, &m, sizeof m) != OK) ||
        (writes && !user_range_ok(p, maddr, sizeof m, true))) {
        p.p_retval = -EFAULT;
        complete_trap(p);
        return;
    }
    if (writes) a.msg_addr = maddr;
    trap_in_progress = &p;
    if (call == SENDA)
        trap_ipc(p, SENDA, NONE, nullptr, a.regs.edx, a.regs.ebx);
    else
        trap_ipc(p, call, ep, &m, 0, 0);
    trap_in_progress = nullptr;
    if (trace_traps)
        kprintf("trace: %s ipc %d ep %d -> %d (%s)\n", p.p_name, call, ep, p.p_retval,
                proc_is_runnable(p) ? "runnable" : "blocked");
    if (proc_is_runnable(p)) complete_trap(p);
}

// Kernel-call trap: eax = the request message, overwritten by the reply.
void kernel_call_trap(Proc& p) {
    ArchProc& a = p.p_arch;
    const std::uint32_t maddr = a.regs.eax;
    a.in_trap = true;
    a.msg_addr = 0;
    message m;
    if (arch::copy_from_proc(p, maddr, &m, sizeof m) != OK ||
        !user_range_ok(p, maddr, sizeof m, true)) {
        p.p_retval = -EFAULT;
        complete_trap(p);
        return;
    }
    a.msg_addr = maddr;
    trap_in_progress = &p;
    trap_kernel_call(p, m);
    trap_in_progress = nullptr;
    if (trace_traps)
        kprintf("trace: %s kernel call %d -> %d (reply type %d, %s)\n", p.p_name, m.m_type,
                p.p_retval, p.p_delivermsg.m_type, proc_is_runnable(p) ? "runnable" : "blocked");
    if (proc_is_runnable(p)) complete_trap(p);
}

void clock_interrupt(bool from_user) {
    pic_eoi(0);
    tsc_clock_tick(HZ);
    if (from_user) {
        if (Proc* p = current_proc()) ++p->p_user_time;
    }
    clock_tick();
    if (from_user) preempt_current();
}

void interrupt(std::uint32_t vector, bool from_user) {
    const int irq = static_cast<int>(vector) - IRQ0_VECTOR;
    if (irq == 0) return clock_interrupt(from_user);
    // Spurious IRQ7/IRQ15: the PIC did not mean it, send no EOI for it.
    if (irq == 7 || irq == 15) {
        const std::uint16_t cmd = irq == 7 ? 0x20 : 0xa0;
        outb(cmd, 0x0b);  // read the in-service register
        if (!(inb(cmd) & 0x80)) {
            if (irq == 15) pic_eoi(0);
            return;
        }
    }
    pic_eoi(irq);
}

bool is_irq(std::uint32_t v) {
    return v >= IRQ0_VECTOR && v < IRQ0_VECTOR + 16;
}

}  // namespace
}  // namespace umk::i386

extern "C" umk::TrapFrame* trap_dispatch(umk::TrapFrame* f) {
    using namespace umk;
    using namespace umk::i386;
    // Not the running code's doing: an NMI (hardware trouble) is reported
    // and ignored, a machine check is fatal, wherever they hit.
    if (f->vector == 2) {
        kprintf("i386: NMI (ignored)\n");
        return f;
    }
    if (f->vector == 18) kernel_exception(*f);
    if ((f->cs & 3) != 3) {
        if (is_irq(f->vector)) {
            interrupt(f->vector, false);
            return f;
        }
        kernel_exception(*f);
    }
    Proc* p = current_proc();
    if (!p) arch::panic("trap from user mode with no current process");
    p->p_arch.regs = *f;
    switch (f->vector) {
        case IPC_VECTOR:
            ipc_trap(*p);
            break;
        case KERNEL_CALL_VECTOR:
            kernel_call_trap(*p);
            break;
        default:
            if (is_irq(f->vector))
                interrupt(f->vector, true);
            else
                user_exception(*p, *f);
            break;
    }
    return schedule();
}
