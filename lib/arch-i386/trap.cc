// The i386 traps (umklib/trap.h): software interrupts into the kernel, with
// the registers of the i386 trap ABI (arch-i386/include/umk_i386/abi.h):
//   int 33 (IPC):         eax = call, ebx = endpoint or SENDA count,
//                         ecx = message, edx = SENDA table  -> eax = result
//   int 32 (kernel call): eax = message                     -> eax = result
// The kernel reads the message when the trap begins and writes the
// delivered message (or the kernel call's reply) back before it returns.
#include "umklib/trap.h"
#include "umk/arch/i386.h"
#include "umk/com.h"
#include "umk/err.h"

namespace umk {
namespace {

const i386::InfoPage& info() {
    return *reinterpret_cast<const i386::InfoPage*>(i386::INFO_PAGE);
}

}  // namespace

int arch_trap_ipc(int call, endpoint_t ep, message* m, vir_bytes table) {
    int result = call;
    // "memory": the kernel reads and writes *m (and a SENDA table) behind
    // the compiler's back.
    asm volatile("int $33"
                 : "+a"(result)
                 : "b"(ep), "c"(m), "d"(static_cast<std::uint32_t>(table))
                 : "memory");
    return result;
}

int arch_trap_kernel_call(message* m) {
    int result;
    asm volatile("int $32" : "=a"(result) : "a"(m) : "memory");
    return result;
}

endpoint_t arch_self_endpoint() {
    // The kernel keeps the info page current (also after a live update).
    return info().magic == i386::INFO_MAGIC ? info().endpoint : NONE;
}

void arch_idle() {
    // No sleeping without IPC in ring 3: spin politely for about a clock
    // tick; the timer preempts us meanwhile, so the others run.
    for (int i = 0; i < 200000; ++i) asm volatile("pause");
}

void arch_exit(int) {
    // Ring 3 cannot leave on its own: fault, so that the signal manager
    // learns of it (SIGILL) and ends the process.
    for (;;) asm volatile("ud2");
}

}  // namespace umk
